import Hazards
import Provenance
import Rules
import Trace

/// What `lntrace check` writes its results through (``CheckSession``): ``CheckWriter`` for
/// text, JSON and JSON Lines, ``LintWriter`` for the formats of linters and CI systems.
public protocol CheckReport: AnyObject {
    /// Input errors written so far.
    var errorCount: Int { get }
    /// Whether a progress meter may share standard error's terminal with this report.
    var allowsProgress: Bool { get }
    func beginInput()
    func write(_ event: TraceEvent)
    func write(_ finding: Finding)
    func write(_ hazard: Hazard)
    func write(_ observation: Observation)
    func write(_ diagnostic: Diagnostic)
    func inputFailed(_ diagnostic: Diagnostic)
    func endInput(_ path: String, _ summary: CheckSummary)
    func flush()
    func finish(rules: Int)
    /// Inputs found to be the two ends of one connection: the connection, its messages and
    /// its channels are counted once.
    func joined(_ connections: [JoinedConnection])
    /// For joined inputs: where the other end shows a message of input `number` (0-based),
    /// if it does, and whether that was read before it (a diagram draws each message once,
    /// from send to receipt, where it was read first).
    func joined(resolver: @escaping (_ message: MessageEvent, _ number: Int) -> (end: OtherEnd?, readBefore: Bool))
}

/// Two inputs that are the two ends of one connection (``CheckReport/joined(_:)``).
public struct JoinedConnection: Sendable {
    /// The inputs' numbers, 0-based, in order.
    public var inputs: (first: Int, second: Int)
    /// Messages both show.
    public var sharedMessages: Int
    /// The same channels, as the first input and the second name them.
    public var channels: [(first: String, second: String)]

    public init(inputs: (first: Int, second: Int), sharedMessages: Int, channels: [(first: String, second: String)]) {
        self.inputs = inputs
        self.sharedMessages = sharedMessages
        self.channels = channels
    }
}

extension CheckReport {
    public var allowsProgress: Bool { false }
    public func joined(_ connections: [JoinedConnection]) {}
    public func joined(resolver: @escaping (_ message: MessageEvent, _ number: Int) -> (end: OtherEnd?, readBefore: Bool)) {}
}

/// `lntrace check`'s report in text, JSON or JSON Lines: what every format needs is counted
/// here (the summary, the exit status, the current input's connections and log streams),
/// input diagnostics go to standard error, and the format's ``Reporter`` writes the rest.
public final class CheckWriter: CheckReport {
    let reporter: any Reporter
    private var echo: DiagnosticEcho
    private var totals = CheckTotals()
    /// Rules evaluated somewhere, and rules that somewhere could not be.
    private var evaluated = Set<String>()
    private var notEvaluated = Set<String>()
    /// Rules that lacked the evidence on some message, wherever they were evaluated.
    private var missed = Set<String>()

    /// The current input: its first connections (a capture of a million connections holds
    /// no million summaries), how many there were, its log streams, its findings, and why it
    /// could not be read completely.
    private var connections: [ConnectionSummary] = []
    private var connectionTotal = 0
    private var problemConnections = 0
    private var logs: [LogSummary] = []
    private var inputFindings = 0
    private var failure: Diagnostic?
    /// Joined inputs: what two of them show twice, each second input's names for the first
    /// one's channels, and the channels the joined inputs showed so far (counted once).
    private var joinedInputs = Set<Int>()
    private var joinedConnections = 0
    private var joinedMessages = 0
    private var joinedNames: [Int: [String: String]] = [:]
    private var joinedChannels = Set<String>()

    /// Connections, diagnostics and findings a report keeps for its end (the counts are exact).
    static let keptConnections = 10_000
    static let keptDiagnostics = 10_000
    static let keptFindings = 10_000
    /// How many diagnostics of one code go to standard error (JSON keeps more).
    static let diagnosticsPerCode = 100

    public var findingCount: Int { totals.findings }
    public var followOnCount: Int { totals.followOns }
    public var possibleCount: Int { totals.possible }
    public var hazardCount: Int { totals.hazards }
    public var diagnosticCount: Int { totals.diagnostics }
    public var errorCount: Int { totals.diagnosticErrors }

    public init(reporter: any Reporter, err: Output = .standardError) {
        self.reporter = reporter
        echo = DiagnosticEcho(err: err, perCode: Self.diagnosticsPerCode)
    }

