import Provenance
import Rules
import Trace
import Wire

/// Writes `lntrace check` output: findings as they are found, input diagnostics, and per
/// input a summary of what was checked.
///
/// - text: linter style, `file:frame: error: rule-id: reason`, the message below it, then
///   a summary per channel; diagnostics on standard error.
/// - jsonl: `{"kind": "finding", …}` and `{"kind": "diagnostic", …}` lines as they come,
///   then `{"kind": "channel", …}` per channel and one `{"kind": "summary", …}` per input.
/// - json: `{"schema_version": 1, "findings": […], "diagnostics": […], "inputs": […],
///   "summary": {…}}`.
public final class CheckWriter {
    public let format: OutputFormat
    let out: Output
    let err: Output
    private var json = JSONWriter()
    private var wroteFinding = false
    private var diagnostics: [Diagnostic] = []
    private var inputs: [(String, CheckSummary)] = []
    public private(set) var findingCount = 0
    public private(set) var counts: [Severity: Int] = [:]
    public private(set) var possibleCount = 0
    public private(set) var diagnosticCount = 0
    public private(set) var errorCount = 0
    static let keptDiagnostics = 10_000

    public init(format: OutputFormat, out: Output = .standardOutput, err: Output = .standardError) {
        self.format = format
        self.out = out
        self.err = err
        if format == .json { out.write("{\"schema_version\":1,\"findings\":[") }
    }

    public func write(_ finding: Finding) {
        findingCount += 1
        counts[finding.severity, default: 0] += 1
        if finding.certainty == .possible { possibleCount += 1 }
        switch format {
        case .text:
            for line in Self.text(finding) { out.line(line) }
        case .jsonl:
            json.reset()
            Self.writeJSON(finding, to: &json, kind: true)
            out.write(bytes: json.bytes)
            out.write("\n")
        case .json:
            json.reset()
            Self.writeJSON(finding, to: &json)
            if wroteFinding { out.write(",") }
            out.write(bytes: json.bytes)
            wroteFinding = true
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
            json.reset()
            DiagnosticFormat.writeJSON(diagnostic, to: &json, kind: true)
            out.write(bytes: json.bytes)
            out.write("\n")
        case .json:
            if diagnostics.count < Self.keptDiagnostics { diagnostics.append(diagnostic) }
        }
    }

    /// The end of one input: what was checked on it.
    public func write(input path: String, _ summary: CheckSummary) {
        switch format {
        case .text:
            for line in Self.text(input: path, summary) { out.line(line) }
        case .jsonl:
            for channel in summary.channels {
                json.reset()
                Self.writeJSON(channel, input: path, to: &json, kind: true)
                out.write(bytes: json.bytes)
                out.write("\n")
            }
            json.reset()
            Self.writeJSON(input: path, summary, to: &json, kind: true)
            out.write(bytes: json.bytes)
            out.write("\n")
        case .json:
            inputs.append((path, summary))
        }
    }

    public func flush() {
        err.flush()
        out.flush()
    }

    /// Ends the output: the JSON document's tail, or the text total.
    public func finish() {
        switch format {
        case .text:
            out.line(totalText)
        case .jsonl:
            break
        case .json:
            json.reset()
            json.beginArray()
            for diagnostic in diagnostics { DiagnosticFormat.writeJSON(diagnostic, to: &json) }
            json.endArray()
            out.write("],\"diagnostics\":")
            out.write(bytes: json.bytes)
            json.reset()
            json.beginArray()
            for (path, summary) in inputs { Self.writeJSON(input: path, summary, to: &json) }
            json.endArray()
            out.write(",\"inputs\":")
            out.write(bytes: json.bytes)
            out.write(",\"summary\":{\"findings\":\(findingCount),\"errors\":\(counts[.error] ?? 0),"
                + "\"warnings\":\(counts[.warning] ?? 0),\"possible\":\(possibleCount),\"diagnostics\":\(diagnosticCount)}}\n")
        }
        flush()
    }

    var totalText: String {
        if findingCount == 0 { return "No findings." }
        let errors = counts[.error] ?? 0, warnings = counts[.warning] ?? 0
        var parts: [String] = []
        if errors > 0 { parts.append("\(errors) error\(errors == 1 ? "" : "s")") }
        if warnings > 0 { parts.append("\(warnings) warning\(warnings == 1 ? "" : "s")") }
        let possible = possibleCount > 0 ? " (\(possibleCount) possible: the messages may have crossed; give --local to decide)" : ""
        return "\(findingCount) finding\(findingCount == 1 ? "" : "s"): \(parts.joined(separator: ", "))\(possible)."
    }

