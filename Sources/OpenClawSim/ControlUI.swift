/// The stand-in for the Control UI single-page app (`GET /`): a tiny page with the real
/// title, so probes that expect 200 HTML from the gateway root see what they expect.
enum ControlUI {
    static let indexHTML = """
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>OpenClaw Control</title>
    </head>
    <body>
    <main id="app">
    <h1>OpenClaw Control</h1>
    <p>This gateway is the clawrun OpenClaw simulator (openclaw-sim \(SimulatorVersion.default.version)): an offline stand-in with an echo agent. The real Control UI is not bundled.</p>
    </main>
    </body>
    </html>

    """

    /// Headers the real UI handler sets on `index.html`.
    static let headers: [(String, String)] = [
        ("X-Frame-Options", "DENY"),
        ("Content-Security-Policy", "default-src 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'; img-src 'self' data: https:; style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:"),
        ("Cache-Control", "no-cache"),
    ]

    /// `GET /__openclaw/control-ui-config.json`.
    static func configJSON() -> String {
        JSONWriter.compact(.object([
            ("basePath", .string("")), ("assistantName", .string("OpenClaw")), ("assistantAvatar", .null),
            ("assistantAgentId", .string("main")), ("serverVersion", .string(SimulatorVersion.default.version)),
            ("localMediaPreviewRoots", .array([])), ("embedSandbox", .string("scripts")),
            ("allowExternalEmbedUrls", .bool(false)),
        ]))
    }
}
