/// Reads the gateway's OpenAI-compatible chat completion bodies (`POST /v1/chat/completions`),
/// tolerating the shapes gateways send: content as a string or as a list of parts, `usage`
/// missing, extra fields anywhere.
public enum ChatCompletionParser {
    /// The assistant's text of a non-streamed completion: `choices[0].message.content`, or nil
    /// when the body has no such field.
    public static func replyText(_ body: JSONValue) -> String? {
        guard let message = body["choices"]?[0]?["message"] else { return nil }
        return contentText(message["content"])
    }

    /// Message content as text: a string as is, or the `text` of every text part joined by
    /// newlines (the gateway's own rule for part lists).
    public static func contentText(_ content: JSONValue?) -> String? {
        switch content {
        case .string(let s)?:
            return s
        case .array(let parts)?:
            let texts = parts.compactMap { part -> String? in
                if case .string(let s) = part { return s }
                guard ["text", "output_text", "input_text", nil].contains(part["type"]?.stringValue) else { return nil }
                return part["text"]?.stringValue
            }
            return texts.joined(separator: "\n")
        default:
            return nil
        }
    }

    /// The message of an OpenAI-style error body (`{"error":{"message":…}}`), or of the
    /// gateway's scope errors (`{"ok":false,"error":{"message":…}}`), or nil.
    public static func errorMessage(_ body: JSONValue) -> String? {
        if let message = body["error"]?["message"]?.stringValue { return message }
        return body["error"]?.stringValue ?? body["message"]?.stringValue
    }

    /// The `error.type` of an OpenAI-style error body (`unauthorized` for the gateway's own
    /// token check, `authentication_error` for a provider's, `invalid_request_error`, `api_error`).
    public static func errorType(_ body: JSONValue) -> String? {
        body["error"]?["type"]?.stringValue
    }

    /// Whether a reply is the agent's "No API key" sentence: the gateway answers 200 with the
    /// error as the assistant's text when the LLM provider has no credentials.
    public static func isMissingAPIKeyReply(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.contains("no api key") || (lower.contains("api key") && lower.contains("not configured"))
    }
}