    // MARK: Text

    /// `file:frame: error: rule: reason`, then the message.
    static func text(_ finding: Finding) -> [String] {
        let message = finding.message
        let severity = finding.certainty == .possible ? "\(finding.severity.rawValue) (possible)" : finding.severity.rawValue
        var context: [String] = []
        if let connection = message.connection { context.append("#\(connection)") }
        if let direction = message.direction { context.append(direction == .out ? "→" : "←") }
        var where_: [String] = []
        if let index = message.index { where_.append("message \(index)") }
        if let time = message.time { where_.append(time.description) } else if let text = message.timeText { where_.append(text) }
        if let channel = finding.channel { where_.append("channel \(DumpWriter.short(channel))") }
        return [
            "\(message.location): \(severity): \(finding.rule.id): \(finding.reason)",
            "    " + (context + [MessageFormat.summary(message.content)]).joined(separator: " ")
                + (where_.isEmpty ? "" : "  (\(where_.joined(separator: ", ")))"),
            "    see \(finding.rule.section) (lntrace explain \(finding.rule.id))",
        ]
    }

    static func text(input path: String, _ summary: CheckSummary) -> [String] {
        var lines = ["", "\(path): \(summary.messages) message\(summary.messages == 1 ? "" : "s"), \(summary.channels.count) channel\(summary.channels.count == 1 ? "" : "s"), \(summary.rules) rules"]
        for channel in summary.channels {
            let evaluated = channel.coverage.evaluatedRules.count
            let notEvaluated = channel.coverage.notEvaluatedRules
            let parties = channel.parties.map { DumpWriter.short($0) }.joined(separator: " ↔ ")
            lines.append("  channel \(DumpWriter.short(channel.key))\(parties.isEmpty ? "" : " (\(parties))"), \(origin(channel.origin)): "
                + "\(channel.messages) messages, \(evaluated) rule\(evaluated == 1 ? "" : "s") evaluated, \(notEvaluated.count) not evaluated")
            for (rule, reason) in notEvaluated {
                lines.append("    not evaluated: \(rule): \(reason)")
            }
        }
        return lines
    }

    static func origin(_ origin: ChannelModel.Origin) -> String {
        switch origin {
        case .opened: "opened in the trace"
        case .reestablished: "reestablished in the trace"
        case .unknown: "state before the trace unknown"
        }
    }

    // MARK: JSON

    public static func writeJSON(_ finding: Finding, to json: inout JSONWriter, kind: Bool = false) {
        let message = finding.message
        json.beginObject()
        if kind { json.field("kind", "finding") }
        json.field("rule", finding.rule.id)
        json.field("severity", finding.severity.rawValue)
        json.field("certainty", finding.certainty.rawValue)
        json.field("title", finding.rule.title)
        json.field("section", finding.rule.section)
        json.field("reason", finding.reason)
        json.field("type", message.content.name)
        if let connection = message.connection { json.field("connection", connection) }
        if let channel = finding.channel { json.field("channel", channel) }
        if let direction = message.direction { json.field("direction", direction.rawValue) }
        if let index = message.index { json.field("index", index) }
        if let sender = message.sender { json.field("sender", sender) }
        if let receiver = message.receiver { json.field("receiver", receiver) }
        json.field("file", message.location.file)
        if let line = message.location.line { json.field("line", line) }
        if !message.location.frames.isEmpty {
            json.key("frames")
            json.beginArray()
            for frame in message.location.frames { json.number(frame) }
            json.endArray()
        }
        if let time = message.time { json.field("time", time.description) }
        if let text = message.timeText { json.field("time_text", text) }
        json.endObject()
    }

    static func writeJSON(_ channel: CheckSummary.Channel, input path: String?, to json: inout JSONWriter, kind: Bool = false) {
        json.beginObject()
        if kind { json.field("kind", "channel") }
        if let path { json.field("file", path) }
        json.field("channel", channel.key)
        if let label = channel.label { json.field("label", label) }
        json.key("parties")
        json.beginArray()
        for party in channel.parties { json.string(party) }
        json.endArray()
        json.field("origin", String(describing: channel.origin))
        json.field("messages", channel.messages)
        writeCoverage(channel.coverage, to: &json)
        json.endObject()
    }

