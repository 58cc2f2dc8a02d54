import ClawrunCore

/// A cursor page `{"items": [...] | null, "next_cursor": "…"}` (spec §10). Items that fail to
/// decode are an error, not silently dropped.
struct WirePage<Item: Decodable>: Decodable {
    var items: [Item]
    var nextCursor: String?

    private enum Keys: String, CodingKey { case items, nextCursor = "next_cursor" }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        items = try c.decodeIfPresent([Item].self, forKey: .items) ?? []
        nextCursor = c.lenientString(.nextCursor)
    }

    /// The page in core terms. As in the SDKs, there is a next page only when this one has items
    /// and a non-empty cursor.
    func map<T: Sendable>(_ transform: (Item) -> T) -> Page<T> {
        let next = items.isEmpty || (nextCursor ?? "").isEmpty ? nil : nextCursor
        return Page(items: items.map(transform), nextCursor: next)
    }
}
