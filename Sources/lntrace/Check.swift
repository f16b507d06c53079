import Foundation
import ArgumentParser
import Hazards
import Report
import Provenance
import Rules
import Trace

/// `lntrace check`: every message of every input against the rule catalog.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the inputs' messages against the BOLT #1/#2 rules.",
        discussion: """
            Each finding names its rule, severity, connection, channel, and the message that \
            broke the rule with its location (file and frame or line, time, index in the \
            stream), a one-sentence reason, and the channel's messages just before it. After \
            each input, the text report tells per channel how many rules could be evaluated \
            (-v: why the others could not: a log summary without the fields a rule needs, a \
            channel opened before the trace).

            A finding about two messages that may have crossed on the wire is "possible" \
            unless the trace was recorded at the sender: node logs know their side; for a \
            capture, give --local with the recording node's address.

            Text output is grouped per input, connection and channel; from standard input it \
            is printed as found. --format jsonl streams one object per line as each is known \
            (finding, diagnostic, then input and summary). --format json is one document; its \
            schema is Documentation/schema/check.schema.json.

            Exit status:
              0  no finding at or above --fail-on (default: error), every input read
              1  a finding at or above --fail-on
              2  usage error, or an input that could not be read completely

            Examples:
              lntrace check --keylog keys.log capture.pcapng
              lntrace check --rules commit-,raa- --format jsonl lnd.log
              tail -F lnd.log | lntrace check --format jsonl - | jq -c 'select(.kind=="finding")'
            """
    )

    @OptionGroup var input: InputOptions
    @OptionGroup(title: "Filters") var filters: FilterOptions

    @Option(help: ArgumentHelp(
        "Output format: text (readable), json (one document), jsonl (one object per line, streamed), sarif (SARIF 2.1.0), github (workflow commands) or short (one line per finding).",
        valueName: "format"))
    var format: CheckFormat = .text

    @Option(help: ArgumentHelp(
        "Only these rules: ids, prefixes ending in '-', or globs with '*' (v1-*-sig), comma-separated, any case (repeatable).", valueName: "ids"))
    var rules: [String] = []

    @Option(help: ArgumentHelp("Skip these rules (ids or prefixes, comma-separated, repeatable).", valueName: "ids"))
    var skip: [String] = []

    @Option(name: .customLong("fail-on"), help: ArgumentHelp(
        "Exit with status 1 when there is a finding of this severity or above (error|warning).", valueName: "severity"))
    var failOn: Severity = .error

    @Option(help: ArgumentHelp(
        "The node that recorded a capture, as lntrace labels it: its address (10.0.0.1), or an endpoint (127.0.0.1:9735).",
        valueName: "node"))
    var local: String?

    @Option(help: ArgumentHelp("Colour text output: auto (on a terminal, unless NO_COLOR is set), always or never.", valueName: "when"))
    var color: ColorChoice = .auto

    @Flag(name: .shortAndLong, help: "Print only the findings (text output).")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Also list why rules could not be evaluated, per channel (text output).")
    var verbose = false

    @Flag(help: "Also write every message (JSON Lines output).")
    var messages = false

    @Option(help: ArgumentHelp("How many of the channel's earlier messages a finding shows (text: with the messages the rule refers to; JSON: `context`).", valueName: "n"))
    var context: Int = 4

    @Option(help: ArgumentHelp("Times in text context lines: absolute (UTC), relative (seconds since the input's first message) or delta (since the line before).", valueName: "mode"))
    var time: TimeMode = .absolute

    @Option(help: ArgumentHelp(
        "Findings accepted earlier: a `check --format json` document or `--format jsonl` output; findings it holds are not reported.",
        valueName: "file"))
    var baseline: String?

    @Option(help: ArgumentHelp(
        "Report a rule's findings with another severity: RULE=warning|error (RULE: an id, prefix or glob; repeatable).",
        valueName: "rule=severity"))
    var severity: [String] = []

    @Flag(help: "Print every finding of every rule (text output).")
    var all = false

    @Option(name: .customLong("max-per-rule"), help: ArgumentHelp(
        "Print at most this many findings of one rule on one channel, then a count (text output; JSON keeps every finding).",
        valueName: "n"))
    var maxPerRule: Int = 3

    @Option(help: ArgumentHelp(
        "Find reorder hazards under a dispatch profile: a name (`lntrace profiles` lists them: lnd, lnd-0.18, strict, …) or a profile file; none to turn off. Default: for an lnd log, the profile of the version its first line states (else lnd); none otherwise.",
        valueName: "profile"))
    var hazards: String?

    @Option(help: ArgumentHelp(
        "How far apart the two messages of a hazard may be: a number of messages, or a time (500ms, 2s).", valueName: "window"))
    var window: String = "16"

    /// The profile `--hazards` names (`nil`: none, or the default for the input's format).
    func profile() throws -> Profile? {
        guard let hazards, hazards != "none" else { return nil }
        if let builtin = BuiltinProfiles.profile(hazards) { return builtin }
        guard let text = try? String(contentsOfFile: hazards, encoding: .utf8) else {
            throw ValidationError("no profile '\(hazards)': not a built-in profile (\(BuiltinProfiles.names.joined(separator: ", "))) nor a readable file")
        }
        do {
            return try Profile(parsing: text)
        } catch {
            throw ValidationError("\(hazards): \(error)")
        }
    }

    /// `--severity RULE=LEVEL` pairs.
    func severityOverrides() throws -> [(pattern: String, severity: Severity)] {
        try severity.flatMap { $0.split(separator: ",") }.map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let level = Severity(rawValue: parts[1].lowercased()) else {
                throw ValidationError("--severity takes RULE=warning or RULE=error, not '\(pair)'")
            }
            guard Catalog.rules.contains(where: { Catalog.matches($0.info.id, parts[0]) }) else {
                throw ValidationError("--severity: no rule matches '\(parts[0])' (see `lntrace rules`)")
            }
            return (parts[0], level)
        }
    }

    func validate() throws {
        _ = try profile()
        _ = try severityOverrides()
        if let baseline {
            do { _ = try Baseline(contentsOf: baseline) } catch { throw ValidationError("--baseline \(baseline): \(error.localizedDescription)") }
        }
        if maxPerRule < 1 { throw ValidationError("--max-per-rule takes a number of findings, 1 or more (--all prints every one)") }
        if context < 0 { throw ValidationError("--context takes a number of messages, 0 or more") }
        if HazardWindow(window) == nil { throw ValidationError("--window takes a number of messages, or a time such as 500ms or 2s") }
        do {
            _ = try Catalog.select(only: Self.split(rules), skip: Self.split(skip))
        } catch {
            throw ValidationError(error.description)
        }
    }

    static func split(_ values: [String]) -> [String] {
        values.flatMap { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }.filter { !$0.isEmpty }
    }

    func run() throws {
        let selected = try Catalog.select(only: Self.split(rules), skip: Self.split(skip))
        let configured = try profile()
        let hazardWindow = HazardWindow(window) ?? HazardWindow()
        var style = TextStyle(color: color.enabled(for: .standardOutput), quiet: quiet, verbose: verbose,
                              grouped: !input.inputs.contains("-"), width: TextStyle.outputWidth)
        style.time = time
        let aliases = input.aliases
        // --local may name a node by its alias, or by an address an alias names.
        let local = self.local.map { local in
            aliases.name(forNode: local) ?? local
        }
        let writer: CheckReport
        switch format {
        case .text, .json, .jsonl:
            let report = CheckWriter(format: format.output ?? .text, style: style, toolVersion: lntraceVersion)
            report.messages = messages
            report.maxPerRule = all ? nil : max(1, maxPerRule)
            report.aliases = aliases
            writer = report
        case .sarif, .github, .short:
            writer = LintWriter(format: format.lint ?? .short, rules: selected, toolVersion: lntraceVersion)
        }
        let (captureOptions, keyLogProblems) = input.captureOptions()
        for problem in keyLogProblems { writer.write(problem) }
        let accepted = try baseline.map { try Baseline(contentsOf: $0) }
        let overrides = try severityOverrides()
        var incomplete = false
        var failing = false
        // The rules see every message (their state needs the whole history); the filters
        // choose which messages and findings are reported.
        let selection = Selection(filters)
        let filter = selection.filter
        var nextFindingID = 1
        for path in input.inputs where !selection.done {
            var engines = VantageEngines(rules: selected, local: local, firstFindingID: nextFindingID, contextLength: context)
            defer { nextFindingID = engines.nextFindingID }
            var analyzer: HazardAnalyzer?
            // lnd logs are profiled by default, under the profile of the version the log
            // states (its `LTND: Version:` line), else the newest.
            var lndNodes: [String] = []
            // A capture's endpoints, which --local must name one of.
            var endpoints = Set<String>()
            var versioned: (Profile, Diagnostic)?
            func startHazards(_ chosen: Profile, node: String?) {
                let hazardAnalyzer = HazardAnalyzer(profile: chosen, window: hazardWindow, node: node)
                analyzer = hazardAnalyzer
                engines.observer = { event, channel, connection in hazardAnalyzer.observe(event, channel: channel, connection: connection) }
            }
            writer.beginInput()
            // Progress for files on a terminal; a live stream prints findings as they come.
            let meter = path != "-" && format == .text && ProgressMeter.enabled(format: .text) ? ProgressMeter(path: path) : nil
            do {
                var reader = input.reader(path, captureOptions: captureOptions)
                reader.stop = { selection.done }
                try reader.read(
                    emit: { event in
                        if selection.done {
                            if selection.admitsOther(event) { writer.write(event) }
                            return
                        }
                        if case let .connection(connection) = event {
                            let shared = connection.initiator.address == connection.responder.address
                            for endpoint in [connection.initiator, connection.responder] {
                                endpoints.insert("\(endpoint.address)")
                                endpoints.insert(endpoint.description)
                                if let name = aliases.name(for: endpoint, shared: shared) { endpoints.insert(name) }
                            }
                        }
                        if case let .note(note) = event, note.kind == "version", hazards == nil, analyzer == nil,
                           let (name, profile) = BuiltinProfiles.lnd(version: note.text) {
                            versioned = (profile, Diagnostic(.note, "hazards.profile", at: note.location,
                                                             "lnd \(note.text): reorder hazards under the \(name) profile"))
                        }
                        if case .message = event {
                            meter?.message()
                            if analyzer == nil, let first = lndNodes.first, let chosen = versioned?.0 ?? BuiltinProfiles.profile("lnd") {
                                if let why = versioned?.1 { writer.write(why) }
                                startHazards(chosen, node: first)
                                for node in lndNodes.dropFirst() { analyzer?.add(node: node) }
                            }
                        }
                        if case let .message(message) = event {
                            if selection.admits(message) { writer.write(event) }
                        } else if selection.admitsOther(event) {
                            writer.write(event)
                        }
                        for var finding in engines.process(event) {
                            if !filter.isEmpty, !filter.matches(finding.message) { continue }
                            if let accepted, accepted.contains(finding) { continue }
                            if let level = overrides.last(where: { Catalog.matches(finding.rule.id, $0.pattern) })?.severity { finding.severity = level }
                            writer.write(finding)
                            // Root causes decide: a follow-on is there because its root is.
                            if finding.isRoot && finding.severity >= failOn { failing = true }
                        }
                        if let analyzer, case let .message(message) = event, let engine = engines.engine(for: message) {
                            for hazard in analyzer.analyze(message, engine: engine)
                            where filter.isEmpty || filter.matches(hazard.first) || filter.matches(hazard.second) {
                                writer.write(hazard)
                                if Severity.warning >= failOn { failing = true }
                            }
                        }
                        if let analyzer {
                            if case let .note(note) = event { analyzer.correlate(note) }
                            for observation in analyzer.takeObservations()
                            where filter.isEmpty || filter.matches(observation.hazard.first) || filter.matches(observation.hazard.second) {
                                writer.write(observation)
                                // The log shows the failure the hazard causes: an error.
                                if observation.confirmed && Severity.error >= failOn { failing = true }
                            }
                        }
                    },
                    drained: { writer.flush() },
                    progress: { read, total in meter?.update(read: read, total: total) },
                    found: { source in
                        // Hazards: as asked, or lnd's dispatch for an lnd log (from its first
                        // message, once its version line has been read); the profiled node is
                        // the logging node, or the capture's --local node (else every receiver).
                        if configured == nil {
                            if hazards == nil, source.format == .lnd, let node = source.node {
                                if let analyzer { analyzer.add(node: node) } else { lndNodes.append(node) }
                            }
                            return
                        }
                        if let analyzer {
                            if let node = source.node { analyzer.add(node: node) }
                        } else if let configured {
                            startHazards(configured, node: source.node ?? local)
                        }
                    })
            } catch {
                meter?.clear()
                writer.inputFailed(error.diagnostic)
                incomplete = true
            }
            meter?.clear()
            if let local, !endpoints.isEmpty, !endpoints.contains(local) {
                writer.write(Diagnostic(.error, "check.local", at: SourceLocation(file: path),
                                        "--local \(local) is no endpoint of the capture's Lightning connections (\(endpoints.filter { $0.contains(":") }.sorted().joined(separator: ", ")))"))
            }
            let summary = engines.summary
            if summary.droppedChannels > 0 {
                writer.write(Diagnostic(.error, "check.channel-limit", at: SourceLocation(file: path),
                                        "more than \(RuleEngine.liveChannels) channels were active at once: the models of \(summary.droppedChannels) least recently active channels were dropped, and their later messages were judged as channels first seen mid-trace"))
            }
            writer.endInput(path, summary)
        }
        writer.finish(rules: selected.count)
        if let nothing = selection.nothingSelected { Output.standardError.line(nothing); Output.standardError.flush() }
        if incomplete || writer.errorCount > 0 { throw ExitCode(2) }
        if failing { throw ExitCode(1) }
    }
}

