import Basics
import Capture
import Hazards
import Provenance
import Rules
import Trace
import Wire

/// How a report looks at a terminal.
public struct TextStyle: Sendable {
    public var color: Bool
    /// Only findings: no headers, coverage or summary.
    public var quiet: Bool
    /// Also the reasons rules were not evaluated, per channel.
    public var verbose: Bool
    /// Findings grouped per input, connection and channel at the end of each input; otherwise
    /// each is printed as it is found (a live stream).
    public var grouped: Bool
    /// The columns lines are fitted to: the terminal's, or 100 in a pipe (``defaultWidth``).
    public var width: Int
    /// How context lines show times (`--time`).
    public var time: TimeMode = .absolute

    /// 100 columns: what a report piped to a file or a CI log is fitted to.
    public static let defaultWidth = 100

    public init(color: Bool = false, quiet: Bool = false, verbose: Bool = false, grouped: Bool = true, width: Int = TextStyle.defaultWidth) {
        self.color = color
        self.quiet = quiet
        self.verbose = verbose
        self.grouped = grouped
        self.width = max(40, width)
    }

    func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
    func bold(_ text: String) -> String { paint(text, "1") }
    func dim(_ text: String) -> String { paint(text, "2") }
    func severity(_ finding: Finding) -> String {
        let word = finding.certainty == .possible ? "\(finding.severity.rawValue) (possible)" : finding.severity.rawValue
        return paint(word, finding.severity == .error ? "1;31" : "1;33")
    }
}

/// Writes `lntrace check` output.
///
/// - text: per input, findings grouped by connection and channel, each with its location
///   (`file:frame:` or `file:line:`), severity, rule, reason, the channel's preceding messages
///   with the offending one marked (`>`), and the spec section; then per-channel coverage and
///   a closing summary. Diagnostics go to standard error.
/// - jsonl: `finding` and `diagnostic` objects as they are found (and `message` objects with
///   `--messages`), an `input` object at the end of each input, and a `summary` object last.
/// - json: one document (`Documentation/schema/check.schema.json`): `schema_version`,
///   `tool`, `inputs` (connections, log streams, channels with rule coverage), `findings`,
///   `diagnostics`, `summary`.
public final class CheckWriter {
    public let format: OutputFormat
    public let style: TextStyle
    public let toolVersion: String
    /// Write every message too (JSON Lines `message` objects).
    public var messages = false
    /// Names of nodes (`--alias`), shown with their endpoints.
    public var aliases = Aliases()
    let out: Output
    let err: Output
    private var json = JSONWriter()
    private var wroteFinding = false
    /// Hazards (JSON: written with the document's tail; text: with the input's findings).
    private var hazards: [Hazard] = []
    private var pendingHazards: [Hazard] = []
    public private(set) var hazardCount = 0
    private var diagnostics: [Diagnostic] = []
    /// The current input's findings (text, grouped) and connection descriptions.
    private var pending: [Finding] = []
    private var connections: [ConnectionSummary] = []
    private var connectionIndex: [Int: Int] = [:]
    private var connectionTotal = 0
    private var problemConnections = 0
    static let keptConnections = 10_000
    private var logs: [LogSummary] = []
    private var inputs: [(path: String, summary: CheckSummary, connections: [ConnectionSummary], omitted: Int, logs: [LogSummary])] = []
    public private(set) var findingCount = 0
    public private(set) var counts: [Severity: Int] = [:]
    public private(set) var possibleCount = 0
    /// Findings that follow from an earlier one (``Finding/follows``).
    public private(set) var followOnCount = 0
    public private(set) var diagnosticCount = 0
    public private(set) var errorCount = 0
    private var totals = (connections: 0, channels: 0, messages: 0)
    /// Rules evaluated somewhere, and rules that somewhere could not be.
    private var evaluated = Set<String>()
    private var notEvaluated = Set<String>()
    static let keptDiagnostics = 10_000
    /// Findings kept for a grouped text report; beyond this they are printed as found.
    static let keptFindings = 10_000

    public init(format: OutputFormat, style: TextStyle = TextStyle(), toolVersion: String, out: Output = .standardOutput,
                err: Output = .standardError) {
        self.format = format
        self.style = style
        self.toolVersion = toolVersion
        self.out = out
        self.err = err
        if format == .json { out.beginDocument(toolVersion: toolVersion, command: "check", array: "findings") }
    }

    /// Everything the input produced besides findings.
    public func write(_ event: TraceEvent) {
        switch event {
        case let .message(message):
            times.saw(message)
            guard messages, format == .jsonl else { return }
            out.record(&json) { MessageFormat.writeJSON(message, to: &$0, kind: true) }
        case let .diagnostic(diagnostic): write(diagnostic)
        case let .connection(summary):
            // The first connections are kept for titles and the input's JSON; the rest are
            // counted (a capture of a million connections holds no million summaries).
            connectionTotal += 1
            if !summary.problems.isEmpty { problemConnections += 1 }
            if connections.count < Self.keptConnections {
                connectionIndex[summary.id] = connections.count
                connections.append(summary)
            }
        case let .streams(summary): logs.append(summary)
        case .note, .lost: break
        }
    }

