import Foundation
import Hazards
import Provenance
import Report
import Rules
import Trace
import Wire

/// Logs recorded at the two ends of one connection (issue 16), found before the check: a
/// first pass reads each log input's messages into a ``VantageJoin``. The check then reports
/// each finding from the view of the node that sent its message, where that node's log is
/// among the inputs: one that only the receiver's view reports as possible (the messages may
/// have crossed) is decided by the sender's log, and one both logs report is reported once
/// (Documentation/joining.md).
public final class JoinedInputs {
    let join: VantageJoin
    /// Each joined connection, for the report's counts.
    public let connections: [JoinedConnection]
    /// The inputs' paths, in order (which input read a message's other end first).
    private let paths: [String]

    /// Findings reported so far, by pair, rule, and the sending log's line: one finding both
    /// logs show is reported once.
    private struct Key: Hashable {
        var pair: Int
        var rule: String
        var sender: Int
        var line: Int
    }
    private var reported = Set<Key>()
    /// Findings left out, by id: their follow-ons are left out too.
    private var dropped = Set<Int>()

    /// The joins among `inputs`, or `nil` when no two are the two ends of one connection.
    /// Standard input cannot be read twice and is not joined.
    convenience init?(inputs: [CheckInput], session: CheckSession) {
        self.init(inputs: inputs, format: session.format, captureOptions: session.captureOptions, zone: session.zone, aliases: session.aliases)
    }

    /// The joins among `inputs` read as `format` (`nil`: recognised), or `nil`.
    public init?(inputs: [CheckInput], format: InputFormat?, captureOptions: CaptureOptions, zone: LocalZone?, aliases: Aliases) {
        var join = VantageJoin()
        // One input is read here only as far as it takes to see a second node in it (a
        // `docker compose logs` stream of both ends); else the check reads it once.
        let probe = inputs.count == 1
        var nodes = Set<String>()
        var seen = 0
        /// Reads one input into the join; a capture only when `captures` (else its reading
        /// stops at once). Returns whether it is a capture.
        func read(_ number: Int, _ input: CheckInput, captures: Bool) -> Bool {
            var reader = InputReader(path: input.path, format: format, captureOptions: captureOptions, zone: zone)
            reader.aliases = aliases
            var capture = false
            reader.stop = { (capture && !captures) || (probe && nodes.count < 2 && seen > Self.probeMessages) }
            let emit: (TraceEvent) -> Void = { event in
                guard case let .message(message) = event else { return }
                // Every message counts toward the probe (a hex dump has no node at all).
                seen += 1
                guard captures || message.vantage != nil else { return }
                if probe, let node = message.vantage, nodes.count < 2 { nodes.insert(node) }
                join.add(message, input: number)
            }
            let found: (InputSource) -> Void = { source in if source.format == .pcap { capture = true } }
            // What does not read is reported by the check that follows.
            switch input {
            case .path: try? reader.read(emit: emit, found: found)
            case let .bytes(_, bytes, modified): try? reader.read(from: MemorySource(bytes), modified: modified, emit: emit, found: found)
            }
            return capture
        }
        // Only what can be read twice: a regular file (not standard input or a pipe).
        let readable = inputs.enumerated().filter { _, input in
            if case let .path(path) = input { return Self.isRegularFile(path) }
            return true
        }
        // The logs first; the captures (decrypted again) only when a log can join them.
        var captures: [(Int, CheckInput)] = []
        for (number, input) in readable where read(number, input, captures: false) { captures.append((number, input)) }
        if !join.streams.isEmpty {
            for (number, input) in captures { _ = read(number, input, captures: true) }
        }
        if probe, nodes.count < 2 { return nil }
        join.solve()
        guard !join.pairs.isEmpty else { return nil }
        self.join = join
        paths = inputs.map(\.path)
        connections = join.pairs.map {
            JoinedConnection(
                inputs: (join.streams[$0.first].input, join.streams[$0.second].input), sharedMessages: $0.matched, channels: $0.channels)
        }
    }

