import Capture
import Provenance
import Transport
import Wire

/// Options for reading captures.
public struct CaptureOptions: Sendable {
    public var keyLog: KeyLog
    /// Only connections on these ports are followed (all when empty).
    public var ports: Set<UInt16>
    /// Ports on which a connection whose handshake was not captured is assumed to be
    /// Lightning even when no key decrypts it (so it is listed as "no key").
    public var lightningPorts: Set<UInt16>
    /// How many key rotations to try when aligning a connection whose start was not captured.
    public var maximumEpochs: Int
    /// How many lost messages to allow for when re-aligning after a gap.
    public var maximumLostMessages: Int
    /// Whether a connection without a key is an error even when others decrypt
    /// (`--require-keys`); otherwise it is then a warning: captures often hold connections
    /// of other nodes.
    public var requireKeys = false
    /// Names for endpoints (`--alias`), used as the parties' labels.
    public var aliases = Aliases()
    /// Trial decryptions allowed for finding frame alignment, before any payload; every
    /// payload byte adds ``trialsPerByte`` (so the search time stays linear in the input).
    public var trialBudget = 1 << 22
    public var trialsPerByte = 2
    /// Bytes all connections together may hold waiting (frames in progress, alignment
    /// searches, undetected starts); over it, the connections holding most stop decoding.
    public var maximumBuffered = 96 << 20
    /// The number of the capture's first TCP connection (`check --sequence` numbers a
    /// capture's connections on from the one before it).
    public var firstConnectionID = 1

    public init(keyLog: KeyLog = KeyLog(), ports: Set<UInt16> = [], maximumEpochs: Int = 64, maximumLostMessages: Int = 64) {
        self.keyLog = keyLog
        self.ports = ports
        self.lightningPorts = ports.union([9735])
        self.maximumEpochs = maximumEpochs
        self.maximumLostMessages = maximumLostMessages
    }

    /// What the connection decoders of one capture share.
    var decodingContext: DecodingContext {
        DecodingContext(
            keyLog: keyLog, lightningPorts: lightningPorts, maximumEpochs: maximumEpochs,
            maximumLostMessages: maximumLostMessages, trialBudget: trialBudget, trialsPerByte: trialsPerByte)
    }
}

/// Turns the TCP streams of a capture into decoded message events, one Lightning connection
/// at a time, and keeps a summary of each connection.
///
/// The wiring only: each direction's bytes wait in a ``StreamBuffer`` (which knows the
/// frames that carried them), a ``ConnectionDecoder`` finds the BOLT #8 messages in them,
/// and this turns what it finds into message events and diagnostics at their frames. Memory
/// is bounded by the decoder's limits (one frame per direction while decrypting,
/// ``ConnectionDecoder/searchLimit`` while searching, ``ConnectionDecoder/detectLimit``
/// before a start is recognised) and by ``CaptureOptions/maximumBuffered`` for them all.
public final class CaptureAssembler {
    typealias Side = ConnectionDecoder.Side

    private(set) var file: String
    let options: CaptureOptions
    private(set) var emit: (TraceEvent) -> Void
    private var streams: [Int: Stream] = [:]
    /// Whether a finished connection decrypted (summaries themselves go out as events: a
    /// capture of a million connections keeps none of them).
    public private(set) var anyDecrypted = false
    /// Lightning connections finished.
    public private(set) var finishedCount = 0
    /// TCP connections that were not Lightning.
    public private(set) var otherConnections = 0
    /// The key log and the trial-decryption budget, shared by every connection.
    private var context: DecodingContext
    /// Bytes held by all streams (see ``CaptureOptions/maximumBuffered``).
    private var buffered = 0

    public init(file: String, options: CaptureOptions, emit: @escaping (TraceEvent) -> Void) {
        self.file = file
        self.options = options
        self.emit = emit
        context = options.decodingContext
    }

    /// Goes on with the next file of the same packet stream (a ring buffer's files, `check
    /// --sequence`): its frames are located in `file`, its events go to `emit`.
    func retarget(file: String, emit: @escaping (TraceEvent) -> Void) {
        self.file = file
        self.emit = emit
    }

