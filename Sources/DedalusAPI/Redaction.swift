/// Removes credentials from text that leaves the provider (errors, retry events).
enum Redaction {
    /// The text with every non-empty secret replaced by `***`.
    static func scrub(_ text: String, secrets: [String]) -> String {
        secrets.filter { !$0.isEmpty }.reduce(text) { $0.replacingOccurrences(of: $1, with: "***") }
    }
}