/// `check --format`: the general formats, and those of linters and CI systems.
enum CheckFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, jsonl, sarif, github, short

    var output: OutputFormat? { OutputFormat(rawValue: rawValue) }
    var lint: LintFormat? { LintFormat(rawValue: rawValue) }
}

/// `--color auto|always|never`.
enum ColorChoice: String, ExpressibleByArgument, CaseIterable {
    case auto, always, never

    /// Whether to colour what goes to `output`: `auto` means a terminal, without `NO_COLOR`
    /// (https://no-color.org) and not `TERM=dumb`.
    func enabled(for output: Output) -> Bool {
        switch self {
        case .always: return true
        case .never: return false
        case .auto:
            let environment = ProcessInfo.processInfo.environment
            return output.isTerminal && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
        }
    }
}

extension Severity: ExpressibleByArgument {}

/// `lntrace rules`: the catalog.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "List the rules lntrace checks, with severity and BOLT section.")

    @OptionGroup var output: OutputOptions

    func run() {
        let out = Output.standardOutput
        switch output.format {
        case .text:
            for line in RuleFormat.text(Catalog.rules) { out.line(line) }
        case .json:
            var json = JSONWriter()
            out.record(&json) { RuleFormat.writeJSON(Catalog.rules, toolVersion: lntraceVersion, to: &$0) }
        case .jsonl:
            var json = JSONWriter()
            for rule in Catalog.rules { out.record(&json) { RuleFormat.writeJSON(rule, to: &$0, kind: true) } }
        }
        out.flush()
    }
}