    /// Connections not yet finished that are, or may yet prove, Lightning (a capture that goes
    /// on in the next file holds them: one cut after its SYN is still being recognised).
    public var openConnections: Int { streams.values.filter { $0.decoder.phase != .other }.count }

    final class Stream {
        let info: TCPConnectionInfo
        var summary: ConnectionSummary
        var decoder: ConnectionDecoder
        /// The bytes of each side, by ``ConnectionDecoder/Side/rawValue``.
        var buffers = [StreamBuffer(), StreamBuffer()]
        var nextIndex = 0
        /// The node labels of ``parties(_:_:aliases:)``, made once per initiator: formatting
        /// addresses for every message cost 3% of `check` on a capture.
        private var labels: (initiator: ConnectionDecoder.Side, names: (String, String))?

        init(info: TCPConnectionInfo) {
            self.info = info
            decoder = ConnectionDecoder(synSeen: info.synSeen, portA: info.a.port, portB: info.b.port)
            summary = ConnectionSummary(
                id: info.id, initiator: info.a, responder: info.b, initiatorKnown: info.synSeen,
                handshakeSeen: false, firstFrame: info.firstFrame, lastFrame: info.firstFrame,
                firstTime: info.firstTime, lastTime: info.firstTime)
        }

        /// Bytes the buffers hold.
        var held: Int { buffers[0].held + buffers[1].held }

        var initiator: Endpoint { decoder.initiator == .a ? info.a : info.b }

        /// The (initiator, responder) labels, recomputed only when the initiator is decided anew.
        func parties(aliases: Aliases) -> (String, String) {
            if let labels, labels.initiator == decoder.initiator { return labels.names }
            let names = CaptureAssembler.parties(initiator, responder, aliases: aliases)
            labels = (decoder.initiator, names)
            return names
        }
        var responder: Endpoint { decoder.initiator == .a ? info.b : info.a }

        func input(_ side: Side) -> StreamInput {
            let buffer = buffers[side.rawValue]
            return StreamInput(bytes: buffer.bytes, offset: buffer.offset, received: buffer.received, segmentStarts: buffer.segmentStarts)
        }

        /// "from the initiator" or "from the responder".
        func origin(_ side: Side) -> String {
            side == decoder.initiator ? "from the initiator" : "from the responder"
        }

        func direction(_ side: Side) -> Direction {
            side == decoder.initiator ? .out : .in
        }
    }

    // MARK: Events

    public func handle(_ event: TCPEvent) {
        switch event {
        case let .opened(info):
            streams[info.id] = Stream(info: info)
        case let .chunk(id, fromA, chunk):
            guard let stream = streams[id] else { return }
            let side: Side = fromA ? .a : .b
            let before = stream.held
            defer { account(stream, before: before) }
            switch chunk {
            case let .data(bytes, frame, time):
                context.read(bytes.count)
                stream.summary.lastFrame = max(stream.summary.lastFrame, frame)
                stream.summary.lastTime = max(stream.summary.lastTime, time)
                if stream.decoder.keepsBytes(side) {
                    stream.buffers[side.rawValue].append(bytes, frame: frame, time: time)
                } else {
                    stream.buffers[side.rawValue].pass(bytes.count)
                }
                process(stream)
            case let .gap(size, frame, _):
                gap(stream, side, size: size, frame: frame)
            }
        case let .closed(id, frame, _, reason):
            guard let stream = streams.removeValue(forKey: id) else { return }
            let before = stream.held
            close(stream, frame: frame, reason: reason)
            buffered -= before
        }
    }

    /// Keeps the bytes all streams hold under ``CaptureOptions/maximumBuffered``: over it,
    /// the streams holding most stop decoding (with a diagnostic each) until a quarter is free.
    private func account(_ stream: Stream, before: Int) {
        buffered += stream.held - before
        guard buffered > options.maximumBuffered else { return }
        let target = options.maximumBuffered / 4 * 3
        // Ties go to the older connection, so that the same capture stops the same ones.
        for victim in streams.values.sorted(by: { ($0.held, $1.info.id) > ($1.held, $0.info.id) }) {
            guard buffered > target, victim.held > 0 else { break }
            let held = victim.held
            let frame = victim.summary.lastFrame
            let text =
                "stopped decoding: \(held) bytes held waiting while the capture's limit of \(options.maximumBuffered >> 20) MB held by all connections was reached"
            emit(
                .diagnostic(
                    Diagnostic(
                        .error, "capture.buffer-limit", at: SourceLocation(file: file, frames: [frame]),
                        "connection \(victim.info.id): \(text)")))
            victim.summary.addProblem(text)
            victim.decoder.stop()
            for index in victim.buffers.indices { victim.buffers[index].discard() }
            buffered -= held
        }
    }

