import Basics
import Capture
import Hazards
import Provenance
import Rules
import Trace
import Wire

/// `lntrace check` as text: per input, findings grouped by connection and channel, each with
/// its location (`file:frame:` or `file:line:`), severity, rule, reason, the channel's
/// preceding messages with the offending one marked (`>`), and the spec section; then
/// per-channel coverage, and a closing summary. Read from a stream (`style.grouped` off),
/// findings are printed as they are found. The text part of ``TextReporter``.
final class CheckText {
    let style: TextStyle
    let out: Output
    /// Names of nodes (`--alias`), shown with their endpoints.
    let aliases: Aliases
    /// The findings per rule and channel printed (`nil`: every one); the rest are counted.
    let maxPerRule: Int?
    /// What `lntrace diagram` needs besides the channel and file (``ReportOptions/diagramArguments``).
    let diagramArguments: [String]?
    /// The time column of context lines.
    private var times: TimeColumn

    /// The current input's findings and hazards, printed grouped at its end.
    private var pending: [Finding] = []
    private var pendingHazards: [Hazard] = []
    /// Log lines reported hazards explain, by hazard (``HazardRecord/key(_:)``).
    private var observations: [String: [Observation]] = [:]
    /// Findings printed per rule and channel, for the channels most recently reported (a
    /// trace of many channels must not hold a count for each).
    private var shown: [String: Int] = [:]
    private var shownRecency = RecencyBound<String>(limit: 20_000)
    /// Findings past ``maxPerRule``: a count and the first, per rule and channel, for the
    /// first channels; the rest are counted in one line.
    private var suppressed: [String: (count: Int, first: Finding)] = [:]
    private var suppressedOrder: [String] = []
    private var suppressedElsewhere = 0
    /// Roots printed as found (a live stream): their follow-ons go under them in one line.
    private var streamedRoots = Set<Int>()
    /// The connections of the input whose titles are being printed, by id.
    private var connectionIndex: [Int: Int] = [:]

    /// Findings kept for a grouped report; beyond this they are printed as found.
    static let keptFindings = CheckWriter.keptFindings

    init(options: ReportOptions, out: Output) {
        style = options.style
        aliases = options.aliases
        maxPerRule = options.maxPerRule
        diagramArguments = options.diagramArguments
        times = TimeColumn(options.style.time)
        self.out = out
    }

    func saw(_ message: MessageEvent) { times.saw(message) }

    func write(_ finding: Finding) {
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
    }

    func write(_ hazard: Hazard) {
        if style.grouped && pendingHazards.count < Self.keptFindings {
            pendingHazards.append(hazard)
        } else {
            for line in text(hazard, indent: "") { out.line(line) }
        }
    }

    func write(_ observation: Observation) {
        if style.grouped {
            observations[HazardRecord.key(observation.hazard), default: []].append(observation)
        } else {
            out.line("    " + Self.observedLine(observation))
        }
    }

    static func observedLine(_ observation: Observation) -> String {
        "observed: \(observation.note.location): \(observation.note.kind): \(observation.note.text)"
            + (observation.confirmed ? " (the failure this hazard causes)" : " (after the hazard, on the same channel)")
    }

    /// The end of one input: its grouped findings and hazards, and what was checked on it.
    func endInput(_ input: InputReport) {
        connectionIndex = [:]
        for (index, connection) in input.connections.enumerated() {
            connectionIndex[connection.id] = index
        }
        if !style.quiet || !pending.isEmpty { for line in fitted(textInput(input)) { out.line(line) } }
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
        pending = []
        pendingHazards = []
        times.reset()
        connectionIndex = [:]
        shown = [:]
        suppressed = [:]
        suppressedOrder = []
        suppressedElsewhere = 0
    }

    /// The closing summary.
    func finish(_ totals: CheckTotals) {
        if !style.quiet { for line in fitted(summaryText(totals)) { out.line(line) } }
    }

