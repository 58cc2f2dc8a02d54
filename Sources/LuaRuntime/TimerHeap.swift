/// A binary min-heap of wake-up times, so that thousands of sleeping coroutines cost one heap each
/// rather than one task each.
struct TimerHeap {
    struct Entry {
        var deadline: Double
        var sequence: Int
        var coroutine: Int
    }

    private var entries: [Entry] = []
    private var sequence = 0

    var isEmpty: Bool { entries.isEmpty }
    var next: Double? { entries.first?.deadline }

    mutating func insert(deadline: Double, coroutine: Int) {
        sequence += 1
        entries.append(Entry(deadline: deadline, sequence: sequence, coroutine: coroutine))
        var i = entries.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard less(i, parent) else { break }
            entries.swapAt(i, parent)
            i = parent
        }
    }

    /// Removes and returns every coroutine whose deadline is at or before `now`, earliest first.
    mutating func popDue(now: Double) -> [Int] {
        var due: [Int] = []
        while let first = entries.first, first.deadline <= now {
            due.append(first.coroutine)
            removeFirst()
        }
        return due
    }

    private mutating func removeFirst() {
        entries.swapAt(0, entries.count - 1)
        entries.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < entries.count, less(l, m) { m = l }
            if r < entries.count, less(r, m) { m = r }
            if m == i { return }
            entries.swapAt(i, m)
            i = m
        }
    }

    private func less(_ a: Int, _ b: Int) -> Bool {
        let x = entries[a], y = entries[b]
        return x.deadline < y.deadline || (x.deadline == y.deadline && x.sequence < y.sequence)
    }
}