    public func write(_ finding: Finding) {
        findingCount += 1
        counts[finding.severity, default: 0] += 1
        perRule[finding.rule.id, default: (0, 0, finding.severity)].count += 1
        if !finding.isRoot {
            followOnCount += 1
            perRule[finding.rule.id]?.followOns += 1
        }
        inputFindings += 1
        if finding.certainty == .possible { possibleCount += 1 }
        switch format {
        case .text:
            // A rule that fires again and again on one channel: its first findings, then a count.
            let key = "\(finding.rule.id)\t\(finding.channel ?? "")"
            if let limit = maxPerRule, shown[key, default: 0] >= limit {
                if suppressed[key] == nil {
                    // A "N more" line per rule and channel, for the first channels; the rest
                    // are counted in one line.
                    guard suppressedOrder.count < Self.keptFindings else {
                        suppressedElsewhere += 1
                        return
                    }
                    suppressedOrder.append(key)
                }
                suppressed[key, default: (0, finding)].count += 1
                return
            }
            shown[key, default: 0] += 1
            for dropped in shownRecency.use(key) { shown[dropped] = nil }
            if style.grouped && pending.count < Self.keptFindings {
                pending.append(finding)
            } else if let root = finding.follows, streamedRoots.contains(root) {
                for line in followOnLines(finding, indent: "    ", grouped: false) { out.line(line) }
            } else {
                for line in text(finding, where: true) { out.line(line) }
                if finding.isRoot { streamedRoots.insert(finding.id) }
            }
        case .jsonl:
            out.record(&json) { Self.writeJSON(finding, to: &$0, kind: true) }
        case .json:
            out.element(&json, after: &wroteFinding) { Self.writeJSON(finding, to: &$0) }
        }
    }

    public func write(_ hazard: Hazard) {
        hazardCount += 1
        switch format {
        case .text:
            if style.grouped && pendingHazards.count < Self.keptFindings {
                pendingHazards.append(hazard)
            } else {
                for line in text(hazard, indent: "") { out.line(line) }
            }
        case .jsonl:
            out.record(&json) { Self.writeJSON(hazard, to: &$0, kind: true) }
        case .json:
            if hazards.count < Self.keptFindings { hazards.append(hazard) }
        }
    }

    /// A log line a reported hazard explains.
    public func write(_ observation: Observation) {
        switch format {
        case .text:
            if style.grouped {
                observations[Self.key(observation.hazard), default: []].append(observation)
            } else {
                out.line("    " + Self.observedLine(observation))
            }
        case .jsonl:
            out.record(&json) { json in
                json.beginObject()
                json.field("kind", "observation")
                Self.writeObservation(observation, to: &json)
                json.endObject()
            }
        case .json:
            observations[Self.key(observation.hazard), default: []].append(observation)
        }
    }

    private var observations: [String: [Observation]] = [:]

    static func key(_ hazard: Hazard) -> String {
        "\(hazard.kind)|\(hazard.first.location)#\(hazard.first.index ?? -1)|\(hazard.second.location)#\(hazard.second.index ?? -1)"
    }

    static func observedLine(_ observation: Observation) -> String {
        "observed: \(observation.note.location): \(observation.note.kind): \(observation.note.text)"
            + (observation.confirmed ? " (the failure this hazard causes)" : " (after the hazard, on the same channel)")
    }

    static func writeObservation(_ observation: Observation, to json: inout JSONWriter) {
        json.field("hazard", observation.hazard.kind)
        json.key("second")
        json.beginObject()
        writePlace(observation.hazard.second, to: &json)
        json.endObject()
        json.field("confirmed", observation.confirmed)
        json.field("note_kind", observation.note.kind)
        json.field("text", observation.note.text)
        json.field("file", observation.note.location.file)
        if let line = observation.note.location.line { json.field("line", line) }
        if let time = observation.note.time { json.field("time", time.description) }
    }

    public func write(_ diagnostic: Diagnostic) {
        diagnosticCount += 1
        if diagnostic.severity == .error { errorCount += 1 }
        // Standard error gets the first diagnostics of each kind, then one line at the end.
        let shown = diagnosticsShown[diagnostic.code, default: 0]
        diagnosticsShown[diagnostic.code] = shown + 1
        if shown < Self.diagnosticsPerCode { err.line("lntrace: \(diagnostic)") }
        switch format {
        case .text:
            break
        case .jsonl:
            out.record(&json) { DiagnosticFormat.writeJSON(diagnostic, to: &$0, kind: true) }
        case .json:
            if diagnostics.count < Self.keptDiagnostics { diagnostics.append(diagnostic) }
        }
    }

