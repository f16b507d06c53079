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

    public init(keyLog: KeyLog = KeyLog(), ports: Set<UInt16> = [], maximumEpochs: Int = 64, maximumLostMessages: Int = 64) {
        self.keyLog = keyLog
        self.ports = ports
        self.lightningPorts = ports.union([9735])
        self.maximumEpochs = maximumEpochs
        self.maximumLostMessages = maximumLostMessages
    }
}

/// Turns the TCP streams of a capture into BOLT #8-decrypted, decoded message events, one
/// Lightning connection at a time, and keeps a summary of each connection.
///
/// A connection is Lightning if its first bytes have the shape of the BOLT #8 handshake
/// (act one and act two: 50 bytes starting with version 0 and a compressed public key,
/// act three 66 bytes), or if a supplied key decrypts it. Memory per connection is bounded:
/// at most one frame (≤ 65569 bytes) is buffered per direction while decrypting, and at
/// most ``searchLimit`` bytes while searching for frame alignment.
public final class CaptureAssembler {
    let file: String
    let options: CaptureOptions
    let emit: (TraceEvent) -> Void
    private var streams: [Int: Stream] = [:]
    /// Whether a finished connection decrypted (summaries themselves go out as events: a
    /// capture of a million connections keeps none of them).
    public private(set) var anyDecrypted = false
    /// Lightning connections finished.
    public private(set) var finishedCount = 0
    /// TCP connections that were not Lightning.
    public private(set) var otherConnections = 0
    /// Bytes kept per direction while looking for frame alignment.
    public static let searchLimit = 1 << 18
    /// Bytes inspected per direction before giving up on alignment.
    public static let searchBudget: Int64 = 1 << 20
    /// Bytes kept per direction before the start of a connection is recognised.
    public static let detectLimit = 1 << 16
    /// Trial decryptions left for alignment searches (see ``CaptureOptions/trialBudget``).
    private var trialsLeft: Int
    /// Bytes held by all streams (see ``CaptureOptions/maximumBuffered``).
    private var buffered = 0

    public init(file: String, options: CaptureOptions, emit: @escaping (TraceEvent) -> Void) {
        self.file = file
        self.options = options
        self.emit = emit
        trialsLeft = options.trialBudget
    }

    enum Phase {
        case detecting
        case lightning
        case other
    }

    enum Mode {
        /// Before the handshake is recognised: keep the bytes.
        case collecting
        /// Skipping `remaining` handshake bytes, then decrypting with `next`.
        case handshake(remaining: Int)
        case decrypting(FrameDecryptor)
        /// Looking for a frame start with these candidates; `searched` bytes tried so far.
        case searching([Synchronizer.Candidate], searched: Int64, fullOffsetsOnly: Bool)
        /// Not decrypting (no key, or given up): bytes are only counted.
        case off
    }

    struct Mark {
        var start: Int64
        var end: Int64
        var frame: Int
        var time: Timestamp
    }

    struct Direction {
        /// Received bytes; those before `head` are consumed (compacted from time to time, so
        /// consuming a frame does not move the rest).
        var storage: [UInt8] = []
        var head = 0
        /// Stream offset of the first unconsumed byte.
        var base: Int64 = 0
        var marks: [Mark] = []
        var mode: Mode = .collecting
        var received: Int64 = 0
        var messages = 0
        var everDecrypted = false

        /// The unconsumed bytes.
        var buffer: ArraySlice<UInt8> { storage[head...] }

        var end: Int64 { base + Int64(storage.count - head) }

        mutating func append(_ bytes: ArraySlice<UInt8>, frame: Int, time: Timestamp) {
            let start = end
            if head > 0, head >= storage.count / 2 {
                storage.removeFirst(head)
                head = 0
            }
            storage.append(contentsOf: bytes)
            marks.append(Mark(start: start, end: end, frame: frame, time: time))
        }