    // MARK: Decoding

    private func process(_ stream: Stream) {
        if stream.decoder.phase == .detecting {
            let aFirst = (stream.buffers[0].firstFrame ?? 0) <= (stream.buffers[1].firstFrame ?? 0)
            let loss = stream.decoder.detect(stream.input(.a), stream.input(.b), aFirst: aFirst, context: &context)
            if stream.decoder.phase == .other {
                for index in stream.buffers.indices { stream.buffers[index].clear() }
            }
            if let loss { report(loss, stream, stream.decoder.initiator) }
        }
        guard stream.decoder.phase == .lightning else { return }
        for side in Side.allCases { drain(stream, side) }
    }

    /// Feeds the decoder the bytes of `side` until it needs more.
    private func drain(_ stream: Stream, _ side: Side) {
        while true {
            switch stream.decoder.decode(side, stream.input(side), context: &context) {
            case let .message(bytes, consumed):
                let (frames, time) = stream.buffers[side.rawValue].consume(consumed)
                deliver(stream, side, bytes, frames: frames, time: time)
            case let .skipped(skip, consumed):
                let (frames, _) = stream.buffers[side.rawValue].consume(consumed)
                if skip == .partialFrame {
                    stream.summary.addProblem("\(consumed) bytes skipped before a whole frame at frame \(frames.last ?? 0)")
                }
            case let .needMoreData(consumed):
                stream.buffers[side.rawValue].consume(consumed)
                return
            case let .lost(loss, consumed):
                report(loss, stream, side)
                stream.buffers[side.rawValue].consume(consumed)
                if !stream.decoder.keepsBytes(side) { stream.buffers[side.rawValue].clear() }
            }
        }
    }

    private func deliver(_ stream: Stream, _ side: Side, _ bytes: [UInt8], frames: [Int], time: Timestamp?) {
        let fromInitiator = side == stream.decoder.initiator
        if fromInitiator { stream.summary.messagesOut += 1 } else { stream.summary.messagesIn += 1 }
        let content = MessageContent.decoding(bytes)
        let location = SourceLocation(file: file, frames: frames)
        if case let .undecodable(_, _, error) = content {
            emit(.diagnostic(Diagnostic(.error, "wire.malformed", at: location, "connection \(stream.info.id): \(error)")))
        }
        let (initiator, responder) = stream.parties(aliases: options.aliases)
        var event = MessageEvent(
            connection: stream.info.id, direction: fromInitiator ? .out : .in, index: stream.nextIndex,
            content: content, location: location, time: time,
            sender: fromInitiator ? initiator : responder, receiver: fromInitiator ? responder : initiator,
            streamStart: stream.decoder.handshakeSeen, length: bytes.count)
        event.keptKey = stream.decoder.keptKey(side)
        if (fromInitiator ? stream.summary.messagesOut : stream.summary.messagesIn) == 1, let bad = stream.decoder.badHandshakeVersion(side.other) {
            event.handshakeFault = "act \(bad.act == 2 ? "two" : "three") had version \(bad.version)"
        }
        emit(.message(event))
        stream.nextIndex += 1
    }

    /// Node labels for the two ends: their IP addresses, or, when both share one (loopback),
    /// the responder's listening endpoint and the address for the initiator.
    static func parties(_ initiator: Endpoint, _ responder: Endpoint, aliases: Aliases = Aliases()) -> (String, String) {
        let shared = initiator.address == responder.address
        let named = (aliases.name(for: initiator, shared: shared), aliases.name(for: responder, shared: shared))
        if !shared {
            return (named.0 ?? initiator.address.description, named.1 ?? responder.address.description)
        }
        return (named.0 ?? "\(initiator.address) (client of \(responder.port))", named.1 ?? responder.description)
    }

