import Foundation

/// Runs a blocking `body` on a thread of its own and resumes when it is done.
///
/// The cooperative pool has as many threads as cores (two here); a test that blocked one of them
/// on a process or a socket would starve the in-process servers of tests running beside it
/// (APIServer answers on that pool), so every blocking wait of the tests goes through here.
public func offPool<T>(_ body: @escaping () -> T) async -> T {
    // Unsafe only in name: the body runs on the new thread alone while its caller waits for it.
    nonisolated(unsafe) let body = body
    return await withCheckedContinuation { (continuation: CheckedContinuation<T, Never>) in
        Thread { continuation.resume(returning: body()) }.start()
    }
}