        /// Drops the first `count` bytes, returning the frames that carried them and the
        /// time of the last.
        mutating func consume(_ count: Int) -> (frames: [Int], time: Timestamp?) {
            let stop = base + Int64(count)
            var frames: [Int] = []
            var time: Timestamp?
            for mark in marks where mark.start < stop && mark.end > base {
                if frames.last != mark.frame { frames.append(mark.frame) }
                time = mark.time
            }
            if let firstKept = marks.firstIndex(where: { $0.end > stop }) {
                marks.removeFirst(firstKept)
            } else {
                marks.removeAll(keepingCapacity: true)
            }
            head += count
            base = stop
            return (frames, time)
        }

        /// Frame starts (segment boundaries) within the buffer, as buffer offsets.
        var segmentStarts: [Int] {
            marks.map { Int($0.start - base) }.filter { $0 >= 0 && $0 < storage.count - head }
        }

        mutating func clear() {
            storage.removeAll()
            head = 0
            marks.removeAll()
        }
    }

    final class Stream {
        var info: TCPConnectionInfo
        var summary: ConnectionSummary
        var phase: Phase = .detecting
        /// Index 0: bytes from `info.a`; 1: from `info.b`.
        var directions = [Direction(), Direction()]
        /// Bytes the directions hold.
        var held: Int { directions[0].storage.count + directions[1].storage.count }
        /// Whether `info.a` is the Lightning initiator.
        var initiatorIsA = true
        var nextIndex = 0

        init(info: TCPConnectionInfo) {
            self.info = info
            summary = ConnectionSummary(
                id: info.id, initiator: info.a, responder: info.b, initiatorKnown: info.synSeen,
                handshakeSeen: false, firstFrame: info.firstFrame, lastFrame: info.firstFrame,
                firstTime: info.firstTime, lastTime: info.firstTime)
        }
    }

    // MARK: Events