    /// "commit-sig-valid: 7,115 more on channel 1758…, first at file:frame".
    func suppressedLines() -> [String] {
        let elsewhere =
            suppressedElsewhere == 0
            ? []
            : [
                "  \(TextFit.grouping(suppressedElsewhere)) more findings of further rules and channels"
                    + style.dim(" (--all or --max-per-rule N to see them)")
            ]
        return suppressedOrder.flatMap { key -> [String] in
            guard let (count, first) = suppressed[key] else { return [] }
            let channel = first.channel.map { " on channel \(TextFit.short($0))" } ?? ""
            return wrapped(
                "  " + style.bold(first.rule.id) + ": \(TextFit.grouping(count)) more\(channel), first at \(first.message.location)"
                    + style.dim(" (--all or --max-per-rule N to see them)"), "    ")
        } + elsewhere
    }

    /// One hazard: where, which message could overtake which, the outcome, the known failure.
    func text(_ hazard: Hazard, indent: String) -> [String] {
        let first = hazard.first, second = hazard.second
        var apart = "\(hazard.distance) \(hazard.distanceUnit)\(hazard.distance == 1 ? "" : "s")"
        if let seconds = hazard.seconds { apart += ", \(Self.duration(seconds))" }
        var lines = wrapped(
            indent
                + "\(second.location): \(style.paint("hazard", "1;35")): \(style.bold(hazard.kind)): \(second.content.name) could be processed before "
                + "\(first.content.name) (\(hazard.secondQueue) and \(hazard.firstQueue) queues, \(apart) apart)", indent + "    ")
        times.previous = nil
        lines.append(cut(indent + "      " + style.dim(contextLine(first))))
        lines.append(cut(indent + "    " + style.bold(">") + " " + contextLine(second)))
        if let sentFirst = first.otherEnd, let sentSecond = second.otherEnd, sentFirst.sent, sentSecond.sent {
            var sent = "sent by the other end: \(sentFirst.location) and \(sentSecond.location)"
            if let a = sentFirst.time, let b = sentSecond.time { sent += ", \(Self.duration(b.seconds(since: a))) apart on its clock" }
            lines += wrapped(indent + "      " + style.dim(sent), indent + "        ")
        }
        for finding in hazard.outcome {
            let place = finding.message.index.map { "message \($0)" } ?? finding.message.location.description
            lines += wrapped(
                indent + "      outcome: \(finding.rule.id) at \(finding.message.content.name) (\(place)): \(finding.reason)", indent + "        ")
        }
        if let known = hazard.known {
            lines += wrapped(indent + "      consequence: \(known.consequence)", indent + "        ")
            lines += wrapped(
                indent + "      " + style.dim("\(known.issues.joined(separator: ", ")) (lntrace explain \(known.id))"), indent + "        ")
        }
        for observation in observations[HazardRecord.key(hazard)] ?? [] {
            lines += wrapped(
                indent + "      " + style.paint(Self.observedLine(observation), observation.confirmed ? "1;35" : "0"), indent + "        ")
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
            if let channel = finding.channel { scope.append("channel \(TextFit.short(channel))") }
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
        if let other = message.otherEnd {
            let when = other.time.map { " at \($0) (its clock)" } ?? ""
            lines.append(cut(indent + "      " + style.dim("\(other.sent ? "sent" : "received") by the other end: \(other.location)\(when)")))
        }
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
        if let command = diagramCommand(finding) { lines.append(indent + "      " + style.dim("drawn by: \(command)")) }
        return lines
    }

    /// `lntrace diagram … --channel ID FILE`, which draws the finding's channel around it.
    func diagramCommand(_ finding: Finding) -> String? {
        let file = finding.message.location.file
        guard let arguments = diagramArguments, let channel = finding.channel, !file.isEmpty, file != "-" else { return nil }
        let words = ["lntrace", "diagram"] + arguments + ["--channel", String(channel.prefix(16)), file]
        return words.map(Self.shellQuoted).joined(separator: " ")
    }

    /// A word as a POSIX shell reads it back: quoted when it holds anything but safe characters.
    static func shellQuoted(_ word: String) -> String {
        let safe = word.allSatisfy { $0.isLetter || $0.isNumber || "-_./=:,+@%".contains($0) }
        return safe && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// A follow-on under its root: `↳ frame 54: error: rule: reason [#7]`.
    func followOnLines(_ finding: Finding, indent: String, grouped: Bool) -> [String] {
        let place = grouped ? finding.message.location.place : finding.message.location.description
        return wrapped(
            indent + "↳ \(place): \(style.severity(finding)): \(style.bold(finding.rule.id)): \(finding.reason)" + style.dim(" [#\(finding.id)]"),
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

    func textInput(_ input: InputReport) -> [String] {
        let summary = input.summary
        var lines: [String] = []
        if !style.quiet { lines += ["", style.bold(input.path) + inputKind(input)] }
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
                    lines.append("  " + connectionTitle(first.message.connection, in: input))
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
        for connection in input.connections.lazy.filter({ !$0.problems.isEmpty }).prefix(20) {
            lines.append("  " + connectionTitle(connection.id, in: input) + ": " + style.paint(connection.decryption.rawValue, "1;33"))
            for problem in connection.problems.prefix(5) { lines.append("    " + problem) }
            if connection.problems.count > 5 { lines.append("    … \(connection.problems.count - 5) more") }
        }
        if input.problemConnections > 20 {
            lines.append("  … \(TextFit.grouping(input.problemConnections - 20)) more connections held only in part (JSON lists them)")
        }
        if let failure = input.failure {
            lines.append("  " + style.paint("not read completely", "1;31") + ": \(failure.message)")
            if input.findings == 0 && summary.messages > 0 { lines.append("  no findings in the \(summary.messages) messages read") }
            if summary.messages == 0 { return lines }
        } else if input.findings == 0 {
            lines.append("  no findings")
        }
        lines.append("")
        let channelCount = summary.channels.count + (summary.omittedChannels?.channels ?? 0)
        lines.append(
            "  checked: \(summary.messages) message\(summary.messages == 1 ? "" : "s"), \(TextFit.grouping(channelCount)) channel\(channelCount == 1 ? "" : "s")"
        )
        func coverageLine(_ title: String, _ coverage: Coverage) {
            let notEvaluated = coverage.notEvaluatedRules, partly = coverage.partlyEvaluatedRules
            let why = (notEvaluated.isEmpty && partly.isEmpty) || style.verbose ? "" : " (-v: why)"
            lines.append(
                "    \(title): \(coverage.evaluatedRules.count) rules evaluated"
                    + (partly.isEmpty ? "" : " (\(partly.count) not on every message)")
                    + ", \(notEvaluated.count) not evaluated\(why)")
            if style.verbose {
                for (rule, reason) in notEvaluated { lines.append(style.dim("      \(rule): \(reason)")) }
                for (rule, evaluated, missed, reason) in partly {
                    lines.append(
                        style.dim(
                            "      \(rule): not evaluated on \(TextFit.grouping(missed)) of \(TextFit.grouping(evaluated + missed)) messages: \(reason)"
                        ))
                }
            }
        }
        for channel in summary.channels { coverageLine("channel \(TextFit.short(channel.key))", channel.coverage) }
        if let omitted = summary.omittedChannels {
            coverageLine("\(TextFit.grouping(omitted.channels)) more channels, together", omitted.coverage)
        }
        return lines
    }

    /// What the input was found to be: `  lnd log (journald)`, `  capture, 2 Lightning connections`.
    func inputKind(_ input: InputReport) -> String {
        let connectionTotal = input.connectionTotal
        if let log = input.logs.first, !log.sources.isEmpty { return "  " + style.dim(log.description) }
        if connectionTotal > 0 {
            return "  " + style.dim("capture, \(TextFit.grouping(connectionTotal)) Lightning connection\(connectionTotal == 1 ? "" : "s")")
        }
        return ""
    }

    func connectionTitle(_ id: Int?, in input: InputReport) -> String {
        guard let id else { return style.bold("no connection") }
        if let c = connectionIndex[id].map({ input.connections[$0] }) {
            let shared = c.initiator.address == c.responder.address
            func named(_ endpoint: Endpoint) -> String {
                aliases.name(for: endpoint, shared: shared).map { "\($0) (\(endpoint))" } ?? endpoint.description
            }
            return style.bold("connection #\(id)") + "  \(named(c.initiator)) → \(named(c.responder)), frames \(c.firstFrame)–\(c.lastFrame)"
        }
        if let peer = input.logs.lazy.flatMap(\.streams).first(where: { $0.id == id })?.peer {
            return style.bold("connection #\(id)") + "  peer " + (aliases.name(forNode: peer).map { "\($0) (\(TextFit.short(peer)))" } ?? peer)
        }
        return style.bold("connection #\(id)")
    }

    func channelTitle(_ key: String, _ channel: CheckSummary.Channel?) -> String {
        guard let channel else { return style.bold("channel \(key)") }
        let parties = channel.parties.map { TextFit.short($0) }.joined(separator: " ↔ ")
        return style.bold("channel \(TextFit.short(key))") + (parties.isEmpty ? "" : "  \(parties)") + ", \(Self.origin(channel.origin))"
    }

    func summaryText(_ totals: CheckTotals) -> [String] {
        let errors = totals.errors, warnings = totals.warnings, rules = totals.rules
        let findingCount = totals.findings, followOnCount = totals.followOns, possibleCount = totals.possible
        var lines = ["", style.bold("Summary")]
        lines.append("  inputs: \(totals.inputs), connections: \(totals.connections), channels: \(totals.channels), messages: \(totals.messages)")
        var found =
            "  findings: \(style.paint("\(errors) error\(errors == 1 ? "" : "s")", errors > 0 ? "1;31" : "0")), "
            + "\(style.paint("\(warnings) warning\(warnings == 1 ? "" : "s")", warnings > 0 ? "1;33" : "0"))"
        if findingCount > 0 {
            let roots = findingCount - followOnCount
            found +=
                ": \(style.bold(TextFit.grouping(roots))) root cause\(roots == 1 ? "" : "s"), \(TextFit.grouping(followOnCount)) follow-on\(followOnCount == 1 ? "" : "s")"
        }
        if possibleCount > 0 { found += " (\(possibleCount) possible: messages that may have crossed; --local decides)" }
        lines.append(found)
        if !totals.perRule.isEmpty {
            // Rules by root causes, then by follow-ons.
            let rows = totals.perRule.sorted {
                let a = ($0.value.count - $0.value.followOns, $0.value.followOns), b = ($1.value.count - $1.value.followOns, $1.value.followOns)
                return a != b ? a > b : $0.key < $1.key
            }
            let width = max(4, rows.map(\.key.count).max() ?? 0)
            let rootsWidth = max(5, rows.map { TextFit.grouping($0.value.count - $0.value.followOns).count }.max() ?? 0)
            let pad = { (text: String, width: Int) in String(repeating: " ", count: max(0, width - text.count)) + text }
            lines.append(
                "    "
                    + style.dim(
                        "rule".padding(toLength: width, withPad: " ", startingAt: 0) + "  " + pad("roots", rootsWidth) + "  follow-ons  severity"))
            for (rule, entry) in rows.prefix(20) {
                lines.append(
                    "    " + rule.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                        + pad(TextFit.grouping(entry.count - entry.followOns), rootsWidth) + "  " + pad(TextFit.grouping(entry.followOns), 10)
                        + "  " + entry.severity.rawValue)
            }
            if rows.count > 20 { lines.append("    … \(rows.count - 20) more rules (JSON lists every finding)") }
        }
        if totals.hazards > 0 {
            lines.append(
                "  hazards: \(style.paint("\(totals.hazards)", "1;35")) places where the profiled dispatch could process messages out of order")
        }
        let never = totals.rulesNotEvaluated, evaluated = totals.rulesEvaluated, partly = totals.rulesPartlyEvaluated
        lines.append(
            "  rules: \(rules) selected, \(evaluated) evaluated\(partly > 0 ? " (\(partly) not on every message)" : ""), "
                + "\(never) could not be evaluated\((never > 0 || partly > 0) && !style.verbose ? " (-v: why)" : ""), "
                + "\(max(0, rules - evaluated - never)) did not apply")
        let diagnostics = totals.diagnostics, errorCount = totals.diagnosticErrors
        lines.append(
            "  diagnostics: \(diagnostics == 0 ? "none" : "\(diagnostics) (\(errorCount) error\(errorCount == 1 ? "" : "s")) on standard error")")
        return lines
    }

    static func origin(_ origin: ChannelModel.Origin) -> String {
        switch origin {
        case .opened: "opened in the trace"
        case .reestablished: "reestablished in the trace"
        case .unknown: "state before the trace unknown"
        }
    }
}