    /// How many diagnostics of one code go to standard error (JSON keeps more).
    static let diagnosticsPerCode = 100
    private var diagnosticsShown: [String: Int] = [:]

    /// "lntrace: 19,900 more [tcp.gap] diagnostics not shown" for each code over the limit.
    func diagnosticsOmitted() {
        for (code, count) in diagnosticsShown.sorted(by: { $0.key < $1.key }) where count > Self.diagnosticsPerCode {
            err.line("lntrace: \(Self.grouping(count - Self.diagnosticsPerCode)) more [\(code)] diagnostics not shown (--format jsonl lists every one)")
        }
        diagnosticsShown = [:]
    }

    /// The current input could not be read completely, or yielded nothing: the error is
    /// reported now (before the input's findings and the summary) and the input's report says
    /// so instead of "no findings".
    public func inputFailed(_ diagnostic: Diagnostic) {
        failure = diagnostic
        write(diagnostic)
        err.flush()
    }

    private var failure: Diagnostic?

    /// The text report's findings per rule and channel (`nil`: every one, `--all`); the rest
    /// are counted in one line. JSON keeps every finding.
    public var maxPerRule: Int? = 3
    private var shown: [String: Int] = [:]
    /// The rule and channel pairs counted in ``shown``: those of the channels most recently
    /// reported (a trace of many channels must not hold a count for each).
    private var shownRecency = RecencyBound<String>(limit: 20_000)
    private var suppressedElsewhere = 0
    /// Findings of the current input (a live stream prints them as found, not at its end).
    private var inputFindings = 0
    private var suppressed: [String: (count: Int, first: Finding)] = [:]
    private var suppressedOrder: [String] = []
    /// Every finding per rule, for the summary.
    private var perRule: [String: (count: Int, followOns: Int, severity: Severity)] = [:]
    /// Roots printed as found (a live stream): their follow-ons go under them in one line.
    private var streamedRoots = Set<Int>()
    /// The time column of context lines.
    private lazy var times = TimeColumn(style.time)

    /// "commit-sig-valid: 7,115 more on channel 1758…, first at file:frame".
    func suppressedLines() -> [String] {
        let elsewhere = suppressedElsewhere == 0 ? [] : ["  \(Self.grouping(suppressedElsewhere)) more findings of further rules and channels"
            + style.dim(" (--all or --max-per-rule N to see them)")]
        return suppressedOrder.compactMap { key in
            guard let (count, first) = suppressed[key] else { return nil }
            let channel = first.channel.map { " on channel \(DumpWriter.short($0))" } ?? ""
            return wrapped("  " + style.bold(first.rule.id) + ": \(Self.grouping(count)) more\(channel), first at \(first.message.location)"
                + style.dim(" (--all or --max-per-rule N to see them)"), "    ").joined(separator: "\n")
        } + elsewhere
    }

    /// 7115 → "7,115".
    static func grouping(_ n: Int) -> String {
        let digits = Array(String(n))
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return out
    }

    /// The end of one input: its grouped findings and what was checked on it.
    public func endInput(_ path: String, _ summary: CheckSummary) {
        totals.messages += summary.messages
        for coverage in summary.channels.map(\.coverage) + summary.connections.map(\.1) + [summary.omittedChannels?.coverage].compactMap({ $0 }) {
            evaluated.formUnion(coverage.evaluatedRules)
            notEvaluated.formUnion(coverage.notEvaluatedRules.map(\.rule))
        }
        totals.channels += summary.channels.count + (summary.omittedChannels?.channels ?? 0)
        totals.connections += connectionTotal == 0 ? logs.reduce(0) { $0 + $1.connections } : connectionTotal
        switch format {
        case .text:
            if !style.quiet || !pending.isEmpty { for line in fitted(textInput(path, summary)) { out.line(line) } }
            let more = suppressedLines()
            if !more.isEmpty {
                out.line("")
                for line in more { out.line(line) }
            }
            if !pendingHazards.isEmpty {
                out.line("")
                if !style.quiet { out.line("  " + style.bold("hazards") + " (\(pendingHazards[0].profile) dispatch)") }
                for hazard in pendingHazards {
                    out.line("")
                    for line in text(hazard, indent: "    ") { out.line(line) }
                }
            }
        case .jsonl:
            let omitted = connectionTotal - connections.count
            out.record(&json) { Self.writeJSON(input: path, summary, connections: connections, omitted: omitted, logs: logs, to: &$0, kind: true) }
        case .json:
            inputs.append((path, summary, connections, connectionTotal - connections.count, logs))
        }
        pending = []
        pendingHazards = []
        times.reset()
        connections = []
        connectionIndex = [:]
        connectionTotal = 0
        problemConnections = 0
        logs = []
        failure = nil
        shown = [:]
        inputFindings = 0
        suppressed = [:]
        suppressedOrder = []
        suppressedElsewhere = 0
        flush()
    }

