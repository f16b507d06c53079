import Basics
import Hazards
import Provenance
import Report
import Rules
import Trace
import Wire

/// One input of a ``CheckSession``.
public enum CheckInput: Sendable {
    /// A file, or `-` for standard input.
    case path(String)
    /// Bytes already in memory, reported under `name`; `modified` dates a log's times that
    /// state no year.
    case bytes(name: String, [UInt8], modified: Int64? = nil)

    /// The path reports name the input by.
    public var path: String {
        switch self {
        case let .path(path): return path
        case let .bytes(name, _, _): return name
        }
    }
}

/// `--severity RULE=LEVEL`: a rule's findings reported with another severity.
public struct SeverityOverride: Sendable {
    /// A rule id, prefix or glob (``Catalog/matches(_:_:)``).
    public var pattern: String
    public var severity: Severity

    public init(pattern: String, severity: Severity) {
        self.pattern = pattern
        self.severity = severity
    }
}

/// How a ``CheckSession`` ended, and the exit status that says so (README "Exit status").
public struct CheckOutcome: Sendable {
    /// A finding, hazard or confirmed hazard at or above ``CheckSession/failOn``.
    public var failing: Bool
    /// An input was not read completely, or an error diagnostic was reported.
    public var incomplete: Bool
    /// What to say on standard error when the filters selected no message.
    public var nothingSelected: String?

    /// 2 for an incomplete read, else 1 for a failing finding, else 0.
    public var exitStatus: Int32 { incomplete ? 2 : failing ? 1 : 0 }
}

/// `lntrace check` as a library: every message of every input through the rules engines
/// (one per vantage point), the reorder-hazard analyzer and the filters, into a report.
///
/// The engines see every message (their state needs the whole history); the filters, the
/// baseline and `-c N` only choose what is reported. Finding ids run on across inputs.
public struct CheckSession {
    public var inputs: [CheckInput]
    /// `--input-format`; `nil`: recognised from the bytes.
    public var format: InputFormat?
    public var captureOptions: CaptureOptions
    /// Problems found before reading (a key log's unreadable lines): reported first.
    public var problems: [Diagnostic] = []
    /// `--tz`: the zone of log times that state none.
    public var zone: LocalZone?
    /// `--alias` names; `local` may use one.
    public var aliases = Aliases()

    /// The selected rules.
    public var rules: [Rule]
    /// `--local`: the node that recorded a capture (an address, endpoint or alias).
    public var local: String?
    /// How many of the channel's earlier messages a finding shows.
    public var context = 4
    /// `--type`, `--channel`, … : which messages, findings and hazards are reported.
    public var filter = MessageFilter()
    /// `-c N`: stop after this many messages shown.
    public var limit: Int?
    /// Findings accepted earlier: not reported.
    public var baseline: Baseline?
    /// The last matching override wins.
    public var severityOverrides: [SeverityOverride] = []
    /// The lowest severity that makes the run fail.
    public var failOn = Severity.error
    public var hazards = HazardChoice.automatic
    public var window = HazardWindow()
    /// Show a progress meter for files when standard error is a terminal (for a report that
    /// allows it: ``CheckReport/allowsProgress``).
    public var progress = false
    /// `--jobs N`: how many cores check; more than one verifies signatures (and other
    /// libsecp256k1 work) on the others, off the ordered path. The report is the same.
    public var jobs = 1
    /// `--sequence`: the inputs are one trace recorded in turn (a rotated log, captures one
    /// after another), checked as one: each channel's and connection's state carries from
    /// one input to the next, and they are reported as one input.
    public var sequence = false
    /// Whether the logs of a connection's two ends are joined (``JoinedInputs``; `--no-join`).
    public var join = true

    public init(inputs: [CheckInput], rules: [Rule] = Catalog.rules, captureOptions: CaptureOptions = CaptureOptions()) {
        self.inputs = inputs
        self.rules = rules
        self.captureOptions = captureOptions
    }