    /// What the join found, for the report: a note per joined connection with the clock
    /// offset, a warning per message only one log shows (the first 100 per connection).
    public func diagnostics() -> [Diagnostic] {
        var out: [Diagnostic] = []
        for pair in join.pairs {
            let a = join.streams[pair.first]
            let b = join.streams[pair.second]
            func name(_ stream: VantageJoin.Stream) -> String {
                "\(stream.file) (\(stream.capture ? "connection" : "\(stream.node), peer stream") \(stream.connection))"
            }
            let what = a.capture || b.capture ? "show one connection" : "are the two ends of one connection"
            var text = "\(name(a)) and \(name(b)) \(what): \(pair.matched) messages in both, \(pair.oneSided.count) in one only"
            if let offset = pair.offset, let estimate = offset.estimate {
                let lower = offset.lower.map { Self.milliseconds($0 - offset.resolution) } ?? "?"
                let upper = offset.upper.map { Self.milliseconds($0 + offset.resolution) } ?? "?"
                // Two nodes of one input are told apart by node, two inputs by file.
                let (first, second) = a.file == b.file ? (a.node, b.node) : (a.file, b.file)
                text += "; \(second)'s clock is \(Self.milliseconds(estimate)) ahead of \(first)'s (between \(lower) and \(upper))"
                if !offset.consistent {
                    text += ", though no single offset fits every message (a clock that jumped or drifted)"
                }
            }
            if let logs = pair.beside {
                let both = join.pairs[logs]
                text +=
                    "; the logs of both its ends, \(join.streams[both.first].file) and \(join.streams[both.second].file), are joined too: one connection"
            }
            if let excerpt = pair.excerpt {
                let long = join.streams[excerpt.stream]
                let short = excerpt.stream == pair.first ? b : a
                let unit = long.capture ? "messages" : "lines"
                text += "; \(short.file) is an excerpt: it matches \(unit) \(excerpt.lines.lowerBound)–\(excerpt.lines.upperBound) of \(long.file)"
            }
            if a.truncated || b.truncated {
                text +=
                    "; only their first messages were compared (at most \(VantageJoin.maximumMessages) per stream, \(VantageJoin.maximumEntries) in all)"
            }
            out.append(Diagnostic(.note, "join.connection", at: SourceLocation(file: b.file), text))
            if join.streamsLeftOut > 0, pair.first == join.pairs.first?.first {
                out.append(
                    Diagnostic(
                        .note, "join.connection", at: SourceLocation(file: b.file),
                        "\(join.streamsLeftOut) more connections or peer streams were not compared for joining (at most \(VantageJoin.maximumStreams))"
                    ))
            }
            for side in pair.oneSided.prefix(100) {
                let stream = join.streams[side.stream]
                let other = join.streams[side.stream == pair.first ? pair.second : pair.first]
                let name = MessageKind(rawValue: side.kind)?.name ?? "type \(side.kind)"
                let what = side.sent ? "sent here is not received" : "received here is not sent"
                out.append(
                    Diagnostic(
                        .warning, "join.one-sided", at: SourceLocation(file: stream.file, line: side.line),
                        "`\(name)` \(what) in \(other.file) (a line that log does not have: its log level, or a cut log)"))
            }
            if pair.oneSided.count > 100 {
                out.append(
                    Diagnostic(
                        .warning, "join.one-sided", at: SourceLocation(file: b.file),
                        "\(pair.oneSided.count - 100) more messages only one of \(a.file) and \(b.file) shows"))
            }
        }
        return out
    }

    /// How many messages of a single input are read before, seeing one node only, it is not
    /// joined.
    static let probeMessages = 5_000

    /// An offset as the note gives it: milliseconds below a second, else seconds.
    static func milliseconds(_ nanoseconds: Int64) -> String {
        let sign = nanoseconds >= 0 ? "+" : ""
        if nanoseconds.magnitude < 1_000_000_000 { return sign + String(format: "%.3f ms", Double(nanoseconds) / 1_000_000) }
        return sign + String(format: "%.3f s", Double(nanoseconds) / 1_000_000_000)
    }

    static func isRegularFile(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFREG
    }

    /// A message of input `input` in its joined stream: the stream, its pair's index, and
    /// the message's counterpart in the other stream, if the other shows it.
    private func locate(_ message: MessageEvent, input: Int) -> (
        stream: Int, pair: Int, counterpart: (line: Int, time: Int64?, sent: Bool, frame: Int32)?
    )? {
        guard let line = VantageJoin.place(of: message), let connection = message.connection,
            let (stream, pair) = join.pair(input: input, node: VantageJoin.node(of: message), connection: connection)
        else { return nil }
        return (stream, pair, join.counterpart(line: line, in: stream, pair: join.pairs[pair]))
    }

    /// The other end of a located message, as reports show it.
    private func otherEnd(stream: Int, pair index: Int, _ counterpart: (line: Int, time: Int64?, sent: Bool, frame: Int32)) -> OtherEnd {
        let pair = join.pairs[index]
        let other = join.streams[pair.first == stream ? pair.second : pair.first]
        // The offset is the second stream's clock ahead of the first's.
        let offset = pair.offset?.estimate.map { pair.first == stream ? $0 : -$0 }
        return OtherEnd(
            location: other.capture
                ? SourceLocation(file: other.file, frames: [Int(counterpart.frame)])
                : SourceLocation(file: other.file, line: counterpart.line),
            time: counterpart.time.map { Timestamp(seconds: 0, nanosecondsCarried: $0) },
            sent: !counterpart.sent, clockOffset: offset)
    }