    static func writeCoverage(_ coverage: Coverage, to json: inout JSONWriter) {
        json.key("rules_evaluated")
        json.beginArray()
        for rule in coverage.evaluatedRules { json.string(rule) }
        json.endArray()
        json.key("rules_not_evaluated")
        json.beginArray()
        for (rule, reason) in coverage.notEvaluatedRules {
            json.beginObject()
            json.field("rule", rule)
            json.field("reason", reason)
            json.endObject()
        }
        json.endArray()
    }

    static func writeJSON(input path: String, _ summary: CheckSummary, to json: inout JSONWriter, kind: Bool = false) {
        json.beginObject()
        if kind { json.field("kind", "summary") }
        json.field("file", path)
        json.field("messages", summary.messages)
        json.field("findings", summary.findings)
        json.field("rules", summary.rules)
        if !kind {
            json.key("channels")
            json.beginArray()
            for channel in summary.channels { writeJSON(channel, input: nil, to: &json) }
            json.endArray()
        } else {
            json.field("channels", summary.channels.count)
        }
        // Rules judged on messages without a channel (init, ping, pong, …), per connection.
        json.key("connections")
        json.beginArray()
        for (connection, coverage) in summary.connections {
            json.beginObject()
            if connection >= 0 { json.field("connection", connection) }
            writeCoverage(coverage, to: &json)
            json.endObject()
        }
        json.endArray()
        json.endObject()
    }
}

/// `lntrace rules` and `lntrace explain`.
public enum RuleFormat {
    public static func text(_ rules: [Rule]) -> [String] {
        let width = rules.map(\.info.id.count).max() ?? 0
        return rules.map { rule in
            let id = rule.info.id.padding(toLength: width, withPad: " ", startingAt: 0)
            let severity = rule.info.severity.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)
            return "\(id)  \(severity)  \(rule.info.title)  [\(rule.info.section)]"
        }
    }

    public static func writeJSON(_ rules: [Rule], to json: inout JSONWriter) {
        json.beginObject()
        json.field("schema_version", 1)
        json.key("rules")
        json.beginArray()
        for rule in rules { writeJSON(rule, to: &json) }
        json.endArray()
        json.endObject()
    }

    public static func writeJSON(_ rule: Rule, to json: inout JSONWriter, kind: Bool = false) {
        let info = rule.info
        json.beginObject()
        if kind { json.field("kind", "rule") }
        json.field("id", info.id)
        json.field("title", info.title)
        json.field("severity", info.severity.rawValue)
        json.field("section", info.section)
        json.field("spec", info.spec)
        json.field("explanation", info.explanation)
        json.field("example", info.example)
        json.field("vantage_dependent", info.vantageDependent)
        json.key("messages")
        json.beginArray()
        for trigger in rule.triggers.sorted() { json.string(trigger) }
        json.endArray()
        json.endObject()
    }

    /// `lntrace explain RULE`: what it checks, the spec text, an example.
    public static func explain(_ rule: Rule) -> [String] {
        let info = rule.info
        var lines = [
            "\(info.id): \(info.title)",
            "",
            "Severity:  \(info.severity.rawValue) (\(info.severity == .error ? "a MUST or MUST NOT, or forced by the protocol" : "a SHOULD, or an anomaly"))",
            "Section:   \(info.section)",
            "Checked on: \(rule.triggers.contains("*") ? "every message" : rule.triggers.sorted().joined(separator: ", "))",
            "",
            "Spec:",
        ]
        lines += wrap(info.spec, indent: "  ")
        lines += ["", "What lntrace checks:"]
        lines += wrap(info.explanation, indent: "  ")
        lines += ["", "Example of a violation:", "  \(info.example)"]
        if info.vantageDependent {
            lines += ["", "Vantage: messages crossing on the wire can explain this finding; it is certain only when the trace was recorded at the sender (a node log, or a capture with --local)."]
        }
        return lines
    }

    static func wrap(_ text: String, indent: String, width: Int = 92) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty && line.count + word.count + 1 > width - indent.count {
                lines.append(indent + line)
                line = ""
            }
            line += line.isEmpty ? String(word) : " " + word
        }
        if !line.isEmpty { lines.append(indent + line) }
        return lines
    }
}