    public func handle(_ event: TCPEvent) {
        switch event {
        case let .opened(info):
            streams[info.id] = Stream(info: info)
        case let .chunk(id, fromA, chunk):
            guard let stream = streams[id] else { return }
            let index = fromA ? 0 : 1
            let before = stream.held
            defer { account(stream, before: before) }
            switch chunk {
            case let .data(bytes, frame, time):
                trialsLeft = trialsLeft > Int.max / 2 ? trialsLeft : trialsLeft + bytes.count * options.trialsPerByte
                stream.summary.lastFrame = max(stream.summary.lastFrame, frame)
                stream.summary.lastTime = max(stream.summary.lastTime, time)
                stream.directions[index].received += Int64(bytes.count)
                if case .off = stream.directions[index].mode {
                    stream.directions[index].base += Int64(bytes.count)
                } else if stream.phase == .other {
                    return
                } else {
                    stream.directions[index].append(bytes, frame: frame, time: time)
                }
                process(stream)
            case let .gap(size, frame, time):
                gap(stream, index, size: size, frame: frame, time: time)
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
        for victim in streams.values.sorted(by: { $0.held > $1.held }) {
            guard buffered > target, victim.held > 0 else { break }
            let held = victim.held
            let frame = victim.summary.lastFrame
            let text = "stopped decoding: \(held) bytes held waiting while the capture's limit of \(options.maximumBuffered >> 20) MB held by all connections was reached"
            emit(.diagnostic(Diagnostic(.error, "capture.buffer-limit", at: SourceLocation(file: file, frames: [frame]),
                                        "connection \(victim.info.id): \(text)")))
            victim.summary.addProblem(text)
            for i in 0..<2 {
                victim.directions[i].mode = .off
                victim.directions[i].base = victim.directions[i].end
                victim.directions[i].clear()
            }
            if victim.phase == .detecting { victim.phase = .other }
            buffered -= held
        }
    }

    // MARK: Detection

    static func hasActShape(_ bytes: ArraySlice<UInt8>) -> Bool {
        let i = bytes.startIndex
        return bytes.count >= HandshakeSize.actOne && bytes[i] == 0 && (bytes[i + 1] == 2 || bytes[i + 1] == 3)
    }

    private func process(_ stream: Stream) {
        if stream.phase == .detecting { detect(stream) }
        guard stream.phase == .lightning else { return }
        for index in 0..<2 { advance(stream, index) }
    }

    private func detect(_ stream: Stream) {
        let a = stream.directions[0], b = stream.directions[1]
        if a.buffer.count > Self.detectLimit || b.buffer.count > Self.detectLimit {
            // No handshake in this much: not a start that will still be recognised.
            midConnection(stream)
            return
        }
        let aStarts = stream.info.synSeen && a.base == 0, bStarts = stream.info.synSeen && b.base == 0
        // With the start of the stream captured, act one comes first from the client.
        if aStarts && a.buffer.count >= HandshakeSize.actOne {
            if Self.hasActShape(a.buffer) {
                beginHandshake(stream, initiatorIsA: true)
            } else {
                midConnection(stream)
            }
            return
        }
        if !stream.info.synSeen, a.buffer.count >= HandshakeSize.actOne, b.buffer.count >= HandshakeSize.actTwo,
           Self.hasActShape(a.buffer), Self.hasActShape(b.buffer) {
            // The capture started after the SYN but before act one: the side that spoke
            // first is the initiator.
            let aFirst = (a.marks.first?.frame ?? 0) <= (b.marks.first?.frame ?? 0)
            beginHandshake(stream, initiatorIsA: aFirst)
            return
        }
        if aStarts || bStarts {
            // Wait for act one, unless the first bytes already rule it out.
            if let first = a.buffer.first, first != 0 { midConnection(stream) }
            else if a.buffer.isEmpty, let first = b.buffer.first, first != 0 { midConnection(stream) }
            return
        }
        // Mid-connection: decide once some bytes are here.
        if a.buffer.count + b.buffer.count >= HandshakeSize.actOne { midConnection(stream) }
    }

    private func beginHandshake(_ stream: Stream, initiatorIsA: Bool) {
        stream.phase = .lightning
        stream.initiatorIsA = initiatorIsA
        stream.summary.handshakeSeen = true
        stream.summary.initiatorKnown = true
        (stream.summary.initiator, stream.summary.responder) = initiatorIsA ? (stream.info.a, stream.info.b) : (stream.info.b, stream.info.a)
        let i = initiatorIsA ? 0 : 1
        stream.directions[i].mode = .handshake(remaining: HandshakeSize.actOne + HandshakeSize.actThree)
        stream.directions[1 - i].mode = .handshake(remaining: HandshakeSize.actTwo)
        // Act one carries the initiator's ephemeral key, which names the session's key.
        let actOne = stream.directions[i]
        startDecryption(stream, ephemeral: Array(actOne.buffer.dropFirst().prefix(33)), frame: actOne.marks.first?.frame ?? stream.info.firstFrame)
    }

    /// A connection whose handshake was not captured: Lightning if a key aligns with it, or
    /// if it uses a Lightning port.
    private func midConnection(_ stream: Stream) {
        let ports = options.lightningPorts
        let onLightningPort = ports.contains(stream.info.a.port) || ports.contains(stream.info.b.port)
        guard !options.keyLog.isEmpty || onLightningPort else {
            stream.phase = .other
            for i in 0..<2 { stream.directions[i].clear() }
            return
        }
        stream.phase = .lightning
        if !stream.info.synSeen, stream.info.a.port < stream.info.b.port {
            // A guess until a key says otherwise (marked unknown): the initiator usually
            // connects from an ephemeral port, the higher one.
            stream.initiatorIsA = false
            (stream.summary.initiator, stream.summary.responder) = (stream.info.b, stream.info.a)
        }
        for i in 0..<2 {
            stream.directions[i].mode = .searching(midCandidates, searched: 0, fullOffsetsOnly: true)
        }
    }

    /// Every key of the key log at every epoch and nonce: what a connection whose start was
    /// not captured is tried with. Derived once per capture (each epoch is an HKDF step).
    private lazy var midCandidates: [Synchronizer.Candidate] = {
        var candidates: [Synchronizer.Candidate] = []
        for (n, ck) in options.keyLog.chainingKeysByEphemeral.values.enumerated() {
            let keys = TransportKeys(chainingKey: ck)
            // Label: 2n for the initiator's key, 2n+1 for the responder's.
            candidates += Synchronizer.epochs(of: keys, fromInitiator: true, upTo: options.maximumEpochs, label: 2 * n)
            candidates += Synchronizer.epochs(of: keys, fromInitiator: false, upTo: options.maximumEpochs, label: 2 * n + 1)
        }
        // Per-epoch keys work mid-epoch too, at an unknown nonce; the next epoch's key is
        // then found by its tag.
        for key in options.keyLog.keysByTag.values {
            candidates.append(Synchronizer.Candidate(cipher: CipherState(key: key, chainingKey: nil), nonces: Synchronizer.Candidate.allNonces, label: -1))
        }
        return candidates
    }()

    // MARK: Decryption

    private func advance(_ stream: Stream, _ index: Int) {
        var direction = stream.directions[index]
        defer { stream.directions[index] = direction }
        loop: while true {
            switch direction.mode {
            case .collecting, .off:
                return
            case let .handshake(remaining):
                let take = min(remaining, direction.buffer.count)
                _ = direction.consume(take)
                if take < remaining {
                    direction.mode = .handshake(remaining: remaining - take)
                    return
                }
                direction.mode = pendingModes[stream.info.id]?[index] ?? .off
            case var .decrypting(decryptor):
                let output = decryptor.next(direction.buffer[...])
                switch output {
                case let .message(bytes, consumed):
                    direction.mode = .decrypting(decryptor)
                    let (frames, time) = direction.consume(consumed)
                    direction.messages += 1
                    direction.everDecrypted = true
                    deliver(stream, index, bytes, frames: frames, time: time)
                case .needMore:
                    direction.mode = .decrypting(decryptor)
                    return
                case let .failed(error, header):
                    direction.mode = .decrypting(decryptor)
                    failed(stream, index, &direction, decryptor: decryptor, error: error, header: header)
                }
            case let .searching(candidates, searched, fullOffsetsOnly):
                guard search(stream, index, &direction, candidates: candidates, searched: searched, fullOffsetsOnly: fullOffsetsOnly) else {
                    return
                }
            }
        }
    }

    /// Modes each direction enters after the handshake bytes, set up once act one is seen.
    private var pendingModes: [Int: [Mode]] = [:]

    private func startDecryption(_ stream: Stream, ephemeral: [UInt8], frame: Int) {
        let initiator = stream.initiatorIsA ? 0 : 1
        var modes: [Mode] = [.off, .off]
        if let keys = options.keyLog.keys(ephemeral: ephemeral) {
            modes[initiator] = .decrypting(FrameDecryptor(cipher: keys.cipher(fromInitiator: true)))
            modes[1 - initiator] = .decrypting(FrameDecryptor(cipher: keys.cipher(fromInitiator: false)))
        } else if !options.keyLog.keysByTag.isEmpty {
            // Per-epoch keys: the first frame's length tag names the key.
            modes = [.decrypting(FrameDecryptor(cipher: .awaitingKey(), keyLog: options.keyLog)),
                     .decrypting(FrameDecryptor(cipher: .awaitingKey(), keyLog: options.keyLog))]
        } else {
            let reason = "no key in the key logs for this connection"
            stream.summary.addProblem(reason)
            holdNoKey(Diagnostic(.error, "bolt8.no-key", at: SourceLocation(file: file, frames: [frame]),
                                 "connection \(stream.info.id) (\(stream.summary.initiator) → \(stream.summary.responder)): \(reason)"))
        }
        pendingModes[stream.info.id] = modes
    }

    private func deliver(_ stream: Stream, _ index: Int, _ bytes: [UInt8], frames: [Int], time: Timestamp?) {
        let fromInitiator = (index == 0) == stream.initiatorIsA
        if fromInitiator { stream.summary.messagesOut += 1 } else { stream.summary.messagesIn += 1 }
        let content = MessageContent.decoding(bytes)
        let location = SourceLocation(file: file, frames: frames)
        if case let .undecodable(_, _, error) = content {
            emit(.diagnostic(Diagnostic(.error, "wire.malformed", at: location, "connection \(stream.info.id): \(error)")))
        }
        let (initiator, responder) = Self.parties(stream.summary.initiator, stream.summary.responder, aliases: options.aliases)
        emit(.message(MessageEvent(
            connection: stream.info.id, direction: fromInitiator ? .out : .in, index: stream.nextIndex,
            content: content, location: location, time: time,
            sender: fromInitiator ? initiator : responder, receiver: fromInitiator ? responder : initiator,
            streamStart: stream.summary.handshakeSeen, length: bytes.count)))
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

    private func failed(
        _ stream: Stream, _ index: Int, _ direction: inout Direction, decryptor: FrameDecryptor, error: TransportError, header: Bool
    ) {
        let span = min(direction.buffer.count, FrameDecryptor.headerSize)
        let frames = direction.marks.filter { $0.start < direction.base + Int64(span) }.map(\.frame)
        let location = SourceLocation(file: file, frames: frames.isEmpty ? [stream.summary.lastFrame] : [frames[0]])
        let side = (index == 0) == stream.initiatorIsA ? "from the initiator" : "from the responder"
        if !direction.everDecrypted {
            // The very first frame does not decrypt: the key is wrong or missing.
            let reason = error == .noKey
                ? "no key in the key logs for the traffic \(side)"
                : "the key for this connection does not decrypt the traffic \(side) (wrong key?)"
            let diagnostic = Diagnostic(.error, error == .noKey ? "bolt8.no-key" : "bolt8.wrong-key", at: location,
                                        "connection \(stream.info.id): \(reason)")
            if error == .noKey { holdNoKey(diagnostic) } else { emit(.diagnostic(diagnostic)) }
            emit(.lost(LostMessages(connection: stream.info.id, direction: (index == 0) == stream.initiatorIsA ? .out : .in,
                                    reason: reason, location: location)))
            stream.summary.addProblem(reason)
            direction.mode = .off
            direction.base = direction.end
            direction.clear()
            return
        }
        let what = error == .noKey ? "no key for the next key epoch" : "a frame does not decrypt (corrupted or missing bytes)"
        emit(.diagnostic(Diagnostic(.error, "bolt8.decrypt-failed", at: location,
                                    "connection \(stream.info.id): \(what) \(side) after \(direction.messages) messages")))
        emit(.lost(LostMessages(connection: stream.info.id, direction: (index == 0) == stream.initiatorIsA ? .out : .in,
                                reason: "\(what) \(side) at frame \(location.frames.first ?? 0)", location: location)))
        stream.summary.addProblem("\(what) at frame \(location.frames.first ?? 0)")
        // Search for the next frame from the next length-block nonce (a failed body leaves
        // the nonce odd; the search rounds it up).
        let cipher = decryptor.cipher
        direction.mode = .searching(
            Synchronizer.continuing(cipher, messages: options.maximumLostMessages), searched: 0, fullOffsetsOnly: false)
        // Move past the bad frame start so the search cannot find it again.
        _ = direction.consume(min(1, direction.buffer.count))
    }

    /// Returns whether alignment was found (the direction is decrypting again).
    private func search(
        _ stream: Stream, _ index: Int, _ direction: inout Direction,
        candidates: [Synchronizer.Candidate], searched: Int64, fullOffsetsOnly: Bool
    ) -> Bool {
        let buffer = direction.buffer[...]
        let startOffset = max(0, Int(searched - direction.base))
        let lastOffset = buffer.count - FrameDecryptor.headerSize
        var match: Synchronizer.Match?
        if lastOffset >= startOffset {
            if fullOffsetsOnly {
                // Many candidates: try them only where TCP segments start (senders usually
                // write whole frames); elsewhere only the key-log tag lookup.
                let starts = direction.segmentStarts.filter { $0 >= startOffset && $0 <= lastOffset }
                match = Synchronizer.search(buffer, offsets: starts, candidates: candidates, keyLog: options.keyLog, budget: &trialsLeft)
                if match == nil, trialsLeft > 0 {
                    match = Synchronizer.search(buffer, offsets: startOffset...lastOffset, candidates: [], keyLog: options.keyLog, budget: &trialsLeft)
                }
            } else {
                match = Synchronizer.search(buffer, offsets: startOffset...lastOffset, candidates: candidates, keyLog: options.keyLog, budget: &trialsLeft)
            }
        }
        if let match {
            if match.offset > 0 || direction.base > 0 && !direction.everDecrypted {
                let (frames, _) = direction.consume(match.offset)
                if match.offset > 0 {
                    stream.summary.addProblem("\(match.offset) bytes skipped before a whole frame at frame \(frames.last ?? 0)")
                }
            }
            if !stream.summary.handshakeSeen, !direction.everDecrypted, let label = match.label, label >= 0 {
                // A handshake key's half says who the initiator is.
                let fromInitiator = label % 2 == 0
                stream.initiatorIsA = (index == 0) == fromInitiator
                stream.summary.initiatorKnown = true
                (stream.summary.initiator, stream.summary.responder) = stream.initiatorIsA
                    ? (stream.info.a, stream.info.b) : (stream.info.b, stream.info.a)
                // The other direction needs only the other half of the same key.
                let other = 1 - index
                if case .searching = stream.directions[other].mode {
                    let pair = candidates.filter { $0.label / 2 == label / 2 && $0.label != label }
                    stream.directions[other].mode = .searching(pair, searched: 0, fullOffsetsOnly: true)
                }
            }
            // Keys without a chaining key find their next epoch's key by tag.
            let keyLog = match.cipher.chainingKey == nil ? options.keyLog : KeyLog()
            direction.mode = .decrypting(FrameDecryptor(cipher: match.cipher, keyLog: keyLog))
            return true
        }
        let tried = direction.base + Int64(max(lastOffset + 1, 0))
        let spent = trialsLeft <= 0
        if spent || tried - (direction.marks.first?.start ?? 0) > Self.searchBudget || direction.received > Self.searchBudget * 4 {
            let reason = spent
                ? "key search stopped: the capture's trial decryptions (\(options.trialBudget >> 20)M and \(options.trialsPerByte) per byte read) are spent"
                : direction.everDecrypted
                ? "lost frame alignment and could not find it again"
                : "no key aligns with this connection (its start was not captured)"
            let location = SourceLocation(file: file, frames: [direction.marks.last?.frame ?? stream.summary.lastFrame])
            emit(.diagnostic(Diagnostic(.error, "bolt8.no-alignment", at: location, "connection \(stream.info.id): \(reason)")))
            stream.summary.addProblem(reason)
            direction.mode = .off
            direction.base = direction.end
            direction.clear()
            return false
        }
        // Keep a bounded tail to search further as more bytes arrive.
        if direction.buffer.count > Self.searchLimit {
            _ = direction.consume(direction.buffer.count - Self.searchLimit)
        }
        direction.mode = .searching(candidates, searched: max(tried, direction.base), fullOffsetsOnly: fullOffsetsOnly)
        return false
    }

    private func gap(_ stream: Stream, _ index: Int, size: Int64, frame: Int, time: Timestamp) {
        var direction = stream.directions[index]
        defer { stream.directions[index] = direction }
        let location = SourceLocation(file: file, frames: [frame])
        let side = stream.phase == .lightning ? ((index == 0) == stream.initiatorIsA ? " from the initiator" : " from the responder") : ""
        stream.summary.addProblem("\(size) bytes missing\(side) before frame \(frame)")
        if stream.phase == .other { return }
        emit(.diagnostic(Diagnostic(
            .error, "tcp.gap", at: location,
            "connection \(stream.info.id): \(size) bytes\(side) were not captured (lost segment); decoding resumes after them")))
        switch direction.mode {
        case let .decrypting(decryptor):
            direction.clear()
            direction.base += size
            direction.mode = .searching(
                Synchronizer.continuing(decryptor.cipher, messages: options.maximumLostMessages), searched: 0, fullOffsetsOnly: false)
        case .off:
            direction.base += size
        case .collecting, .handshake:
            direction.clear()
            direction.base += size
            if stream.phase == .detecting {
                stream.directions[index] = direction
                midConnection(stream)
                direction = stream.directions[index]
            } else {
                direction.mode = .off
            }
        case .searching:
            direction.clear()
            direction.base += size
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
            emit(.diagnostic(Diagnostic(anyDecrypted && !options.requireKeys ? .warning : .error, "bolt8.no-key", at: SourceLocation(file: file),
                                        "\(noKeyCount - heldNoKey.count) more connections without a key")))
        }
        heldNoKey = []
    }

    private func close(_ stream: Stream, frame: Int, reason: CloseReason) {
        process(stream)
        var summary = stream.summary
        summary.closeReason = reason.rawValue

        let initiator = stream.initiatorIsA ? 0 : 1
        summary.bytesOut = stream.directions[initiator].received
        summary.bytesIn = stream.directions[1 - initiator].received
        pendingModes[stream.info.id] = nil
        guard stream.phase == .lightning else {
            if stream.phase == .other || summary.bytesOut + summary.bytesIn > 0 { otherConnections += 1 }
            return
        }
        for index in 0..<2 {
            let direction = stream.directions[index]
            let side = (index == 0) == stream.initiatorIsA ? "from the initiator" : "from the responder"
            switch direction.mode {
            case .decrypting where !direction.buffer.isEmpty:
                let location = SourceLocation(file: file, frames: [direction.marks.last?.frame ?? frame])
                let text = "connection ended inside a frame: \(direction.buffer.count) bytes \(side) not decoded"
                summary.addProblem(text)
                emit(.diagnostic(Diagnostic(.warning, "bolt8.incomplete-frame", at: location, "connection \(stream.info.id): \(text)")))
            case .handshake:
                summary.addProblem("handshake incomplete \(side)")
            case .searching:
                if direction.received > 0 {
                    let location = SourceLocation(file: file, frames: [direction.marks.last?.frame ?? frame])
                    let text = direction.everDecrypted ? "frame alignment not found again" : "no key aligns with this connection"
                    summary.addProblem(text + " " + side)
                    emit(.diagnostic(Diagnostic(.error, "bolt8.no-alignment", at: location, "connection \(stream.info.id): \(text) \(side)")))
                }
            default:
                break
            }
        }
        let decrypted = stream.directions.map(\.everDecrypted)
        let total = summary.messagesOut + summary.messagesIn
        if total == 0 {
            summary.decryption = .noKey
            if summary.problems.isEmpty { summary.addProblem("no key") }
        } else if summary.problems.isEmpty && (decrypted[0] || stream.directions[0].received == 0) && (decrypted[1] || stream.directions[1].received == 0) {
            summary.decryption = .decrypted
        } else {
            summary.decryption = .partial
        }
        finishedCount += 1
        if total > 0 { anyDecrypted = true }
        emit(.connection(summary))
    }
}
