import ArgumentParser
import Foundation
import Hazards
import Report
import Rules
import Session

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

    @Option(
        help: ArgumentHelp(
            "Output format: text (readable), json (one document), jsonl (one object per line, streamed), sarif (SARIF 2.1.0), github (workflow commands) or short (one line per finding).",
            valueName: "format"))
    var format: CheckFormat = .output(.text)

    @Option(
        help: ArgumentHelp(
            "Only these rules: ids, prefixes ending in '-', or globs with '*' (v1-*-sig), comma-separated, any case (repeatable).", valueName: "ids"))
    var rules: [String] = []

    @Option(help: ArgumentHelp("Skip these rules (ids or prefixes, comma-separated, repeatable).", valueName: "ids"))
    var skip: [String] = []

    @Option(
        name: .customLong("fail-on"),
        help: ArgumentHelp(
            "Exit with status 1 when there is a finding of this severity or above (error|warning).", valueName: "severity"))
    var failOn: Severity = .error

    @Option(
        help: ArgumentHelp(
            "The node that recorded a capture, as lntrace labels it: its address (10.0.0.1), or an endpoint (127.0.0.1:9735).",
            valueName: "node"))
    var local: String?

    @Option(help: ArgumentHelp("Colour text output: auto (on a terminal, unless NO_COLOR is set), always or never.", valueName: "when"))
    var color: ColorChoice = .auto

    @Flag(name: .shortAndLong, help: "Print only the findings (text output).")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Also list why rules could not be evaluated, or not on every message, per channel (text output).")
    var verbose = false

    @Flag(help: "Also write every message (JSON Lines output).")
    var messages = false

    @Option(
        help: ArgumentHelp(
            "How many of the channel's earlier messages a finding shows (text: with the messages the rule refers to; JSON: `context`).",
            valueName: "n"))
    var context: Int = 4

    @Option(
        help: ArgumentHelp(
            "Times in text context lines: absolute (UTC), relative (seconds since the input's first message) or delta (since the line before).",
            valueName: "mode"))
    var time: TimeMode = .absolute

    @Option(
        help: ArgumentHelp(
            "Findings accepted earlier: a `check --format json` document or `--format jsonl` output; findings it holds are not reported.",
            valueName: "file"))
    var baseline: String?

    @Option(
        help: ArgumentHelp(
            "Report a rule's findings with another severity: RULE=warning|error (RULE: an id, prefix or glob; repeatable).",
            valueName: "rule=severity"))
    var severity: [String] = []

    @Flag(help: "Print every finding of every rule (text output).")
    var all = false

    @Option(
        name: .customLong("max-per-rule"),
        help: ArgumentHelp(
            "Print at most this many findings of one rule on one channel, then a count (text output; JSON keeps every finding).",
            valueName: "n"))
    var maxPerRule: Int = 3

    @Option(
        help: ArgumentHelp(
            "Find reorder hazards under a dispatch profile: a name (`lntrace profiles` lists them: lnd, lnd-0.18, cln, eclair, ldk, strict, …) or a profile file; none to turn off. Default: for an lnd log, the profile of the version its first line states (else lnd); none otherwise (Core Lightning, eclair and LDK process a channel's messages in order: a note says so).",
            valueName: "profile"), transform: { try HazardChoice(parsing: $0) })
    var hazards: HazardChoice?

    @Option(
        help: ArgumentHelp(
            "How far apart the two messages of a hazard may be: a number of messages, or a time (500ms, 2s).", valueName: "window"))
    var window = HazardWindow()

    @Flag(
        help:
            "The inputs are one trace recorded in turn, in the order given (a rotated log, captures taken one after another): each channel's and connection's state carries from one to the next, and they are reported as one input. Without it each input is checked on its own."
    )
    var sequence = false

    @OptionGroup var jobs: JobsOptions

    /// `--severity RULE=LEVEL` pairs.
    func severityOverrides() throws -> [SeverityOverride] {
        try severity.flatMap { $0.split(separator: ",") }.map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let level = Severity(rawValue: parts[1].lowercased()) else {
                throw ValidationError("--severity takes RULE=warning or RULE=error, not '\(pair)'")
            }
            guard Catalog.rules.contains(where: { Catalog.matches($0.info.id, parts[0]) }) else {
                throw ValidationError("--severity: no rule matches '\(parts[0])' (see `lntrace rules`)")
            }
            return SeverityOverride(pattern: parts[0], severity: level)
        }
    }

    func validate() throws {
        _ = try severityOverrides()
        if let baseline {
            do { _ = try Baseline(contentsOf: baseline) } catch { throw ValidationError("--baseline \(baseline): \(error.localizedDescription)") }
        }
        if maxPerRule < 1 { throw ValidationError("--max-per-rule takes a number of findings, 1 or more (--all prints every one)") }
        if context < 0 { throw ValidationError("--context takes a number of messages, 0 or more") }
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
        let (captureOptions, keyLogProblems) = input.captureOptions()
        var session = CheckSession(inputs: input.inputs.map(CheckInput.path), rules: selected, captureOptions: captureOptions)
        session.format = input.inputFormat
        session.problems = keyLogProblems
        session.zone = input.zone
        session.aliases = input.aliases
        session.join = !input.noJoin
        session.local = local
        session.context = context
        session.filter = filters.filter
        session.limit = filters.count
        session.baseline = try baseline.map { try Baseline(contentsOf: $0) }
        session.severityOverrides = try severityOverrides()
        session.failOn = failOn
        session.hazards = hazards ?? .automatic
        session.window = window
        session.jobs = jobs.count
        session.sequence = sequence
        let report = writer(rules: selected)
        session.progress = report.allowsProgress
        let outcome = session.run(writer: report)
        if let nothing = outcome.nothingSelected { Output.standardError.line(nothing); Output.standardError.flush() }
        if outcome.exitStatus != 0 { throw ExitCode(outcome.exitStatus) }
    }

    /// The report `--format` and the text options ask for.
    func writer(rules selected: [Rule]) -> CheckReport {
        switch format {
        case let .output(output):
            var style = TextStyle(
                color: color.enabled(for: .standardOutput), quiet: quiet, verbose: verbose,
                grouped: !input.inputs.contains("-"), width: TextStyle.outputWidth)
            style.time = time
            Output.standardOutput.allowsColor = style.color
            var options = ReportOptions(toolVersion: lntraceVersion, style: style)
            options.messages = messages
            options.maxPerRule = all ? nil : max(1, maxPerRule)
            options.aliases = input.aliases
            if output == .text { options.diagramArguments = input.diagramArguments }
            return CheckWriter(format: output, options: options)
        case let .lint(lint):
            return LintWriter(format: lint, rules: selected, toolVersion: lntraceVersion)
        }
    }
}

