import ClawrunCore
import Foundation

/// `--retry-failed`: the machines to run again, from the newest run record of the same workflow
/// (of the same `--shard`, when one is given, so that sharded cron jobs each retry their own).
enum RetryTargets {
    /// What the last record says to retry.
    enum Plan {
        /// Run again over these machines.
        case retry([String], record: URL)
        /// Nothing failed: nothing to do.
        case nothing(record: URL)
    }

    static func plan(store: RunRecordStore, workflow: String, shard: Shard?) throws -> Plan {
        let candidates = store.records(workflow: workflow).reversed()
        for url in candidates {
            let record = try RunRecord(url: url)
            guard record.shard == shard?.description else { continue }
            guard let ids = record.retryTargets else {
                throw ClawrunError.usage("the last run record of \(workflow), \(url.path), has no recap (was the run "
                                         + "killed with SIGKILL?): nothing to retry from; run without --retry-failed")
            }
            return ids.isEmpty ? .nothing(record: url) : .retry(ids, record: url)
        }
        let which = shard.map { " with --shard \($0)" } ?? ""
        throw ClawrunError.usage("no run record of \(workflow)\(which) under \(store.directory.path): nothing to retry")
    }
}