    /// Checks every input into `writer`, in order, and finishes the report.
    public func run(writer: CheckReport) -> CheckOutcome {
        for problem in problems { writer.write(problem) }
        // --local may name a node by its alias, or by an address an alias names.
        let local = self.local.map { aliases.name(forNode: $0) ?? $0 }
        let selection = Selection(filter: filter, limit: limit)
        var nextFindingID = 1
        var failing = false
        var incomplete = false
        let pool = WorkerPool.forJobs(jobs)
        defer { pool?.stop() }
        if sequence {
            // One trace: one check, its state carried through the inputs, ended once.
            let check = InputCheck(session: self, local: local, selection: selection, writer: writer, firstFindingID: nextFindingID, pool: pool)
            for (number, input) in inputs.enumerated() where !selection.done {
                if !check.run(input, ends: false, continues: number < inputs.count - 1) { incomplete = true }
            }
            check.end(inputs.map(\.path).joined(separator: " + "))
            if check.failing { failing = true }
        } else {
            // Logs of the two ends of one connection: found first, then each finding is
            // reported from its sender's view (``JoinedInputs``).
            let joined = join ? JoinedInputs(inputs: inputs, session: self) : nil
            if let joined {
                writer.joined(joined.connections)
                writer.joined { [joined] message, number in joined.placement(of: message, input: number) }
                for diagnostic in joined.diagnostics() { writer.write(diagnostic) }
            }
            for (number, input) in inputs.enumerated() where !selection.done {
                // A joined input is checked in line: its findings are admitted in order, once.
                let check = InputCheck(
                    session: self, local: local, selection: selection, writer: writer, firstFindingID: nextFindingID,
                    pool: joined == nil ? pool : nil)
                check.joined = joined.map { ($0, number) }
                if !check.run(input) { incomplete = true }
                nextFindingID = check.engines.nextFindingID
                if check.failing { failing = true }
            }
        }
        writer.finish(rules: rules.count)
        return CheckOutcome(failing: failing, incomplete: incomplete || writer.errorCount > 0, nothingSelected: selection.nothingSelected)
    }
}

/// One input of a session: its engines, its hazard analyzer once a profile is chosen, and
/// the endpoints `--local` must name one of. A class, as the reader's closures share it.
private final class InputCheck {
    let session: CheckSession
    let local: String?
    let selection: Selection
    let writer: CheckReport
    var engines: VantageEngines
    var analyzer: HazardAnalyzer?
    /// The nodes of logs whose profile depends on their release (lnd, Core Lightning), with
    /// their implementation: profiled by default from the first message on (once a version
    /// line before it has had its say).
    var versionedNodes: [(implementation: String, node: String)] = []
    /// The implementation of the log being read, and the one the analyzer profiles by default.
    var implementation: String?
    var analyzed: String?
    /// The note that says a log's implementation cannot reorder a channel's messages (its
    /// profile has one queue for them), written with the next event; once per implementation.
    var unprofiled: Diagnostic?
    var notedImplementations = Set<String>()
    /// The input being read.
    var path = ""
    /// The inputs joined with others, and this one's number among them.
    var joined: (inputs: JoinedInputs, number: Int)?
    /// The profile a log's version line picks (lnd's `LTND: Version:`, Core Lightning's
    /// `Server started … and lightningd VERSION`), by implementation, and the note that says so.
    var versioned: [String: (name: String, profile: Profile, note: Diagnostic)] = [:]
    /// A capture's endpoints (addresses, endpoints and their aliases).
    var endpoints = Set<String>()
    var failing = false
    var meter: ProgressMeter?
    /// Where offloaded work runs; `nil` for one job.
    let pool: WorkerPool?
    /// Messages checked on the assumption that their offloaded work passes, not yet reported.
    private var batch: Batch?
    /// The most events a batch holds before its work is waited for (its memory bound).
    static let batchLimit = 1024

    /// Events checked ahead of their offloaded work (issue 14), with the state before them
    /// and what they wrote. When every verdict passes, the writes are reported as they are;
    /// otherwise the state goes back and the events are checked again, the work run in line.
    /// Either way the report is the one a single job writes.
    private struct Batch {
        var engines: VantageEngines
        var selection: Selection.State
        var failing: Bool
        var events: [TraceEvent] = []
        var tickets: [WorkerPool.Ticket] = []
        var verdicts: [Slot<Verdict>] = []
        let recorded = RecordedReport()
    }

