import Basics
import Hazards
import Provenance
import Rules
import Trace

/// JSON Lines: every record on a line of its own, `kind` first, as soon as it is known, so
/// that `tail -F node.log | lntrace check --format jsonl -` reports while the node runs.
public final class JSONLinesReporter: Reporter {
    let command: ReportCommand
    let options: ReportOptions
    let out: Output
    private var json = JSONWriter()
    /// Message records formatted on `options.pool`, in order.
    private let messages: BatchedLines<MessageEvent>?

    public init(_ command: ReportCommand, options: ReportOptions, out: Output = .standardOutput) {
        self.command = command
        self.options = options
        self.out = out
        let raw = options.raw
        messages = options.pool.map { pool in
            BatchedLines(pool: pool, out: out) { messages in
                var json = JSONWriter(capacity: 256 * messages.count)
                for message in messages {
                    MessageRecord(message, raw: raw).writeJSON(into: &json, kind: true)
                    json.lineBreak()
                }
                return json.bytes
            }
        }
    }

    public var allowsProgress: Bool { false }

    /// One line: the record, `kind` first.
    private func line(_ record: some JSONRecord) {
        messages?.drain()
        record.writeJSON(into: &json, kind: true)
        json.drain { out.write(bytes: $0) }
        out.write("\n")
    }

    public func write(_ message: MessageEvent) {
        guard command == .dump || options.messages else { return }
        if let messages { return messages.append(message) }
        line(MessageRecord(message, raw: options.raw))
    }

    public func write(_ diagnostic: Diagnostic) { line(diagnostic) }
    public func write(_ connection: ConnectionSummary) { line(connection) }
    public func write(_ streams: LogSummary) { line(streams) }
    public func write(_ finding: Finding) { line(finding) }
    public func write(_ hazard: Hazard) { line(HazardRecord(hazard)) }
    public func write(_ observation: Observation) { line(observation) }
    public func endInput(_ input: InputReport) { line(input) }

    /// One `connection` record per connection of the input.
    public func write(_ stats: StatsCollector, input path: String) {
        for connection in stats.connections {
            line(StatsRecord(file: path, connection: connection))
        }
    }

    public func write(_ rules: [Rule]) {
        for rule in rules { line(rule) }
    }

    public func write(_ entries: [CatalogEntry]) {
        for entry in entries { line(entry) }
    }

    /// `check` ends with its `summary` record.
    public func finish(_ end: ReportEnd) {
        if case let .check(totals) = end { line(totals) }
        flush()
    }

    public func flush() {
        messages?.drain()
        out.flush()
    }
}
