import ClawrunCore
import Testing

/// The parsers behind `chat`: completion bodies, SSE streams, curl's trailer and config quoting.
@Suite struct ChatParsingTests {
    @Test func replyFromStringContentWithoutUsage() throws {
        let body = try JSONValue.parse(#"{"id":"chatcmpl_1","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"extra":{"x":1}}"#)
        #expect(ChatCompletionParser.replyText(body) == "Hi")
    }

    @Test func replyFromContentParts() throws {
        let body = try JSONValue.parse(#"{"choices":[{"message":{"content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{}},{"type":"output_text","text":"b"}]}}]}"#)
        #expect(ChatCompletionParser.replyText(body) == "a\nb")
    }

    @Test func missingChoicesIsNil() throws {
        #expect(ChatCompletionParser.replyText(try JSONValue.parse(#"{"object":"chat.completion"}"#)) == nil)
    }

    @Test func errorMessages() throws {
        #expect(ChatCompletionParser.errorMessage(try JSONValue.parse(#"{"error":{"message":"Unauthorized","type":"unauthorized"}}"#)) == "Unauthorized")
        #expect(ChatCompletionParser.errorMessage(try JSONValue.parse(#"{"ok":false,"error":{"type":"forbidden","message":"missing scope: operator.write"}}"#)) == "missing scope: operator.write")
    }

    @Test func recognisesTheNoKeyReply() {
        #expect(ChatCompletionParser.isMissingAPIKeyReply(#"⚠️ Agent failed before reply: No API key found for provider "openai". Auth store: ..."#))
        #expect(!ChatCompletionParser.isMissingAPIKeyReply("Echo: what is an API?"))
    }

    @Test func streamAssemblesDeltas() {
        let text = """
            data: {"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant"}}]}\r
            \r
            data: {"id":"c","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}

            : keep-alive

            data: {"id":"c","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":null}]}

            data: {"id":"c","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}

            data: {"id":"c","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}

            data: [DONE]

            """
        let chat = SSEParser.chat(text)
        #expect(chat.text == "Hello")
        #expect(chat.chunks == 5)
        #expect(chat.done)
        #expect(chat.finishReason == "stop")
        #expect(chat.usage?["total_tokens"]?.intValue == 3)
    }

    @Test func streamWithoutDoneAndMultiLineData() {
        let stream = SSEParser.parse("event: x\ndata: a\ndata: b\n\ndata: c")
        #expect(stream.events == ["a\nb", "c"])
        #expect(!stream.done)
    }

    @Test func curlTrailerSplitsOffTheBody() {
        let r = CurlWriteOut.split("{\"a\":1}\n\(CurlWriteOut.marker) 401 0.012345\n")
        #expect(r?.body == "{\"a\":1}")
        #expect(r?.status == 401)
        #expect(r?.time == 0.012345)
        #expect(CurlWriteOut.split("no trailer") == nil)
    }

    @Test func curlConfigQuotesEverything() {
        var c = CurlConfig()
        c.set("data-binary", "{\"m\":\"a\\\\b\nc\"}")
        c.flag("silent")
        #expect(c.text == "data-binary = \"{\\\"m\\\":\\\"a\\\\\\\\b\\nc\\\"}\"\nsilent\n")
    }
}