    public func flush() {
        err.flush()
        out.flush()
    }

    /// The closing summary (text), the summary object (JSON Lines), or the document's tail.
    public func finish(rules: Int) {
        diagnosticsOmitted()
        switch format {
        case .text:
            if !style.quiet { for line in fitted(summaryText(rules: rules)) { out.line(line) } }
        case .jsonl:
            out.record(&json) { writeSummary(rules: rules, kind: true, to: &$0) }
        case .json:
            out.write("],\"hazards\":")
            out.write(&json) { json in
                json.beginArray()
                for hazard in hazards { Self.writeJSON(hazard, observed: observations[Self.key(hazard)] ?? [], to: &json) }
                json.endArray()
            }
            out.write(",\"diagnostics\":")
            out.write(&json) { json in
                json.beginArray()
                for diagnostic in diagnostics { DiagnosticFormat.writeJSON(diagnostic, to: &json) }
                json.endArray()
            }
            out.write(",\"inputs\":")
            out.write(&json) { json in
                json.beginArray()
                for input in inputs {
                    Self.writeJSON(input: input.path, input.summary, connections: input.connections, omitted: input.omitted, logs: input.logs, to: &json)
                }
                json.endArray()
            }
            out.write(",\"summary\":")
            out.write(&json) { writeSummary(rules: rules, kind: false, to: &$0) }
            out.write("}\n")
        }
        flush()
    }

    // MARK: Text

    /// One hazard: where, which message could overtake which, the outcome, the known failure.
    func text(_ hazard: Hazard, indent: String) -> [String] {
        let first = hazard.first, second = hazard.second
        var apart = "\(hazard.distance) \(hazard.distanceUnit)\(hazard.distance == 1 ? "" : "s")"
        if let seconds = hazard.seconds { apart += ", \(Self.duration(seconds))" }
        var lines = wrapped(indent + "\(second.location): \(style.paint("hazard", "1;35")): \(style.bold(hazard.kind)): \(second.content.name) could be processed before "
            + "\(first.content.name) (\(hazard.secondQueue) and \(hazard.firstQueue) queues, \(apart) apart)", indent + "    ")
        times.previous = nil
        lines.append(cut(indent + "      " + style.dim(contextLine(first))))
        lines.append(cut(indent + "    " + style.bold(">") + " " + contextLine(second)))
        for finding in hazard.outcome {
            let place = finding.message.index.map { "message \($0)" } ?? finding.message.location.description
            lines += wrapped(indent + "      outcome: \(finding.rule.id) at \(finding.message.content.name) (\(place)): \(finding.reason)", indent + "        ")
        }
        if let known = hazard.known {
            lines += wrapped(indent + "      consequence: \(known.consequence)", indent + "        ")
            lines += wrapped(indent + "      " + style.dim("\(known.issues.joined(separator: ", ")) (lntrace explain \(known.id))"), indent + "        ")
        }
        for observation in observations[Self.key(hazard)] ?? [] {
            lines += wrapped(indent + "      " + style.paint(Self.observedLine(observation), observation.confirmed ? "1;35" : "0"), indent + "        ")
        }
        return lines
    }

    /// Lines not fitted yet (titles, coverage, the summary) broken to the width, each
    /// continuing 4 columns further in than it starts.
    func fitted(_ lines: [String]) -> [String] {
        lines.flatMap { line in
            TextFit.visibleWidth(line) <= style.width ? [line] : wrapped(line, String(line.prefix { $0 == " " }) + "    ")
        }
    }

    /// A line broken at spaces to the width, continuing at `continuation`.
    func wrapped(_ line: String, _ continuation: String) -> [String] {
        TextFit.wrap(line, width: style.width, indent: continuation)
    }

    /// A line cut to the width (a context line: its fields are in `dump` and JSON).
    func cut(_ line: String) -> String { TextFit.truncate(line, width: style.width) }

    static func duration(_ seconds: Double) -> String {
        seconds < 1 ? String(format1: seconds * 1000) + " ms" : String(format1: seconds) + " s"
    }