    /// Reports a loss of messages from `side` (read before its bytes are consumed): a
    /// diagnostic at its frame, a problem of the connection, and for an undecryptable frame
    /// the lost messages themselves.
    private func report(_ loss: ConnectionDecoder.Loss, _ stream: Stream, _ side: Side) {
        let buffer = stream.buffers[side.rawValue]
        let id = stream.info.id
        switch loss {
        case .noKeyForConnection:
            let reason = "no key in the key logs for this connection"
            stream.summary.addProblem(reason)
            holdNoKey(
                Diagnostic(
                    .error, "bolt8.no-key", at: SourceLocation(file: file, frames: [buffer.firstFrame ?? stream.info.firstFrame]),
                    "connection \(id) (\(stream.initiator) → \(stream.responder)): \(reason)"))
        case let .firstFrameUndecryptable(error):
            let location = SourceLocation(file: file, frames: [buffer.firstFrame ?? stream.summary.lastFrame])
            let reason =
                error == .noKey
                ? "no key in the key logs for the traffic \(stream.origin(side))"
                : "the key for this connection does not decrypt the traffic \(stream.origin(side)) (wrong key?)"
            let diagnostic = Diagnostic(
                .error, error == .noKey ? "bolt8.no-key" : "bolt8.wrong-key", at: location,
                "connection \(id): \(reason)")
            if error == .noKey { holdNoKey(diagnostic) } else { emit(.diagnostic(diagnostic)) }
            emit(.lost(LostMessages(connection: id, direction: stream.direction(side), reason: reason, location: location)))
            stream.summary.addProblem(reason)
        case let .frameUndecryptable(error, messages):
            let frame = buffer.firstFrame ?? stream.summary.lastFrame
            let location = SourceLocation(file: file, frames: [frame])
            let what = error == .noKey ? "no key for the next key epoch" : "a frame does not decrypt (corrupted or missing bytes)"
            emit(
                .diagnostic(
                    Diagnostic(
                        .error, "bolt8.decrypt-failed", at: location,
                        "connection \(id): \(what) \(stream.origin(side)) after \(messages) messages")))
            emit(
                .lost(
                    LostMessages(
                        connection: id, direction: stream.direction(side),
                        reason: "\(what) \(stream.origin(side)) at frame \(frame)", location: location)))
            stream.summary.addProblem("\(what) at frame \(frame)")
        case let .noAlignment(failure):
            let reason =
                switch failure {
                case .trialsSpent:
                    "key search stopped: the capture's trial decryptions (\(options.trialBudget >> 20)M and \(options.trialsPerByte) per byte read) are spent"
                case .notFoundAgain: "lost frame alignment and could not find it again"
                case .notFound: "no key aligns with this connection (its start was not captured)"
                }
            let location = SourceLocation(file: file, frames: [buffer.lastFrame ?? stream.summary.lastFrame])
            emit(.diagnostic(Diagnostic(.error, "bolt8.no-alignment", at: location, "connection \(id): \(reason)")))
            stream.summary.addProblem(reason)
        }
    }

    private func gap(_ stream: Stream, _ side: Side, size: Int64, frame: Int) {
        let phase = stream.decoder.phase
        let origin = phase == .lightning ? " " + stream.origin(side) : ""
        stream.summary.addProblem("\(size) bytes missing\(origin) before frame \(frame)")
        if phase == .other { return }
        emit(
            .diagnostic(
                Diagnostic(
                    .error, "tcp.gap", at: SourceLocation(file: file, frames: [frame]),
                    "connection \(stream.info.id): \(size) bytes\(origin) were not captured (lost segment); decoding resumes after them")))
        // The lost bytes held at least part of a message: what follows cannot be judged as if
        // the exchange were whole (a pong whose ping was lost is not an unsolicited one).
        if phase == .lightning, [.decrypting, .searching].contains(stream.decoder.stage(side)) {
            let location = SourceLocation(file: file, frames: [frame])
            emit(
                .lost(
                    LostMessages(
                        connection: stream.info.id, direction: stream.direction(side),
                        reason: "\(size) bytes\(origin) were not captured before frame \(frame)", location: location)))
        }
        // A stopped direction holds nothing but, after a handshake without a key, what
        // followed its acts; those stay.
        if stream.decoder.stage(side) != .stopped { stream.buffers[side.rawValue].clear() }
        stream.buffers[side.rawValue].skip(size)
        stream.decoder.gap(side, context: &context)
        if stream.decoder.phase == .other {
            for index in stream.buffers.indices { stream.buffers[index].clear() }
        }
    }