/// `--hazards none|NAME|FILE`. `check` declares it with `transform:` so that a profile file's
/// error reaches the user with its line.
extension HazardChoice: ExpressibleByArgument {
    public init?(argument: String) {
        guard let choice = try? HazardChoice(parsing: argument) else { return nil }
        self = choice
    }
}

/// `--window N|TIME`.
extension HazardWindow: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }

    public var defaultValueDescription: String { description }
}

/// `check --format`: the general formats (``OutputFormat``, one reporter each), and those of
/// linters and CI systems (``LintFormat``). Derived from both, so that a new output format
/// needs no case here.
enum CheckFormat: ExpressibleByArgument {
    case output(OutputFormat)
    case lint(LintFormat)

    init?(argument: String) {
        if let format = OutputFormat(rawValue: argument) {
            self = .output(format)
        } else if let format = LintFormat(rawValue: argument) {
            self = .lint(format)
        } else {
            return nil
        }
    }

    static var allValueStrings: [String] { OutputFormat.allCases.map(\.rawValue) + LintFormat.allCases.map(\.rawValue) }

    static var defaultCompletionKind: CompletionKind { .list(allValueStrings) }

    var defaultValueDescription: String {
        switch self {
        case let .output(format): format.rawValue
        case let .lint(format): format.rawValue
        }
    }
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
