import Foundation

/// Aligned plain-text columns, two spaces apart, the last column unpadded.
enum OutputTable {
    /// The rows as text, each line ending in a newline; short rows leave their last cells out.
    static func render(_ table: [[String]]) -> String {
        guard let width = table.map(\.count).max(), width > 0 else { return "" }
        var widths = [Int](repeating: 0, count: width)
        for row in table { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.count) } }
        return table.map { row in
            row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n") + "\n"
    }
}
