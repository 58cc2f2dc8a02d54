/// The deepest nesting that crosses between Lua and Swift: tables read out of Lua, values pushed
/// into it, and the JSON texts that `json.encode`/`json.decode` and machine data turn into them.
/// One limit for all, so a value that one path accepts the others accept too; Swift code that
/// walks these values recurses at most this deep.
public enum NestingLimit {
    /// Tables (or JSON arrays and objects) inside one another: the outermost is level 1.
    public static let depth = 200

    /// The message for a value past the limit.
    public static var message: String { "nested deeper than \(depth) levels" }
}
