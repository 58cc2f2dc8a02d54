import Foundation

/// The API's autosleep grammar: unit runs like "30s", "7d3h4s", "1w3d", raw seconds, or "never".
public enum AutosleepDuration {
    /// Seconds for an autosleep text; 0 for "never".
    public static func seconds(_ text: String) throws -> Int {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if t == "never" || t == "off" { return 0 }
        if let n = Int(t), n >= 0 { return n }
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800]
        var total = 0
        var digits = ""
        for c in t {
            if c.isNumber {
                digits.append(c)
            } else if let mult = units[c], let n = Int(digits) {
                total += n * mult
                digits = ""
            } else {
                throw ClawrunError.invalidArgument(
                    "autosleep '\(text)' is not a duration: use forms like 30s, 30m, 2h, 7d3h4s, 1800 or never")
            }
        }
        guard digits.isEmpty, !t.isEmpty else {
            throw ClawrunError.invalidArgument(
                "autosleep '\(text)' is not a duration: use forms like 30s, 30m, 2h, 7d3h4s, 1800 or never")
        }
        return total
    }
}