    /// Where the other end's log shows `message` of input `input`, if it is joined and shown.
    public func otherEnd(of message: MessageEvent, input: Int) -> OtherEnd? {
        guard let (stream, pair, counterpart) = locate(message, input: input), let counterpart else { return nil }
        return otherEnd(stream: stream, pair: pair, counterpart)
    }

    /// Where the other end shows a message of input `input`, and whether that was read
    /// before it (in an earlier input, or earlier in this one when it holds both nodes'
    /// logs): `dump`, `stats` and `diagram` show such a message once, where it was read first.
    public func placement(of message: MessageEvent, input: Int) -> (end: OtherEnd?, readBefore: Bool) {
        guard let (stream, pair, counterpart) = locate(message, input: input), let counterpart else { return (nil, false) }
        let end = otherEnd(stream: stream, pair: pair, counterpart)
        if end.location.file == message.location.file {
            return (end, (end.location.line ?? 0) < (message.location.line ?? 0))
        }
        // A log that a capture joins too: the message was read before if the capture came first.
        let earlier = paths.prefix(input)
        let besideEarlier = join.besidePairs(of: stream).contains { index in
            guard index != pair, let line = VantageJoin.place(of: message),
                join.counterpart(line: line, in: stream, pair: join.pairs[index]) != nil
            else { return false }
            let other = join.pairs[index].first == stream ? join.pairs[index].second : join.pairs[index].first
            return earlier.contains(join.streams[other].file)
        }
        return (end, earlier.contains(end.location.file) || besideEarlier)
    }

    /// A hazard of input `input`, with where the other end's log shows its two messages.
    func annotate(_ hazard: inout Hazard, input: Int) {
        hazard.first.otherEnd = otherEnd(of: hazard.first, input: input)
        hazard.second.otherEnd = otherEnd(of: hazard.second, input: input)
    }

    /// The line that sent a message in the log at the other end of pair `logs`, from the line
    /// of stream `stream` (of that pair) that received it.
    private func senderLine(_ line: Int, in stream: Int, pair logs: Int) -> (stream: Int, line: Int)? {
        let pair = join.pairs[logs]
        guard let sent = join.counterpart(line: line, in: stream, pair: pair), !sent.sent else { return nil }
        return (pair.first == stream ? pair.second : pair.first, sent.line)
    }

    /// Whether to report `finding` of input `input` (called once per finding, in order); one
    /// that is reported learns where the other end's log shows its message.
    func admits(_ finding: inout Finding, input: Int) -> Bool {
        if let root = finding.follows, dropped.contains(root) {
            dropped.insert(finding.id)
            return false
        }
        let message = finding.message
        guard let line = VantageJoin.place(of: message), let direction = message.direction,
            let (stream, pairNumber, counterpart) = locate(message, input: input)
        else { return true }
        let pair = join.pairs[pairNumber]
        // A capture seen from its responder "sends" what its initiator receives.
        let flipped = pair.first == stream ? pair.firstFlipped : pair.secondFlipped
        let other = pair.first == stream ? pair.second : pair.first
        // The message as its sender logged it.
        let sender: (stream: Int, line: Int)
        finding.message.otherEnd = counterpart.map { otherEnd(stream: stream, pair: pairNumber, $0) }
        // Findings of a capture beside a pair of logs are keyed as the logs' are.
        let keyPair = pair.beside ?? pairNumber
        if (direction == .out) != flipped {
            // A capture beside a pair of logs: its message's sender is the other log's node,
            // whose own log decides.
            if let logs = pair.beside, let counterpart, let senderLine = senderLine(counterpart.line, in: other, pair: logs) {
                if finding.certainty == .possible {
                    dropped.insert(finding.id)
                    return false
                }
                sender = senderLine
            } else {
                sender = (stream, line)
            }
        } else if let counterpart {
            // The sender's log judges it with what the sender knew: a finding only the
            // receiver's view calls possible is the sender's log's to make, or not.
            if finding.certainty == .possible {
                dropped.insert(finding.id)
                return false
            }
            sender = (other, counterpart.line)
        } else {
            return true  // one-sided: only this log shows it
        }
        if !reported.insert(Key(pair: keyPair, rule: finding.rule.id, sender: sender.stream, line: sender.line)).inserted {
            dropped.insert(finding.id)
            return false
        }
        return true
    }
}