    /// The report in `format`, to `out`.
    public convenience init(format: OutputFormat, options: ReportOptions, out: Output = .standardOutput, err: Output = .standardError) {
        self.init(reporter: format.reporter(.check, options: options, out: out), err: err)
    }

    public var allowsProgress: Bool { reporter.allowsProgress }

    /// Counts an input (called when it starts).
    public func beginInput() { totals.inputs += 1 }

    /// Everything the input produced besides findings.
    public func write(_ event: TraceEvent) {
        switch event {
        case let .message(message): reporter.write(message)
        case let .diagnostic(diagnostic): write(diagnostic)
        case let .connection(summary):
            connectionTotal += 1
            if !summary.problems.isEmpty { problemConnections += 1 }
            if connections.count < Self.keptConnections { connections.append(summary) }
        case let .streams(summary): logs.append(summary)
        case .note, .lost: break
        }
    }

    public func write(_ finding: Finding) {
        totals.findings += 1
        switch finding.severity {
        case .error: totals.errors += 1
        case .warning: totals.warnings += 1
        }
        totals.perRule[finding.rule.id, default: (0, 0, finding.severity)].count += 1
        if !finding.isRoot {
            totals.followOns += 1
            totals.perRule[finding.rule.id]?.followOns += 1
        }
        inputFindings += 1
        if finding.certainty == .possible { totals.possible += 1 }
        reporter.write(finding)
    }

    public func write(_ hazard: Hazard) {
        totals.hazards += 1
        reporter.write(hazard)
    }

    public func write(_ observation: Observation) {
        reporter.write(observation)
    }

    public func write(_ diagnostic: Diagnostic) {
        totals.diagnostics += 1
        if diagnostic.severity == .error { totals.diagnosticErrors += 1 }
        echo.show(diagnostic)
        reporter.write(diagnostic)
    }

    /// The current input could not be read completely, or yielded nothing: the error is
    /// reported now (before the input's findings and the summary) and the input's report says
    /// so instead of "no findings".
    public func inputFailed(_ diagnostic: Diagnostic) {
        failure = diagnostic
        write(diagnostic)
        echo.err.flush()
    }

    /// The end of one input: what was checked on it, to the reporter.
    public func endInput(_ path: String, _ summary: CheckSummary) {
        totals.messages += summary.messages
        for coverage in summary.channels.map(\.coverage) + summary.connections.map(\.1) + [summary.omittedChannels?.coverage].compactMap({ $0 }) {
            evaluated.formUnion(coverage.evaluatedRules)
            let never = coverage.notEvaluatedRules.map(\.rule)
            notEvaluated.formUnion(never)
            missed.formUnion(never)
            missed.formUnion(coverage.partlyEvaluatedRules.map(\.rule))
        }
        totals.channels += summary.channels.count + (summary.omittedChannels?.channels ?? 0)
        let number = totals.inputs - 1
        if joinedInputs.contains(number) {
            for channel in summary.channels where !joinedChannels.insert(joinedNames[number]?[channel.key] ?? channel.key).inserted {
                totals.channels -= 1
            }
        }
        totals.connections += connectionTotal == 0 ? logs.reduce(0) { $0 + $1.connections } : connectionTotal
        reporter.endInput(
            InputReport(
                path: path, summary: summary, connections: connections, connectionsOmitted: connectionTotal - connections.count,
                problemConnections: problemConnections, logs: logs, failure: failure, findings: inputFindings))
        connections = []
        connectionTotal = 0
        problemConnections = 0
        logs = []
        failure = nil
        inputFindings = 0
        flush()
    }

    public func flush() {
        echo.err.flush()
        reporter.flush()
    }

    public func joined(_ connections: [JoinedConnection]) {
        for connection in connections {
            joinedConnections += 1
            joinedMessages += connection.sharedMessages
            joinedInputs.formUnion([connection.inputs.first, connection.inputs.second])
            for (first, second) in connection.channels { joinedNames[connection.inputs.second, default: [:]][second] = first }
        }
    }

    /// The closing summary: the count of diagnostics not shown, then the report's end.
    public func finish(rules: Int) {
        echo.finish()
        totals.rules = rules
        totals.connections -= joinedConnections
        totals.messages -= joinedMessages
        totals.rulesEvaluated = evaluated.count
        totals.rulesNotEvaluated = notEvaluated.subtracting(evaluated).count
        totals.rulesPartlyEvaluated = missed.intersection(evaluated).count
        reporter.finish(.check(totals))
        flush()
    }
}
