import Basics
import Hazards
import Provenance
import Rules
import Trace

/// One JSON document: `schema_version`, `tool`, `command`, then the command's main records
/// as an array streamed as they come (`check`: `findings`, `dump`: `messages`, `stats`:
/// `connections`), then the members only known at the end. `check`'s document is described by
/// `Documentation/schema/check.schema.json`.
///
/// The document is framed by one ``JSONWriter`` from its first byte to its last, drained to
/// the output after each record: a million findings are never held at once.
public final class JSONDocumentReporter: Reporter {
    let command: ReportCommand
    let options: ReportOptions
    let out: Output
    private var json = JSONWriter()
    /// What the document lists after its main array (bounded; the counts are exact).
    private var diagnostics: [Diagnostic] = []
    private var hazards: [Hazard] = []
    private var observations: [String: [Observation]] = [:]
    private var inputs: [InputReport] = []

    public init(_ command: ReportCommand, options: ReportOptions, out: Output = .standardOutput) {
        self.command = command
        self.options = options
        self.out = out
        json.beginObject()
        json.field("schema_version", 1)
        json.key("tool")
        json.beginObject()
        json.field("name", "lntrace")
        json.field("version", options.toolVersion)
        json.endObject()
        if command.namedInDocument { json.field("command", command.rawValue) }
        json.key(command.listMember)
        json.beginArray()
        drain()
    }

    public var allowsProgress: Bool { false }

    private func drain() {
        json.drain { out.write(bytes: $0) }
    }

    /// One element of the main array.
    private func element(_ record: some JSONRecord) {
        record.writeJSON(into: &json)
        drain()
    }

    public func write(_ message: MessageEvent) {
        guard command == .dump else { return }
        element(MessageRecord(message, raw: options.raw))
    }

    public func write(_ diagnostic: Diagnostic) {
        if diagnostics.count < CheckWriter.keptDiagnostics { diagnostics.append(diagnostic) }
    }

    /// Listed at the end, from ``DumpTotals``.
    public func write(_ connection: ConnectionSummary) {}
    public func write(_ streams: LogSummary) {}

    public func write(_ finding: Finding) { element(finding) }

    public func write(_ hazard: Hazard) {
        if hazards.count < CheckWriter.keptFindings { hazards.append(hazard) }
    }

    public func write(_ observation: Observation) {
        observations[HazardRecord.key(observation.hazard), default: []].append(observation)
    }

    public func endInput(_ input: InputReport) { inputs.append(input) }

    public func write(_ stats: StatsCollector, input path: String) {
        for connection in stats.connections {
            element(StatsRecord(file: path, connection: connection))
        }
    }

    public func write(_ rules: [Rule]) {
        for rule in rules { element(rule) }
    }

    /// In the same array as the rules, told apart by `status`.
    public func write(_ entries: [CatalogEntry]) {
        for entry in entries { element(entry) }
    }

    /// Closes the main array, writes the members known only now, and closes the document.
    public func finish(_ end: ReportEnd) {
        json.endArray()
        switch end {
        case let .check(totals):
            json.key("hazards")
            json.beginArray()
            for hazard in hazards { HazardRecord(hazard, observed: observations[HazardRecord.key(hazard)] ?? []).writeJSON(into: &json) }
            json.endArray()
            writeDiagnostics()
            json.key("inputs")
            json.beginArray()
            for input in inputs { input.writeJSON(into: &json) }
            json.endArray()
            json.key("summary")
            totals.writeJSON(into: &json)
        case let .dump(totals):
            writeDiagnostics()
            json.key("connections")
            json.beginArray()
            for connection in totals.connections.sorted(by: { $0.id < $1.id }) { connection.writeJSON(into: &json) }
            json.endArray()
            if totals.connectionsOmitted > 0 { json.field("connections_omitted", totals.connectionsOmitted) }
            json.key("logs")
            json.beginArray()
            for log in totals.logs { log.writeJSON(into: &json) }
            json.endArray()
            json.field("diagnostic_count", totals.diagnostics)
            json.field("message_count", totals.messages)
        case .stats, .rules:
            break
        }
        json.endObject()
        drain()
        out.write("\n")
        flush()
    }

    private func writeDiagnostics() {
        json.key("diagnostics")
        json.beginArray()
        for diagnostic in diagnostics { diagnostic.writeJSON(into: &json) }
        json.endArray()
    }

    public func flush() { out.flush() }
}
