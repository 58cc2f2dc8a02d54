/// Text from outside (an API answer, a machine's output, a targets file) made safe for a terminal
/// or a log line: control characters and ANSI escape sequences cannot move the cursor, recolour
/// or retitle the terminal, or forge lines.
public enum TerminalText {
    /// `text` with every C0 control but newline and tab, DEL and every C1 control written as
    /// `\x1b`-style escapes.
    public static func escape(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = String.UnicodeScalarView()
        for u in text.unicodeScalars {
            guard isControl(u) else { out.append(u); continue }
            let hex = String(u.value, radix: 16)
            out.append(contentsOf: "\\x\(hex.count < 2 ? "0" : "")\(hex)".unicodeScalars)
        }
        return String(out)
    }

    static func isControl(_ u: Unicode.Scalar) -> Bool {
        (u.value < 0x20 && u != "\n" && u != "\t") || (0x7F...0x9F).contains(u.value)
    }
}
