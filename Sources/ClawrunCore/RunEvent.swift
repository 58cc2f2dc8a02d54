import Foundation

/// One thing that happened in a run, as `--json` prints it and the run record stores it: one JSON
/// object a line, with the event name first.
public struct RunEvent: Sendable, Equatable {
    /// What happened: `run_start`, `step_start`, `step_end`, `log`, `retry`, `machine_created`, `result`, `recap`.
    public var event: String
    /// Seconds since the epoch.
    public var time: Double
    /// The step path (`deploy/install`), when inside a step.
    public var step: String?
    /// The machine the event concerns.
    public var machine: String?
    /// Further fields, in order.
    public var fields: [(String, JSONValue)]

    /// Makes an event stamped now.
    public init(_ event: String, step: String? = nil, machine: String? = nil, fields: [(String, JSONValue)] = [],
                time: Double = Date().timeIntervalSince1970) {
        self.event = event
        self.time = time
        self.step = step
        self.machine = machine
        self.fields = fields
    }

    public static func == (a: RunEvent, b: RunEvent) -> Bool { a.json == b.json }

    /// The field named `key`.
    public subscript(key: String) -> JSONValue? { fields.first { $0.0 == key }?.1 }

    /// The event as one JSON object.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [("event", .string(event)), ("time", .double(time))]
        if let step { members.append(("step", .string(step))) }
        if let machine { members.append(("machine", .string(machine))) }
        return .object(members + fields)
    }

    /// Reads an event back from its JSON object (for run records).
    public init?(json: JSONValue) {
        guard case .object(let members) = json, let name = json["event"]?.stringValue else { return nil }
        self.event = name
        self.time = json["time"]?.doubleValue ?? 0
        self.step = json["step"]?.stringValue
        self.machine = json["machine"]?.stringValue
        self.fields = members.filter { !["event", "time", "step", "machine"].contains($0.0) }
    }
}

/// Where run events go: the terminal, `--json` on stdout, the run record.
public protocol EventSink: Sendable {
    /// Takes one event; called from any thread.
    func emit(_ event: RunEvent)
}
