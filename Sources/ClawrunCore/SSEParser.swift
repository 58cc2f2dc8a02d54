import Foundation

/// Parses a server-sent event stream as the gateway writes it for `"stream": true`: each event a
/// run of `data:` lines ended by a blank line, the stream ended by `data: [DONE]`.
public enum SSEParser {
    /// One stream, read: its events' data payloads and whether `[DONE]` ended it.
    public struct Stream: Sendable, Equatable {
        /// Each event's data (its `data:` lines joined by newlines), `[DONE]` excluded.
        public var events: [String]
        /// Whether the stream ended with `data: [DONE]`.
        public var done: Bool
    }

    /// Splits `text` into events; comment lines (`:`) and other fields (`event:`, `id:`) are
    /// skipped, CRLF line ends accepted, and a last event without its blank line still counts.
    public static func parse(_ text: String) -> Stream {
        var events: [String] = []
        var done = false
        var data: [String] = []
        func flush() {
            guard !data.isEmpty else { return }
            let payload = data.joined(separator: "\n")
            data = []
            if payload.trimmingCharacters(in: .whitespaces) == "[DONE]" { done = true } else { events.append(payload) }
        }
        // "\r\n" is one Character in Swift, so it is a separator of its own.
        for line in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            if line.isEmpty {
                flush()
            } else if line.hasPrefix("data:") {
                var value = line.dropFirst(5)
                if value.hasPrefix(" ") { value = value.dropFirst() }
                data.append(String(value))
            }
        }
        flush()
        return Stream(events: events, done: done)
    }

    /// The assembled reply of a chat completion stream: every chunk's `choices[0].delta.content`
    /// in order, the number of chunks, the usage chunk if one came, and the first chunk that was
    /// not JSON (a gateway error written into the stream).
    public struct ChatStream: Sendable, Equatable {
        /// The content deltas joined.
        public var text: String
        /// How many JSON chunks came (role, content, stop and usage chunks alike).
        public var chunks: Int
        /// Whether `data: [DONE]` ended the stream.
        public var done: Bool
        /// The usage chunk's `usage`, when `stream_options.include_usage` asked for one.
        public var usage: JSONValue?
        /// The last `finish_reason` seen.
        public var finishReason: String?
        /// The first event that was not JSON.
        public var invalidChunk: String?
        /// The first error event (`data: {"error":{"message","type"}}`, as newer gateways write
        /// a failed run into a stream that already answered 200).
        public var error: JSONValue?
    }

    /// Reads a chat completion stream and assembles its content deltas.
    public static func chat(_ text: String) -> ChatStream {
        let stream = parse(text)
        var out = ChatStream(text: "", chunks: 0, done: stream.done, usage: nil, finishReason: nil, invalidChunk: nil,
                             error: nil)
        for event in stream.events {
            guard let chunk = try? JSONValue.parse(event) else {
                if out.invalidChunk == nil { out.invalidChunk = event }
                continue
            }
            out.chunks += 1
            if let error = chunk["error"], error != .null, out.error == nil { out.error = error }
            if let usage = chunk["usage"], usage != .null { out.usage = usage }
            guard let choice = chunk["choices"]?[0] else { continue }
            if let piece = ChatCompletionParser.contentText(choice["delta"]?["content"]) { out.text += piece }
            if let reason = choice["finish_reason"]?.stringValue { out.finishReason = reason }
        }
        return out
    }
}