/// `lntrace explain RULE`: one rule in full.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain a rule (what it checks, the spec text it enforces, an example) or a hazard kind.")

    @Argument(help: ArgumentHelp("A rule id, as `lntrace rules` lists them, or a hazard kind (lnd-8393, …).", valueName: "rule"))
    var rule: String

    func validate() throws {
        if Catalog.rule(rule) == nil && ExplainCommand.hazard(rule) == nil && rule != "reorder" {
            let near = Catalog.rules.map(\.info.id).filter { $0.hasPrefix(rule.split(separator: "-").first.map(String.init) ?? rule) }
            throw ValidationError("unknown rule '\(rule)'\(near.isEmpty ? "" : "; did you mean \(near.prefix(5).joined(separator: ", "))?") (see `lntrace rules`)")
        }
    }

    func run() {
        let out = Output.standardOutput
        if let found = Catalog.rule(rule) {
            for line in RuleFormat.explain(found) { out.line(line) }
        } else if rule == "reorder" {
            for line in HazardFormat.reorder { out.line(line) }
        } else if let (known, profiles) = Self.hazard(rule) {
            for line in HazardFormat.explain(known, profiles: profiles) { out.line(line) }
        }
        out.flush()
    }

    /// A hazard kind of the built-in profiles, and the profiles that know it.
    static func hazard(_ id: String) -> (Profile.Known, [String])? {
        var found: Profile.Known?
        var profiles: [String] = []
        for name in BuiltinProfiles.texts.keys.sorted() {
            guard let profile = BuiltinProfiles.profile(name), let known = profile.known.first(where: { $0.id == id }) else { continue }
            found = found ?? known
            profiles.append(name)
        }
        return found.map { ($0, profiles) }
    }
}

