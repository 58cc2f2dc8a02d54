import CLua

/// One read or write of a global variable in compiled Lua code (`GETTABUP`/`SETTABUP` on the
/// upvalue `_ENV`, as `luac -l` lists them), for `clawrun check`'s undefined-global report.
public struct GlobalAccess: Sendable, Equatable {
    public var name: String
    public var line: Int
    public var isWrite: Bool
}

extension LuaState {
    /// The global accesses of the function on top of the main stack (a loaded chunk, and every
    /// function nested in it), in the order of their code; the stack is left as it was.
    public func globalAccesses() throws -> [GlobalAccess] {
        var bytes: [UInt8] = []
        let rc = withUnsafeMutablePointer(to: &bytes) { buffer in
            lua_dump(L, { _, p, size, ud in
                guard let p, let ud else { return 0 }
                ud.assumingMemoryBound(to: [UInt8].self).pointee
                    .append(contentsOf: UnsafeRawBufferPointer(start: p, count: size))
                return 0
            }, buffer, 0)
        }
        guard rc == 0 else { throw LuaError(kind: .syntax, message: "the chunk could not be dumped for analysis") }
        var reader = BytecodeReader(bytes: bytes)
        return try reader.chunk()
    }
}

/// Reads the Lua 5.4 binary chunk format (ldump.c) far enough to find global accesses: the
/// code, constants, upvalue names and line information of every function.
struct BytecodeReader {
    struct Malformed: Error {}

    let bytes: [UInt8]
    var at = 0

    /// Lua 5.4's opcodes that index an upvalue with a constant string key (lopcodes.h).
    static let getTabUp: UInt32 = 11
    static let setTabUp: UInt32 = 15
    static let absLineInfo: Int8 = -0x80

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func byte() throws -> UInt8 {
        guard at < bytes.count else { throw Malformed() }
        defer { at += 1 }
        return bytes[at]
    }

    mutating func skip(_ n: Int) throws {
        guard n >= 0, at + n <= bytes.count else { throw Malformed() }
        at += n
    }

    /// ldump.c's dumpSize: 7 bits a byte, most significant first, the last byte marked by 0x80.
    mutating func size() throws -> Int {
        var x = 0
        while true {
            let b = try byte()
            guard x < Int.max >> 8 else { throw Malformed() }
            x = (x << 7) | Int(b & 0x7f)
            if b & 0x80 != 0 { return x }
        }
    }

    mutating func string() throws -> String? {
        let n = try size()
        if n == 0 { return nil }
        let start = at
        try skip(n - 1)
        return String(decoding: bytes[start..<at], as: UTF8.self)
    }

    mutating func chunk() throws -> [GlobalAccess] {
        // Signature, version, format, LUAC_DATA, three sizes, LUAC_INT and LUAC_NUM.
        try skip(4 + 1 + 1 + 6)
        let instructionSize = Int(try byte())
        let integerSize = Int(try byte())
        let numberSize = Int(try byte())
        guard instructionSize == 4 else { throw Malformed() }
        try skip(integerSize + numberSize)
        _ = try byte()  // the main closure's upvalue count
        var found: [GlobalAccess] = []
        try function(integerSize: integerSize, numberSize: numberSize, into: &found)
        return found
    }

    mutating func function(integerSize: Int, numberSize: Int, into found: inout [GlobalAccess]) throws {
        _ = try string()
        let lineDefined = try size()
        _ = try size()
        try skip(3)
        let codeCount = try size()
        var code: [UInt32] = []
        code.reserveCapacity(codeCount)
        for _ in 0..<codeCount {
            var word: UInt32 = 0
            for shift in stride(from: 0, to: 32, by: 8) { word |= UInt32(try byte()) << UInt32(shift) }
            code.append(word)
        }
        var constants: [String?] = []
        for _ in 0..<(try size()) {
            switch try byte() {
            case 3: try skip(integerSize); constants.append(nil)
            case 19: try skip(numberSize); constants.append(nil)
            case 4, 20: constants.append(try string())
            default: constants.append(nil)
            }
        }
        let upvalueCount = try size()
        try skip(3 * upvalueCount)
        var nested: [GlobalAccess] = []
        for _ in 0..<(try size()) { try function(integerSize: integerSize, numberSize: numberSize, into: &nested) }
        let lineInfo = try (0..<(try size())).map { _ in Int8(bitPattern: try byte()) }
        var absolute: [Int: Int] = [:]
        for _ in 0..<(try size()) {
            let pc = try size()
            absolute[pc] = try size()
        }
        for _ in 0..<(try size()) {
            _ = try string()
            _ = try size()
            _ = try size()
        }
        let upvalueNames = try (0..<(try size())).map { _ in try string() }
        var line = lineDefined
        for (pc, word) in code.enumerated() {
            if pc < lineInfo.count {
                line = lineInfo[pc] == BytecodeReader.absLineInfo ? (absolute[pc] ?? line) : line + Int(lineInfo[pc])
            }
            let op = word & 0x7f
            guard op == BytecodeReader.getTabUp || op == BytecodeReader.setTabUp else { continue }
            let a = Int((word >> 7) & 0xff), b = Int((word >> 16) & 0xff), c = Int((word >> 24) & 0xff)
            let (upvalue, key) = op == BytecodeReader.getTabUp ? (b, c) : (a, b)
            guard upvalue < upvalueNames.count, upvalueNames[upvalue] == "_ENV",
                  key < constants.count, let name = constants[key] else { continue }
            found.append(GlobalAccess(name: name, line: line, isWrite: op == BytecodeReader.setTabUp))
        }
        found += nested
    }
}
