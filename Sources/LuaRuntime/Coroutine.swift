/// Where a coroutine is in the workflow: its step names and the machine it works on, inherited by
/// the coroutines it starts, so that logs and events can say where they come from.
public struct CoroutineContext: Sendable, Equatable {
    /// The `step` names around the running code, outermost first.
    public var steps: [String] = []
    /// The machine (or other item label) this coroutine works on.
    public var label: String?

    /// Makes an empty context.
    public init(steps: [String] = [], label: String? = nil) {
        self.steps = steps
        self.label = label
    }
}

/// A coroutine the scheduler drives: a Lua thread anchored in the registry until it ends.
public final class Coroutine {
    public let id: Int
    let thread: OpaquePointer
    let ref: Int32
    public var context: CoroutineContext
    /// The `file:line: name: ` of the host call it waits in, for an error raised when its
    /// results cannot be handed back.
    var waitPrefix = ""
    /// Called once when the coroutine ends, with its results still on its stack.
    var onFinish: ((Coroutine, CoroutineEnd) -> Void)?

    init(id: Int, thread: OpaquePointer, ref: Int32, context: CoroutineContext) {
        self.id = id
        self.thread = thread
        self.ref = ref
        self.context = context
    }
}

/// How a coroutine ended.
enum CoroutineEnd {
    /// It returned `count` values, on top of its stack.
    case returned(count: Int32)
    /// It raised; the message carries `file:line` and the traceback.
    case raised(String)
}

/// What a suspended coroutine is resumed with.
public enum Resumption: Sendable {
    /// The waiting call returns these values.
    case values([LuaValue])
    /// The waiting call raises this error (its message already says where and in what call).
    /// Indirect: boxed, a rare failure does not make every queued resumption four times larger.
    indirect case failure(HostError)
    /// The waiting call returns the values anchored at these registry references (released after).
    case registryPair(Int32, Int32)
}