    /// One finding: `file:frame: severity: rule: reason`, the context, the spec section,
    /// each line starting with `indent` and fitted to the width.
    func text(_ finding: Finding, where ungrouped: Bool, indent: String = "") -> [String] {
        let message = finding.message
        // Grouped under its input's path, a finding names only its line or frame.
        let place = ungrouped ? message.location.description : message.location.place
        var head = "\(place): \(style.severity(finding)): \(style.bold(finding.rule.id)): \(finding.reason)"
        head += style.dim(finding.follows.map { " [#\(finding.id), follows #\($0)]" } ?? " [#\(finding.id)]")
        if ungrouped {
            var scope: [String] = []
            if let connection = message.connection { scope.append("connection #\(connection)") }
            if let channel = finding.channel { scope.append("channel \(DumpWriter.short(channel))") }
            if !scope.isEmpty { head += style.dim(" [\(scope.joined(separator: ", "))]") }
        }
        var lines = wrapped(indent + head, indent + "    ")
        times.previous = nil
        // The messages the rule refers to, then a gap, then the channel's last messages.
        for message in finding.referenced {
            lines.append(cut(indent + "      " + style.dim(contextLine(message))))
            lines.append(indent + "      " + style.dim("⋮"))
            times.previous = nil
        }
        for earlier in finding.context { lines.append(cut(indent + "      " + style.dim(contextLine(earlier)))) }
        lines.append(cut(indent + "    " + style.bold(">") + " " + contextLine(message)))
        if style.verbose, let evidence = finding.evidence {
            // Evidence is data to compare: whole, never cut or broken.
            for (name, value) in evidence.items {
                switch value {
                case let .hex(bytes): lines.append(indent + "      \(name): \(Hex.encode(bytes))")
                case let .number(n): lines.append(indent + "      \(name): \(n)")
                case let .text(text): lines.append(indent + "      \(name): \(text)")
                case let .list(items): for item in items { lines.append(indent + "      \(name): \(item)") }
                }
            }
        }
        lines += wrapped(indent + "      " + style.dim("\(finding.rule.section) (lntrace explain \(finding.rule.id))"), indent + "        ")
        return lines
    }

    /// A follow-on under its root: `↳ frame 54: error: rule: reason [#7]`.
    func followOnLines(_ finding: Finding, indent: String, grouped: Bool) -> [String] {
        let place = grouped ? finding.message.location.place : finding.message.location.description
        return wrapped(indent + "↳ \(place): \(style.severity(finding)): \(style.bold(finding.rule.id)): \(finding.reason)" + style.dim(" [#\(finding.id)]"),
                       indent + "  ")
    }

    /// `message 21  2024-…  ← update_fulfill_htlc id=1 …` (time as `--time` says).
    func contextLine(_ event: MessageEvent) -> String {
        var columns: [String] = []
        if let index = event.index { columns.append("message \(index)") } else { columns.append(event.location.place) }
        if let time = times.text(event) { columns.append(time) }
        var text = columns.joined(separator: "  ") + "  "
        if let direction = event.direction { text += direction == .out ? "→ " : "← " }
        // The channel is the group's: its id would repeat on every line.
        text += MessageFormat.summary(event.content, omitting: ["channel_id"])
        return text
    }

    func textInput(_ path: String, _ summary: CheckSummary) -> [String] {
        var lines: [String] = []
        if !style.quiet { lines += ["", style.bold(path) + inputKind()] }
        // Findings by connection, then channel, in order of first finding.
        var order: [String] = []
        var groups: [String: [Finding]] = [:]
        for finding in pending {
            let key = "\(finding.message.connection ?? -1)\t\(finding.channel ?? "")"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(finding)
        }
        var lastConnection: Int?? = .none
        // Follow-ons by root, for roots in this report.
        var followOns: [Int: [Finding]] = [:]
        let ids = Set(pending.map(\.id))
        for finding in pending { if let root = finding.follows, ids.contains(root) { followOns[root, default: []].append(finding) } }
        var printed = Set<Int>()
        // Channels by key, once (a trace of many channels has many groups).
        var channelsByKey: [String: CheckSummary.Channel] = [:]
        for channel in summary.channels where channelsByKey[channel.key] == nil { channelsByKey[channel.key] = channel }
        for key in order {
            guard let group = groups[key], let first = group.first else { continue }
            if !style.quiet {
                if lastConnection != .some(first.message.connection) {
                    lines.append("  " + connectionTitle(first.message.connection))
                    lastConnection = .some(first.message.connection)
                }
                if let channel = first.channel { lines.append("    " + channelTitle(channel, channelsByKey[channel])) }
            }
            let indent = style.quiet ? "" : "    "
            for finding in group {
                // A follow-on whose root is printed goes under it, in one line.
                if let root = finding.follows, printed.contains(root) { continue }
                lines.append("")
                lines += text(finding, where: style.quiet, indent: indent)
                printed.insert(finding.id)
                for follow in followOns[finding.id] ?? [] {
                    lines += followOnLines(follow, indent: indent + "    ", grouped: !style.quiet)
                    printed.insert(follow.id)
                }
            }
        }
        if style.quiet { return lines }
        // Connections the trace holds only in part: their problem belongs in the report.
        // (The first 20; a capture of many undecryptable connections gets one line for the rest.)
        for connection in connections.lazy.filter({ !$0.problems.isEmpty }).prefix(20) {
            lines.append("  " + connectionTitle(connection.id) + ": " + style.paint(connection.decryption.rawValue, "1;33"))
            for problem in connection.problems.prefix(5) { lines.append("    " + problem) }
            if connection.problems.count > 5 { lines.append("    … \(connection.problems.count - 5) more") }
        }
        if problemConnections > 20 { lines.append("  … \(Self.grouping(problemConnections - 20)) more connections held only in part (JSON lists them)") }
        if let failure {
            lines.append("  " + style.paint("not read completely", "1;31") + ": \(failure.message)")
            if inputFindings == 0 && summary.messages > 0 { lines.append("  no findings in the \(summary.messages) messages read") }
            if summary.messages == 0 { return lines }
        } else if inputFindings == 0 {
            lines.append("  no findings")
        }
        lines.append("")
        let channelCount = summary.channels.count + (summary.omittedChannels?.channels ?? 0)
        lines.append("  checked: \(summary.messages) message\(summary.messages == 1 ? "" : "s"), \(Self.grouping(channelCount)) channel\(channelCount == 1 ? "" : "s")")
        func coverageLine(_ title: String, _ coverage: Coverage) {
            let notEvaluated = coverage.notEvaluatedRules
            lines.append("    \(title): \(coverage.evaluatedRules.count) rules evaluated, "
                + "\(notEvaluated.count) not evaluated\(notEvaluated.isEmpty || style.verbose ? "" : " (-v: why)")")
            if style.verbose {
                for (rule, reason) in notEvaluated { lines.append(style.dim("      \(rule): \(reason)")) }
            }
        }
        for channel in summary.channels { coverageLine("channel \(DumpWriter.short(channel.key))", channel.coverage) }
        if let omitted = summary.omittedChannels {
            coverageLine("\(Self.grouping(omitted.channels)) more channels, together", omitted.coverage)
        }
        return lines
    }