    init(session: CheckSession, local: String?, selection: Selection, writer: CheckReport, firstFindingID: Int, pool: WorkerPool?) {
        self.session = session
        self.local = local
        self.selection = selection
        self.writer = writer
        self.pool = pool
        engines = VantageEngines(rules: session.rules, local: local, firstFindingID: firstFindingID, contextLength: session.context)
        engines.offloads = pool != nil
    }

    /// The profile every input is checked under (`nil`: none, or lnd's by default).
    var configured: Profile? {
        if case let .profile(profile) = session.hazards { return profile }
        return nil
    }

    var isAutomatic: Bool {
        if case .automatic = session.hazards { return true }
        return false
    }

    /// What a trace of several inputs (`--sequence`) carries from one to the next: its log
    /// peers' stream numbers and the number its next capture connection gets.
    var carriedStreams: [String: Int] = [:]
    var nextConnection = 1
    /// A log's parsers, to read the next input of the trace on with (a rotated log).
    var logParsers: LogParsers?
    /// A capture's TCP and BOLT #8 state, for the next file of the same packet stream.
    var capture: CaptureContinuation?

    /// Reads and checks the input; `false` when it could not be read completely. `ends`:
    /// whether the input is reported now (else the caller calls ``end(_:)`` after the
    /// trace's last input); `continues`: whether the next input goes on from this one.
    func run(_ input: CheckInput, ends: Bool = true, continues: Bool = false) -> Bool {
        let path = input.path
        self.path = path
        var complete = true
        writer.beginInput()
        // Progress for files on a terminal; a live stream prints findings as they come.
        if session.progress, case .path = input, path != "-", ProgressMeter.enabled() {
            meter = ProgressMeter(path: path)
        }
        var captureOptions = session.captureOptions
        captureOptions.firstConnectionID = nextConnection
        var reader = InputReader(path: path, format: session.format, captureOptions: captureOptions, zone: session.zone)
        reader.aliases = session.aliases
        reader.carriedStreams = carriedStreams
        reader.carriedLogParsers = logParsers.take()
        reader.carriedCapture = capture.take()
        if continues {
            reader.keepLogParsers = { [weak self] in self?.logParsers = $0 }
            reader.keepCapture = { [weak self] in self?.capture = $0 }
        }
        let selection = self.selection
        reader.stop = { selection.done }
        let body: ReadAhead.Body
        switch input {
        case .path:
            body = { emit, drained, progress, found throws(InputError) in
                try reader.read(emit: emit, drained: drained, progress: progress, found: found)
            }
        case let .bytes(_, bytes, modified):
            body = { emit, drained, _, found throws(InputError) in
                try reader.read(from: MemorySource(bytes), modified: modified, emit: emit, drained: drained, found: found)
            }
        }
        let progress: (Int64, Int64?) -> Void = { [meter] read, total in meter?.update(read: read, total: total) }
        do {
            // With more than one job, the input is read on a thread of its own (not under
            // `-c N`, where the reader stops at the message the check counts).
            if session.jobs > 1, session.limit == nil {
                try ReadAhead.run(body, emit: handle, drained: drained, progress: progress, found: found)
            } else {
                try body(handle, drained, progress, found)
            }
            settle()
        } catch {
            settle()
            meter?.clear()
            writer.inputFailed(error.diagnostic)
            complete = false
        }
        meter?.clear()
        if ends { end(path) }
        return complete
    }

    /// Reports what the input (or the sequence of inputs) covered.
    func end(_ path: String) {
        if let local, !endpoints.isEmpty, !endpoints.contains(local) {
            writer.write(
                Diagnostic(
                    .error, "check.local", at: SourceLocation(file: path),
                    "--local \(local) is no endpoint of the capture's Lightning connections (\(endpoints.filter { $0.contains(":") }.sorted().joined(separator: ", ")))"
                ))
        }
        let summary = engines.summary
        if summary.droppedChannels > 0 {
            writer.write(
                Diagnostic(
                    .error, "check.channel-limit", at: SourceLocation(file: path),
                    "more than \(RuleEngine.liveChannels) channels were active at once: the models of \(summary.droppedChannels) least recently active channels were dropped, and their later messages were judged as channels first seen mid-trace"
                ))
        }
        writer.endInput(path, summary)
    }