/// `lntrace profiles [NAME]`: the dispatch profiles for `check --hazards`.
struct ProfilesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profiles",
        abstract: "List the dispatch profiles for `check --hazards`, or print one (a starting point for your own).",
        discussion: """
            A profile says which queue (a subsystem with its own goroutine or task) an \
            implementation hands each received channel message to, which outcomes of a \
            reordered processing make it fail, and the known failures with their public \
            issues. Save a printed profile, edit it, and pass the file to --hazards.
            """)

    @Argument(help: ArgumentHelp("A profile to print.", valueName: "name"))
    var name: String?

    func validate() throws {
        if let name, BuiltinProfiles.profile(name) == nil {
            throw ValidationError("no profile '\(name)' (\(BuiltinProfiles.names.joined(separator: ", ")))")
        }
    }

    func run() {
        let out = Output.standardOutput
        if let name {
            let canonical = BuiltinProfiles.aliases[name] ?? name
            out.write(BuiltinProfiles.texts[canonical] ?? "")
        } else {
            for name in BuiltinProfiles.names {
                guard let profile = BuiltinProfiles.profile(name) else { continue }
                let alias = BuiltinProfiles.aliases[name].map { " (= \($0))" } ?? ""
                out.line(name.padding(toLength: 10, withPad: " ", startingAt: 0) + "  " + profile.description + alias)
            }
        }
        out.flush()
    }
}
