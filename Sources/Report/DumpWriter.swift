import Basics
import Provenance
import Trace
import Wire

/// Writes `lntrace dump` output: every message in input order, and the input diagnostics.
///
/// - text: one line per message (`-v`: every field below it); diagnostics on standard error.
/// - jsonl: one `{"kind": "message", …}` or `{"kind": "diagnostic", …}` object per line.
/// - json: `{"schema_version": 1, "messages": […], "diagnostics": […]}`.
public final class DumpWriter {
    public let format: OutputFormat
    public let verbose: Bool
    /// Include each message's bytes (JSON `"raw"`, text: a hex line).
    public let raw: Bool
    let out: Output
    let err: Output
    private var json = JSONWriter()
    private var wroteMessage = false
    /// Diagnostics kept for the JSON document (bounded; the count is always exact).
    private var diagnostics: [Diagnostic] = []
    /// Capture connections, listed at the end (text and JSON).
    private var connections: [ConnectionSummary] = []
    private var connectionsOmitted = 0
    static let keptConnections = 10_000
    /// Log inputs' streams per peer and channel, listed at the end (text and JSON).
    private var logs: [LogSummary] = []
    public private(set) var diagnosticCount = 0
    public private(set) var errorCount = 0
    public private(set) var messageCount = 0
    static let keptDiagnostics = 10_000

    /// The time column of text lines (`--time`).
    private var times: TimeColumn

    public init(format: OutputFormat, verbose: Bool, raw: Bool = false, time: TimeMode = .absolute,
                out: Output = .standardOutput, err: Output = .standardError) {
        times = TimeColumn(time)
        self.format = format
        self.verbose = verbose
        self.raw = raw
        self.out = out
        self.err = err
        if format == .json {
            out.write("{\"schema_version\":1,\"messages\":[")
        }
    }

    public func write(_ event: TraceEvent) {
        switch event {
        case let .message(message): write(message)
        case let .diagnostic(diagnostic): write(diagnostic)
        case let .connection(summary): write(summary)
        case let .streams(summary): write(summary)
        case .note, .lost: break  // not a wire message; a lost direction is in the diagnostics
        }
    }

    public func write(_ event: MessageEvent) {
        messageCount += 1
        switch format {
        case .text:
            out.line(textLine(event))
            if verbose {
                for line in MessageFormat.verbose(event.content) { out.line(line) }
            }
            if raw, let bytes = try? event.content.message?.encoded() {
                out.line("    raw: " + Hex.encode(bytes))
            }
        case .jsonl:
            out.record(&json) { MessageFormat.writeJSON(event, to: &$0, kind: true, raw: raw) }
        case .json:
            out.element(&json, after: &wroteMessage) { MessageFormat.writeJSON(event, to: &$0, raw: raw) }
        }
    }

    public func write(_ diagnostic: Diagnostic) {
        diagnosticCount += 1
        if diagnostic.severity == .error { errorCount += 1 }
        err.line("lntrace: \(diagnostic)")
        switch format {
        case .text:
            break
        case .jsonl:
            out.record(&json) { DiagnosticFormat.writeJSON(diagnostic, to: &$0, kind: true) }
        case .json:
            if diagnostics.count < Self.keptDiagnostics { diagnostics.append(diagnostic) }
        }
    }

    public func write(_ connection: ConnectionSummary) {
        switch format {
        case .jsonl:
            out.record(&json) { ConnectionFormat.writeJSON(connection, to: &$0, kind: true) }
        case .text, .json:
            // A capture of many connections keeps the first ones (jsonl streams them all).
            if connections.count < Self.keptConnections { connections.append(connection) } else { connectionsOmitted += 1 }
        }
    }

    public func write(_ summary: LogSummary) {
        switch format {
        case .jsonl:
            out.record(&json) { StreamFormat.writeJSON(summary, to: &$0, kind: true) }
        case .text, .json:
            logs.append(summary)
        }
    }

    /// Flushes what is buffered (called whenever input pauses).
    public func flush() {
        err.flush()
        out.flush()
    }

    /// Ends the output (closes the JSON document; lists connections after text).
    public func finish() {
        if format == .text, !connections.isEmpty {
            out.line("")
            out.line("Connections:")
            for connection in connections.sorted(by: { $0.id < $1.id }) {
                for line in ConnectionFormat.text(connection) { out.line("  " + line) }
            }
            if connectionsOmitted > 0 {
                out.line("  … \(connectionsOmitted) more connections not listed (--format jsonl lists every one)")
            }
        }
        if format == .text {
            for summary in logs where summary.format != "hex" {
                out.line("")
                for line in StreamFormat.text(summary) { out.line(line) }
            }
        }
        if format == .json {
            out.write("],\"diagnostics\":")
            out.write(&json) { json in
                json.beginArray()
                for diagnostic in diagnostics { DiagnosticFormat.writeJSON(diagnostic, to: &json) }
                json.endArray()
            }
            out.write(",\"connections\":")
            out.write(&json) { json in
                json.beginArray()
                for connection in connections.sorted(by: { $0.id < $1.id }) { ConnectionFormat.writeJSON(connection, to: &json) }
                json.endArray()
            }
            if connectionsOmitted > 0 { out.write(",\"connections_omitted\":\(connectionsOmitted)") }
            out.write(",\"logs\":")
            out.write(&json) { json in
                json.beginArray()
                for summary in logs { StreamFormat.writeJSON(summary, to: &json) }
                json.endArray()
            }
            out.write(",\"diagnostic_count\":\(diagnosticCount),\"message_count\":\(messageCount)}\n")
        }
        flush()
    }

    /// `file:line  time  conn dir  name fields…` (time as `--time` says).
    func textLine(_ event: MessageEvent) -> String {
        var columns: [String] = [event.location.description]
        times.saw(event)
        if let time = times.text(event) { columns.append(time) }
        if let connection = event.connection { columns.append("#\(connection)") }
        if event.location.line != nil, let peer = event.peer { columns.append(Self.short(peer)) }
        if let direction = event.direction { columns.append(direction == .out ? "→" : "←") }
        columns.append(MessageFormat.summary(event.content))
        return columns.joined(separator: "  ")
    }
}

extension DumpWriter {
    /// A long hex id (channel id, node id) as `1758a2b3…f29f`; anything else (an endpoint, a
    /// label, an alias) whole: only hex is cut, never a word.
    static func short(_ id: String) -> String {
        guard id.count > 16, id.utf8.allSatisfy(Hex.isDigit) else {
            return id
        }
        return id.prefix(8) + "…" + id.suffix(4)
    }
}

/// JSON rendering of input diagnostics.
public enum DiagnosticFormat {
    public static func writeJSON(_ diagnostic: Diagnostic, to json: inout JSONWriter, kind: Bool = false) {
        json.beginObject()
        if kind { json.field("kind", "diagnostic") }
        json.field("severity", diagnostic.severity.rawValue)
        json.field("code", diagnostic.code)
        json.field("message", diagnostic.message)
        json.fields(of: diagnostic.location)
        json.endObject()
    }
}