    func startHazards(_ profile: Profile, node: String?) {
        // The analyzer observes each message as it is checked: no checking ahead.
        settle()
        engines.offloads = false
        let analyzer = HazardAnalyzer(profile: profile, window: session.window, node: node)
        self.analyzer = analyzer
        engines.observer = { event, channel, connection in analyzer.observe(event, channel: channel, connection: connection) }
    }

    /// A writer found in the input. Hazards: as asked, or by default the profile of the log's
    /// implementation (of its release, for lnd and Core Lightning, from the first message
    /// on); the profiled node is the logging node, or the capture's `local` node (else every
    /// receiver).
    func found(_ source: InputSource) {
        guard let configured else {
            guard isAutomatic, let node = source.node else { return }
            let name = source.format.rawValue
            implementation = name
            if BuiltinProfiles.versioned.contains(name) {
                if let analyzer, analyzed == name { analyzer.add(node: node) } else if analyzer == nil { versionedNodes.append((name, node)) }
            } else if BuiltinProfiles.implementations.contains(name), let profile = BuiltinProfiles.profile(name), !profile.reordersChannels {
                if let note = inOrder(node: node, implementation: name, profile: (name, profile)) { unprofiled = note }
            }
            return
        }
        if let analyzer {
            if let node = source.node { analyzer.add(node: node) }
        } else {
            startHazards(configured, node: source.node ?? local)
        }
    }

    /// The note that a node's implementation cannot reorder a channel's messages (its profile
    /// has one queue for them); once per implementation.
    func inOrder(node: String, implementation: String, profile: (name: String, profile: Profile)) -> Diagnostic? {
        guard notedImplementations.insert(implementation).inserted else { return nil }
        return Diagnostic(
            .note, "hazards.profile", at: SourceLocation(file: path),
            "\(node), a \(implementation) log: no reorder hazards, as the \(profile.name) profile (\(profile.profile.description)) processes each channel's messages in order (lntrace profiles \(profile.name))"
        )
    }

    /// At a message: the default profile of the first node waiting for one, started when it
    /// can reorder (the profile its log's version picked, else the newest).
    func profileVersionedNodes() {
        guard analyzer == nil, let first = versionedNodes.first else { return }
        let chosen =
            versioned[first.implementation].map { ($0.name, $0.profile) }
            ?? BuiltinProfiles.profile(first.implementation).map { (first.implementation, $0) }
        let same = versionedNodes.filter { $0.implementation == first.implementation }
        versionedNodes.removeAll { $0.implementation == first.implementation }
        guard let chosen else { return }
        guard chosen.1.reordersChannels else {
            if let note = inOrder(node: first.node, implementation: first.implementation, profile: chosen) { writer.write(note) }
            return
        }
        if let why = versioned[first.implementation]?.note { writer.write(why) }
        startHazards(chosen.1, node: first.node)
        analyzed = first.implementation
        for other in same.dropFirst() { analyzer?.add(node: other.node) }
    }

    /// One event of the input. Checked and reported at once, or, when the engines hand work
    /// off, into a batch that is reported once its work is done.
    func handle(_ event: TraceEvent) {
        guard let pool, engines.offloads else {
            // (A hazard analyzer started: what was checked ahead is reported first.)
            settle()
            return check(event, into: writer)
        }
        if batch == nil {
            // Only these messages hand work off; the state is kept from the first of them.
            guard case let .message(message) = event, let kind = message.content.kind, offloadingKinds.contains(kind) else {
                return check(event, into: writer)
            }
            batch = Batch(engines: engines, selection: selection.state, failing: failing)
        }
        guard var current = batch.take() else { return }
        check(event, into: current.recorded)
        current.events.append(event)
        for work in engines.takeOffloaded() {
            let verdict = Slot<Verdict>()
            current.verdicts.append(verdict)
            current.tickets.append(pool.submit { verdict.value = work() })
        }
        batch = current
        if current.tickets.isEmpty || current.events.count >= Self.batchLimit { settle() }
    }

