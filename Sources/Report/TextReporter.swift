import Basics
import Hazards
import Provenance
import Rules
import Trace

/// Readable text, fitted to the terminal: `check`'s findings grouped per input, connection
/// and channel (``CheckText``), `dump`'s line per message, `stats`' tables, the rule list.
/// Input diagnostics are on standard error only.
public final class TextReporter: Reporter {
    let command: ReportCommand
    let options: ReportOptions
    let out: Output
    /// `check`'s findings, hazards, coverage and summary.
    private lazy var check = CheckText(options: options, out: out)
    /// The time column of `dump`'s lines (`--time`).
    private var times: TimeColumn
    /// `dump --jobs N`: each line's start made here (the time column depends on the lines
    /// before), the message's summary and fields on the pool.
    private let lines: BatchedLines<(String, MessageEvent)>?

    public init(_ command: ReportCommand, options: ReportOptions, out: Output = .standardOutput) {
        self.command = command
        self.options = options
        self.out = out
        times = TimeColumn(options.style.time)
        let (verbose, raw, color) = (options.style.verbose, options.raw, out.allowsColor)
        lines =
            command == .dump
            ? options.pool.map { pool in
                BatchedLines(pool: pool, out: out) { items in
                    var buffer: [UInt8] = []
                    buffer.reserveCapacity(160 * items.count)
                    for (start, message) in items {
                        for line in Self.dumpLines(start, message, verbose: verbose, raw: raw) {
                            TerminalText.append(line, to: &buffer, keepingColor: color)
                            buffer.append(UInt8(ascii: "\n"))
                        }
                    }
                    return buffer
                }
            } : nil
    }

    public var allowsProgress: Bool { true }

    /// `dump`: `file:line  time  conn dir  name fields…`, with `-v` every field below it and
    /// with `--raw` the bytes; `check`: the start of its time column.
    public func write(_ message: MessageEvent) {
        guard command == .dump else {
            check.saw(message)
            return
        }
        let start = lineStart(message)
        if let lines { return lines.append((start, message)) }
        for line in Self.dumpLines(start, message, verbose: options.style.verbose, raw: options.raw) { out.line(line) }
    }

    /// A message's lines: its start and summary, with `-v` every field below it, with `--raw`
    /// its bytes.
    static func dumpLines(_ start: String, _ message: MessageEvent, verbose: Bool, raw: Bool) -> [String] {
        var lines = [start + MessageFormat.summary(message.content)]
        if let other = message.otherEnd {
            // Joined logs: where the other end's log shows it (its line and its clock).
            let when = other.time.map { " at \($0)" } ?? ""
            lines.append("    \(other.sent ? "sent" : "received") by the other end: \(other.location)\(when)")
        }
        if verbose { lines += MessageFormat.verbose(message.content) }
        if raw, let bytes = try? message.content.message?.encoded() { lines.append("    raw: " + Hex.encode(bytes)) }
        return lines
    }

    /// On standard error only.
    public func write(_ diagnostic: Diagnostic) {}
    /// Listed at the end, from ``DumpTotals``.
    public func write(_ connection: ConnectionSummary) {}
    public func write(_ streams: LogSummary) {}

    public func write(_ finding: Finding) { check.write(finding) }
    public func write(_ hazard: Hazard) { check.write(hazard) }
    public func write(_ observation: Observation) { check.write(observation) }
    public func endInput(_ input: InputReport) { check.endInput(input) }

    public func write(_ stats: StatsCollector, input path: String) {
        for line in StatsFormat.text(path, stats) { out.line(line) }
    }

    public func write(_ rules: [Rule]) {
        for line in RuleFormat.text(rules) { out.line(line) }
    }

    public func write(_ entries: [CatalogEntry]) {
        for line in RuleFormat.text(entries) { out.line(line) }
    }

    /// `check`: the closing summary; `dump`: the capture connections and log streams.
    public func finish(_ end: ReportEnd) {
        lines?.drain()
        switch end {
        case let .check(totals):
            check.finish(totals)
        case let .dump(totals):
            if !totals.connections.isEmpty {
                out.line("")
                out.line("Connections:")
                for connection in totals.connections.sorted(by: { $0.id < $1.id }) {
                    for line in ConnectionFormat.text(connection) { out.line("  " + line) }
                }
                if totals.connectionsOmitted > 0 {
                    out.line("  … \(totals.connectionsOmitted) more connections not listed (--format jsonl lists every one)")
                }
            }
            for summary in totals.logs where summary.format != "hex" {
                out.line("")
                for line in StreamFormat.text(summary) { out.line(line) }
            }
        case .stats, .rules:
            break
        }
        flush()
    }

    public func flush() {
        lines?.drain()
        out.flush()
    }

    /// `file:line  time  conn dir  ` (time as `--time` says): the start of a message's line.
    func lineStart(_ event: MessageEvent) -> String {
        var columns: [String] = [event.location.description]
        times.saw(event)
        if let time = times.text(event) { columns.append(time) }
        if let connection = event.connection { columns.append("#\(connection)") }
        if event.location.line != nil, let peer = event.peer { columns.append(TextFit.short(peer)) }
        if let direction = event.direction { columns.append(direction == .out ? "→" : "←") }
        return columns.joined(separator: "  ") + "  "
    }
}