    /// What the input was found to be: `  lnd log (journald)`, `  capture, 2 Lightning connections`.
    func inputKind() -> String {
        if let log = logs.first, !log.sources.isEmpty { return "  " + style.dim(log.description) }
        if connectionTotal > 0 { return "  " + style.dim("capture, \(Self.grouping(connectionTotal)) Lightning connection\(connectionTotal == 1 ? "" : "s")") }
        return ""
    }

    func connectionTitle(_ id: Int?) -> String {
        guard let id else { return style.bold("no connection") }
        if let c = connectionIndex[id].map({ connections[$0] }) {
            let shared = c.initiator.address == c.responder.address
            func named(_ endpoint: Endpoint) -> String { aliases.name(for: endpoint, shared: shared).map { "\($0) (\(endpoint))" } ?? endpoint.description }
            return style.bold("connection #\(id)") + "  \(named(c.initiator)) → \(named(c.responder)), frames \(c.firstFrame)–\(c.lastFrame)"
        }
        if let peer = logs.lazy.flatMap(\.streams).first(where: { $0.id == id })?.peer {
            return style.bold("connection #\(id)") + "  peer " + (aliases.name(forNode: peer).map { "\($0) (\(DumpWriter.short(peer)))" } ?? peer)
        }
        return style.bold("connection #\(id)")
    }

    func channelTitle(_ key: String, _ channel: CheckSummary.Channel?) -> String {
        guard let channel else { return style.bold("channel \(key)") }
        let parties = channel.parties.map { DumpWriter.short($0) }.joined(separator: " ↔ ")
        return style.bold("channel \(DumpWriter.short(key))") + (parties.isEmpty ? "" : "  \(parties)") + ", \(Self.origin(channel.origin))"
    }

