/// The `.env` file of the state directory, which the real CLI loads at start for the variables
/// the process lacks (`src/cli/dotenv.ts`: `path.join(resolveStateDir(process.env), ".env")`,
/// `src/infra/dotenv.ts`). The simulator reads it the same way, which also lets a machine's
/// `.env` choose the imitated release (`OPENCLAW_SIM_VERSION`).
public enum DotEnv {
    /// `environment` plus the state directory's `.env` entries it does not already have.
    public static func merged(_ environment: [String: String]) -> [String: String] {
        let path = StatePaths(environment: environment).stateDir + "/.env"
        guard let bytes = FileSystem.read(path) else { return environment }
        var merged = environment
        for (key, value) in parse(String(decoding: bytes, as: UTF8.self)) where merged[key] == nil {
            merged[key] = value
        }
        return merged
    }

    /// `KEY=VALUE` lines (an optional `export `, `#` comments, values optionally quoted).
    static func parse(_ text: String) -> [(String, String)] {
        var pairs: [(String, String)] = []
        for raw in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            var line = String(raw).trimmingSpaces()
            if line.hasPrefix("#") || line.isEmpty { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimmingSpaces() }
            guard let eq = line.firstIndex(of: "=") else { continue }
            let key = String(line[..<eq]).trimmingSpaces()
            var value = String(line[line.index(after: eq)...]).trimmingSpaces()
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { continue }
            pairs.append((key, value))
        }
        return pairs
    }
}