    /// "No key" diagnostics, held to the end of the capture: an error when nothing in the
    /// capture decrypted (or `requireKeys`), a warning when other connections did.
    private var heldNoKey: [Diagnostic] = []
    private var noKeyCount = 0

    private func holdNoKey(_ diagnostic: Diagnostic) {
        noKeyCount += 1
        if heldNoKey.count < 10_000 { heldNoKey.append(diagnostic) }
    }

    /// The end of the capture (after every connection closed).
    public func finish() {
        for var diagnostic in heldNoKey {
            if anyDecrypted && !options.requireKeys {
                diagnostic.severity = .warning
                diagnostic.message += " (other connections decrypt; --require-keys makes this an error)"
            }
            emit(.diagnostic(diagnostic))
        }
        if noKeyCount > heldNoKey.count {
            emit(
                .diagnostic(
                    Diagnostic(
                        anyDecrypted && !options.requireKeys ? .warning : .error, "bolt8.no-key", at: SourceLocation(file: file),
                        "\(noKeyCount - heldNoKey.count) more connections without a key")))
        }
        heldNoKey = []
    }

    private func close(_ stream: Stream, frame: Int, reason: CloseReason) {
        process(stream)
        let decoder = stream.decoder
        var summary = stream.summary
        summary.closeReason = reason.rawValue
        summary.initiator = stream.initiator
        summary.responder = stream.responder
        summary.initiatorKnown = decoder.initiatorKnown
        summary.handshakeSeen = decoder.handshakeSeen
        summary.bytesOut = stream.buffers[decoder.initiator.rawValue].received
        summary.bytesIn = stream.buffers[decoder.initiator.other.rawValue].received
        guard decoder.phase == .lightning else {
            if decoder.phase == .other || summary.bytesOut + summary.bytesIn > 0 { otherConnections += 1 }
            return
        }
        for side in Side.allCases {
            let buffer = stream.buffers[side.rawValue]
            let origin = stream.origin(side)
            switch decoder.stage(side) {
            case .decrypting where !buffer.bytes.isEmpty:
                let location = SourceLocation(file: file, frames: [buffer.lastFrame ?? frame])
                let text = "connection ended inside a frame: \(buffer.bytes.count) bytes \(origin) not decoded"
                summary.addProblem(text)
                emit(.diagnostic(Diagnostic(.warning, "bolt8.incomplete-frame", at: location, "connection \(stream.info.id): \(text)")))
            case .handshake:
                summary.addProblem("handshake incomplete \(origin)")
            case .searching:
                if buffer.received > 0 {
                    let location = SourceLocation(file: file, frames: [buffer.lastFrame ?? frame])
                    let text = decoder.decrypted(side) ? "frame alignment not found again" : "no key aligns with this connection"
                    summary.addProblem(text + " " + origin)
                    emit(.diagnostic(Diagnostic(.error, "bolt8.no-alignment", at: location, "connection \(stream.info.id): \(text) \(origin)")))
                }
            default:
                break
            }
        }
        let total = summary.messagesOut + summary.messagesIn
        let whole = Side.allCases.allSatisfy { decoder.decrypted($0) || stream.buffers[$0.rawValue].received == 0 }
        if total == 0 {
            summary.decryption = .noKey
            if summary.problems.isEmpty { summary.addProblem("no key") }
        } else if summary.problems.isEmpty && whole {
            summary.decryption = .decrypted
        } else {
            summary.decryption = .partial
        }
        finishedCount += 1
        if total > 0 { anyDecrypted = true }
        emit(.connection(summary))
    }
}