    func summaryText(rules: Int) -> [String] {
        let errors = counts[.error] ?? 0, warnings = counts[.warning] ?? 0
        var lines = ["", style.bold("Summary")]
        lines.append("  inputs: \(inputsRead), connections: \(totals.connections), channels: \(totals.channels), messages: \(totals.messages)")
        var found = "  findings: \(style.paint("\(errors) error\(errors == 1 ? "" : "s")", errors > 0 ? "1;31" : "0")), "
            + "\(style.paint("\(warnings) warning\(warnings == 1 ? "" : "s")", warnings > 0 ? "1;33" : "0"))"
        if findingCount > 0 {
            let roots = findingCount - followOnCount
            found += ": \(style.bold(Self.grouping(roots))) root cause\(roots == 1 ? "" : "s"), \(Self.grouping(followOnCount)) follow-on\(followOnCount == 1 ? "" : "s")"
        }
        if possibleCount > 0 { found += " (\(possibleCount) possible: messages that may have crossed; --local decides)" }
        lines.append(found)
        if !perRule.isEmpty {
            // Rules by root causes, then by follow-ons.
            let rows = perRule.sorted {
                let a = ($0.value.count - $0.value.followOns, $0.value.followOns), b = ($1.value.count - $1.value.followOns, $1.value.followOns)
                return a != b ? a > b : $0.key < $1.key
            }
            let width = max(4, rows.map(\.key.count).max() ?? 0)
            let rootsWidth = max(5, rows.map { Self.grouping($0.value.count - $0.value.followOns).count }.max() ?? 0)
            let pad = { (text: String, width: Int) in String(repeating: " ", count: max(0, width - text.count)) + text }
            lines.append("    " + style.dim("rule".padding(toLength: width, withPad: " ", startingAt: 0) + "  " + pad("roots", rootsWidth) + "  follow-ons  severity"))
            for (rule, entry) in rows.prefix(20) {
                lines.append("    " + rule.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                    + pad(Self.grouping(entry.count - entry.followOns), rootsWidth) + "  " + pad(Self.grouping(entry.followOns), 10)
                    + "  " + entry.severity.rawValue)
            }
            if rows.count > 20 { lines.append("    … \(rows.count - 20) more rules (JSON lists every finding)") }
        }
        if hazardCount > 0 { lines.append("  hazards: \(style.paint("\(hazardCount)", "1;35")) places where the profiled dispatch could process messages out of order") }
        let never = notEvaluated.subtracting(evaluated).count
        lines.append("  rules: \(rules) selected, \(evaluated.count) evaluated, \(never) could not be evaluated\(never > 0 && !style.verbose ? " (-v: why)" : ""), "
            + "\(max(0, rules - evaluated.count - never)) did not apply")
        lines.append("  diagnostics: \(diagnosticCount == 0 ? "none" : "\(diagnosticCount) (\(errorCount) error\(errorCount == 1 ? "" : "s")) on standard error")")
        return lines
    }

    private var inputsRead = 0

    /// Counts an input (called when it starts).
    public func beginInput() { inputsRead += 1 }

    static func origin(_ origin: ChannelModel.Origin) -> String {
        switch origin {
        case .opened: "opened in the trace"
        case .reestablished: "reestablished in the trace"
        case .unknown: "state before the trace unknown"
        }
    }

    // MARK: JSON

    private func writeSummary(rules: Int, kind: Bool, to json: inout JSONWriter) {
        json.beginObject()
        if kind { json.field("kind", "summary") }
        json.field("inputs", inputsRead)
        json.field("connections", totals.connections)
        json.field("channels", totals.channels)
        json.field("messages", totals.messages)
        json.field("rules", rules)
        json.field("rules_evaluated", evaluated.count)
        json.field("rules_not_evaluated", notEvaluated.subtracting(evaluated).count)
        json.field("findings", findingCount)
        json.field("roots", findingCount - followOnCount)
        json.field("follow_ons", followOnCount)
        json.field("errors", counts[.error] ?? 0)
        json.field("warnings", counts[.warning] ?? 0)
        json.field("possible", possibleCount)
        json.field("hazards", hazardCount)
        json.field("diagnostics", diagnosticCount)
        json.field("diagnostic_errors", errorCount)
        json.endObject()
    }

    public static func writeJSON(_ finding: Finding, to json: inout JSONWriter, kind: Bool = false) {
        json.beginObject()
        if kind { json.field("kind", "finding") }
        json.field("id", finding.id)
        if let follows = finding.follows { json.field("follows", follows) }
        json.field("rule", finding.rule.id)
        json.field("severity", finding.severity.rawValue)
        json.field("certainty", finding.certainty.rawValue)
        json.field("title", finding.rule.title)
        json.field("section", finding.rule.section)
        json.field("reason", finding.reason)
        if let channel = finding.channel { json.field("channel", channel) }
        if let temporary = finding.temporaryChannel { json.field("temporary_channel_id", temporary) }
        writePlace(finding.message, to: &json)
        // The offending message's decoded fields, as `dump` writes them.
        json.key("fields")
        MessageFormat.writeFields(finding.message.content.fields, to: &json)
        json.key("tlvs")
        MessageFormat.writeFields(finding.message.content.tlvFields, to: &json)
        if let comparison = finding.comparison {
            json.field("compared", comparison.field)
            json.field("actual", comparison.actual)
            if let expected = comparison.expected { json.field("expected", expected) }
            if let minimum = comparison.minimum { json.field("expected_min", minimum) }
            if let maximum = comparison.maximum { json.field("expected_max", maximum) }
        }
        if let evidence = finding.evidence {
            json.key("evidence")
            json.beginObject()
            for (name, value) in evidence.items {
                json.key(name)
                switch value {
                case let .hex(bytes): json.hex(bytes)
                case let .number(n): json.number(n)
                case let .text(text): json.string(text)
                case let .list(items):
                    json.beginArray()
                    for item in items { json.string(item) }
                    json.endArray()
                }
            }
            json.endObject()
        }
        writePlaces("context", finding.context, to: &json)
        if !finding.referenced.isEmpty { writePlaces("referenced", finding.referenced, to: &json) }
        json.endObject()
    }

