/// Watches and steers the items of every `parallel` call of a run: a fleet run counts machines in
/// flight and failed, and stops starting new ones once its failure policy trips. Called on the
/// scheduler's thread only. `label` is the item's own label (`Scheduler.labelForItem`), nil for
/// items that are not machines.
public protocol ParallelObserver: AnyObject {
    /// Why the item should not start, or nil to start it; once non-nil for an item, the job's
    /// later items are skipped too, each reported through `itemSkipped`.
    func reasonToSkip(label: String?, jobTotal: Int) -> String?
    /// An item's coroutine started.
    func itemStarted(label: String?)
    /// An item's coroutine ended; `error` is its message when it raised.
    func itemEnded(label: String?, error: String?)
    /// An item was never started: the run was interrupted or the policy said stop.
    func itemSkipped(label: String?, reason: String)
}
