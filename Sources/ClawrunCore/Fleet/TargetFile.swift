import Foundation

/// The machine ids of a `--machines @FILE` list: one id a line; blank lines and `#` comments
/// (whole-line or trailing) are ignored, so a retry file or a hand-kept inventory both work.
public enum TargetFile {
    /// The ids in `text`, in order, without duplicates.
    public static func parse(_ text: String) -> [String] {
        unique(text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map { rawLine in
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            return line.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty })
    }

    /// `ids` in order, each kept the first time it appears.
    public static func unique(_ ids: [String]) -> [String] {
        var seen = Set<String>()
        return ids.filter { seen.insert($0).inserted }
    }

    /// Reads an `@FILE` argument (the `@` is optional); a missing or unreadable file is a usage error.
    public static func read(_ argument: String) throws -> [String] {
        let path = argument.hasPrefix("@") ? String(argument.dropFirst()) : argument
        guard !path.isEmpty else { throw ClawrunError.usage("--machines needs a file: --machines @FILE") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ClawrunError.usage("--machines @\(path): no such file (one machine id a line)")
        }
        return parse(String(decoding: data, as: UTF8.self))
    }
}