    /// The messages whose rules may hand work off (``Rule/offloads``).
    private lazy var offloadingKinds = engines.offloadingKinds

    /// A live input paused: what is checked is reported.
    private func drained() {
        settle()
        writer.flush()
    }

    /// Waits for the batch's work and reports its events: as recorded when every verdict
    /// passes, else checked again from the state before them with the work run in line.
    private func settle() {
        guard let current = batch.take(), let pool else { return }
        pool.wait(current.tickets)
        if current.verdicts.allSatisfy({ $0.value?.passed == true }) {
            for write in current.recorded.take() { write(writer) }
            return
        }
        engines = current.engines
        selection.state = current.selection
        failing = current.failing
        engines.offloads = false
        for event in current.events { check(event, into: writer) }
        engines.offloads = analyzer == nil
    }

    /// One event of the input: reported if selected, through the engines and the analyzer.
    private func check(_ event: TraceEvent, into writer: CheckReport) {
        if selection.done {
            if selection.admitsOther(event) { writer.write(event) }
            return
        }
        if let note = unprofiled.take() { writer.write(note) }
        if case let .streams(summary) = event { carriedStreams.merge(summary.streamNumbers) { $1 } }
        if case let .connection(connection) = event {
            nextConnection = max(nextConnection, connection.id + 1)
            let shared = connection.initiator.address == connection.responder.address
            for endpoint in [connection.initiator, connection.responder] {
                endpoints.insert("\(endpoint.address)")
                endpoints.insert(endpoint.description)
                if let name = session.aliases.name(for: endpoint, shared: shared) { endpoints.insert(name) }
            }
        }
        // lnd and Core Lightning logs are profiled by default, under the profile of the
        // release the log states (lnd's `LTND: Version:` line, Core Lightning's `Server
        // started` line), else the newest.
        if case let .note(note) = event, note.kind == "version", isAutomatic, analyzer == nil, let implementation,
            let (name, profile) = BuiltinProfiles.profile(implementation: implementation, version: note.text)
        {
            // (Written only if the profile can reorder; else the note that it cannot names it.)
            let title = implementation == "cln" ? "Core Lightning" : implementation
            versioned[implementation] = (
                name, profile,
                Diagnostic(.note, "hazards.profile", at: note.location, "\(title) \(note.text): reorder hazards under the \(name) profile")
            )
        }
        if case .message = event {
            meter?.message()
            profileVersionedNodes()
        }
        if case let .message(message) = event {
            if selection.admits(message) { writer.write(event) }
        } else if selection.admitsOther(event) {
            writer.write(event)
        }
        let filter = selection.filter
        for var finding in engines.process(event) {
            if let joined, !joined.inputs.admits(&finding, input: joined.number) { continue }
            if !filter.isEmpty, !filter.matches(finding.message) { continue }
            if let baseline = session.baseline, baseline.contains(finding) { continue }
            if let level = session.severityOverrides.last(where: { Catalog.matches(finding.rule.id, $0.pattern) })?.severity {
                finding.severity = level
            }
            writer.write(finding)
            // Root causes decide: a follow-on is there because its root is.
            if finding.isRoot && finding.severity >= session.failOn { failing = true }
        }
        guard let analyzer else { return }
        if case let .message(message) = event, let engine = engines.engine(for: message) {
            for var hazard in analyzer.analyze(message, engine: engine)
            where filter.isEmpty || filter.matches(hazard.first) || filter.matches(hazard.second) {
                if let joined { joined.inputs.annotate(&hazard, input: joined.number) }
                writer.write(hazard)
                if Severity.warning >= session.failOn { failing = true }
            }
        }
        if case let .note(note) = event { analyzer.correlate(note) }
        for observation in analyzer.takeObservations()
        where filter.isEmpty || filter.matches(observation.hazard.first) || filter.matches(observation.hazard.second) {
            writer.write(observation)
            // The log shows the failure the hazard causes: an error.
            if observation.confirmed && Severity.error >= session.failOn { failing = true }
        }
    }
}