    /// `key`: an array of messages, each as its type and place.
    static func writePlaces(_ key: String, _ messages: [MessageEvent], to json: inout JSONWriter) {
        json.key(key)
        json.beginArray()
        for message in messages {
            json.beginObject()
            writePlace(message, to: &json)
            json.endObject()
        }
        json.endArray()
    }

    /// A message's type and where it is: connection, direction, index, node labels, file,
    /// line or frames, time.
    static func writePlace(_ message: MessageEvent, to json: inout JSONWriter) {
        json.field("type", message.content.name)
        if let connection = message.connection { json.field("connection", connection) }
        if let direction = message.direction { json.field("direction", direction.rawValue) }
        if let index = message.index { json.field("index", index) }
        if let sender = message.sender { json.field("sender", sender) }
        if let receiver = message.receiver { json.field("receiver", receiver) }
        json.fields(of: message.location)
        if let time = message.time { json.field("time", time.description) }
        if let text = message.timeText { json.field("time_text", text) }
        if let source = message.timeSource { json.field("time_source", source.rawValue) }
    }

    public static func writeJSON(_ hazard: Hazard, observed seen: [Observation] = [], to json: inout JSONWriter, kind: Bool = false) {
        json.beginObject()
        if kind { json.field("kind", "hazard") }
        json.field("hazard", hazard.kind)
        json.field("profile", hazard.profile)
        if let node = hazard.node { json.field("node", node) }
        if let channel = hazard.channel { json.field("channel", channel) }
        json.key("first")
        json.beginObject()
        writePlace(hazard.first, to: &json)
        json.field("queue", hazard.firstQueue)
        json.endObject()
        json.key("second")
        json.beginObject()
        writePlace(hazard.second, to: &json)
        json.field("queue", hazard.secondQueue)
        json.endObject()
        json.field("distance", hazard.distance)
        json.field("distance_unit", hazard.distanceUnit)
        if let seconds = hazard.seconds { json.key("seconds"); json.number(seconds) }
        json.key("outcome")
        json.beginArray()
        for finding in hazard.outcome {
            json.beginObject()
            json.field("rule", finding.rule.id)
            json.field("reason", finding.reason)
            writePlace(finding.message, to: &json)
            json.endObject()
        }
        json.endArray()
        if !seen.isEmpty {
            json.key("observed")
            json.beginArray()
            for observation in seen {
                json.beginObject()
                writeObservation(observation, to: &json)
                json.endObject()
            }
            json.endArray()
        }
        if let known = hazard.known {
            json.field("consequence", known.consequence)
            json.field("issues", known.issues)
        }
        json.endObject()
    }

    static func writeJSON(_ channel: CheckSummary.Channel, to json: inout JSONWriter) {
        json.beginObject()
        json.field("channel", channel.key)
        if let label = channel.label { json.field("label", label) }
        json.field("parties", channel.parties)
        json.field("origin", String(describing: channel.origin))
        json.field("messages", channel.messages)
        writeCoverage(channel.coverage, to: &json)
        json.endObject()
    }

    static func writeCoverage(_ coverage: Coverage, to json: inout JSONWriter) {
        json.field("rules_evaluated", coverage.evaluatedRules)
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

    static func writeJSON(
        input path: String, _ summary: CheckSummary, connections: [ConnectionSummary], omitted: Int = 0, logs: [LogSummary],
        to json: inout JSONWriter, kind: Bool = false
    ) {
        json.beginObject()
        if kind { json.field("kind", "input") }
        json.field("file", path)
        json.field("messages", summary.messages)
        json.field("findings", summary.findings)
        json.field("rules", summary.rules)
        json.key("connections")
        json.beginArray()
        for connection in connections.sorted(by: { $0.id < $1.id }) { ConnectionFormat.writeJSON(connection, to: &json) }
        json.endArray()
        if omitted > 0 { json.field("connections_omitted", omitted) }
        json.key("logs")
        json.beginArray()
        for log in logs { StreamFormat.writeJSON(log, to: &json) }
        json.endArray()
        json.key("channels")
        json.beginArray()
        for channel in summary.channels { writeJSON(channel, to: &json) }
        json.endArray()
        if let omitted = summary.omittedChannels {
            json.field("channels_omitted", omitted.channels)
            json.key("omitted_channels")
            json.beginObject()
            json.field("messages", omitted.messages)
            writeCoverage(omitted.coverage, to: &json)
            json.endObject()
        }
        // Rules judged on messages without a channel (init, ping, pong, …), per connection.
        json.key("connection_rules")
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

    public static func writeJSON(_ rules: [Rule], toolVersion: String, to json: inout JSONWriter) {
        json.beginDocument(toolVersion: toolVersion)
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
        json.field("messages", rule.triggerNames)
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
            "Checked on: \(rule.triggersOnEveryMessage ? "every message" : rule.triggerNames.joined(separator: ", "))",
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
