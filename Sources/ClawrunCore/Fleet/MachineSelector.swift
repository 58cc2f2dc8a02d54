/// One `--select key=value` (or `key!=value`) filter on a machine's fields. Filters on different
/// keys must all hold; `key=value` filters repeated on one key are alternatives (`phase=sleeping
/// --select phase=failed` picks both), as a user listing states expects; `key!=value` ones must all hold.
public struct MachineSelector: Sendable, Equatable, CustomStringConvertible {
    /// The fields a selector may name, as `machines list --json` spells them.
    public static let keys = ["machine_id", "phase", "desired_state", "vcpu", "memory_mib", "storage_gib",
                              "autosleep_seconds", "reason"]

    public let key: String
    public let value: String
    /// True for `key!=value`.
    public let negated: Bool

    /// Parses `key=value` or `key!=value`; an unknown key or a missing `=` is a usage error.
    public init(parsing text: String) throws {
        guard let eq = text.firstIndex(of: "=") else {
            throw ClawrunError.usage("--select '\(text)' is not key=value (keys: \(MachineSelector.keys.joined(separator: ", ")))")
        }
        var key = String(text[..<eq])
        negated = key.hasSuffix("!")
        if negated { key.removeLast() }
        key = key == "id" ? "machine_id" : key
        guard MachineSelector.keys.contains(key) else {
            throw ClawrunError.usage("--select: unknown key '\(key)' (keys: \(MachineSelector.keys.joined(separator: ", ")))")
        }
        self.key = key
        value = String(text[text.index(after: eq)...])
        if key == "phase" { _ = try Phase.parse(value) }
    }

    public var description: String { "\(key)\(negated ? "!=" : "=")\(value)" }

    /// Whether the machine's field equals the value (numerically for numbers, so vcpu=2 matches 2.0).
    public func matches(_ m: Machine) -> Bool {
        let equal: Bool
        switch key {
        case "machine_id": equal = m.id == value
        case "phase": equal = m.phase.rawValue == value
        case "desired_state": equal = m.desiredState.rawValue == value
        case "vcpu": equal = Double(value) == m.vcpu
        case "memory_mib": equal = Double(value) == Double(m.memoryMiB)
        case "storage_gib": equal = Double(value) == Double(m.storageGiB)
        case "autosleep_seconds": equal = Double(value) == Double(m.autosleepSeconds)
        default: equal = (m.reason ?? "") == value
        }
        return equal != negated
    }

    /// Whether a machine passes the selectors: every exclusion, and for each key one of its inclusions.
    public static func matchAll(_ selectors: [MachineSelector], _ m: Machine) -> Bool {
        guard selectors.filter(\.negated).allSatisfy({ $0.matches(m) }) else { return false }
        let included = Dictionary(grouping: selectors.filter { !$0.negated }, by: \.key)
        return included.values.allSatisfy { group in group.contains { $0.matches(m) } }
    }
}
