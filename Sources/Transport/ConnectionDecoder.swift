/// One direction's bytes as the caller holds them, shown to a ``ConnectionDecoder``.
public struct StreamInput: Sendable {
    /// The bytes received and not yet consumed.
    public var bytes: ArraySlice<UInt8>
    /// Where `bytes` starts in the direction's byte stream.
    public var offset: Int64
    /// Bytes the direction received in all (held, consumed or not kept).
    public var received: Int64
    /// Stream offsets where the TCP segments holding `bytes` start (the first may start
    /// before `offset`): senders usually write whole frames, so frames tend to start there.
    public var segmentStarts: [Int64]

    public init(bytes: ArraySlice<UInt8>, offset: Int64 = 0, received: Int64? = nil, segmentStarts: [Int64] = []) {
        self.bytes = bytes
        self.offset = offset
        self.received = received ?? offset + Int64(bytes.count)
        self.segmentStarts = segmentStarts
    }
}

/// Decodes both directions of one recorded BOLT #8 connection into Lightning messages: it
/// recognises the handshake and skips its acts (BOLT #8 §"Handshake Exchange"), decrypts
/// each frame (§"Receiving and Decrypting Messages") across key rotations (§"Lightning
/// Message Key Rotation"), and, for a connection whose start was not captured or whose bytes
/// were lost, finds the frames again by trial decryption (``Synchronizer``).
///
/// Like ``FrameDecryptor`` (and swift-nio's `ByteToMessageDecoder`) it holds no bytes: the
/// caller keeps each direction's bytes, and what carried them, shows them as a
/// ``StreamInput``, and drops what each ``Output`` consumed. Sides are named as the caller's
/// TCP connection names them (`a` opened it, or was heard first); which of them is the
/// BOLT #8 initiator is learned from the handshake, a key, or guessed from the ports.
public struct ConnectionDecoder: Sendable {
    /// A side of the TCP connection, by the bytes it sends.
    public enum Side: Int, Sendable, CaseIterable {
        case a, b

        public var other: Side { self == .a ? .b : .a }
    }

    public enum Phase: Sendable, Hashable {
        /// Not yet known to be Lightning: the first bytes are looked at.
        case detecting
        case lightning
        /// Not a Lightning connection (no handshake, no key and no Lightning port).
        case other
    }

    /// Where one direction's decoding stands.
    public enum Stage: Sendable, Hashable {
        /// Before the connection is recognised.
        case undetected
        /// Skipping the handshake's acts.
        case handshake
        case decrypting
        /// Looking for a frame start by trial decryption.
        case searching
        /// Not decoded any more (no key, given up, or stopped by the caller).
        case stopped
    }

    /// What ``decode(_:_:context:)`` made of the bytes shown. The caller drops the first
    /// `consumed` bytes and calls again until ``needMoreData(consumed:)``.
    public enum Output: Sendable {
        /// A decrypted Lightning message (BOLT #1 type and payload), whose frame was the
        /// first `consumed` bytes.
        case message([UInt8], consumed: Int)
        /// Bytes that carry no message: handshake acts, or the rest of a frame whose start
        /// was not captured.
        case skipped(Skip, consumed: Int)
        /// Nothing more until more bytes arrive; the first `consumed` bytes are not needed.
        case needMoreData(consumed: Int)
        /// Messages of this direction were lost. When the loss stops the direction
        /// (``stage(_:)`` is ``Stage/stopped``), none of its bytes is needed any more.
        case lost(Loss, consumed: Int)
    }

    public enum Skip: Sendable, Hashable {
        /// The acts of the handshake (BOLT #8 §"Act One", §"Act Two", §"Act Three").
        case handshake
        /// Bytes before the first whole frame found by the alignment search.
        case partialFrame
    }

    /// Why messages were lost.
    public enum Loss: Sendable, Hashable {
        /// The key log has no key for the connection whose act one was captured: neither
        /// direction is decrypted (from ``detect(_:_:aFirst:context:)``).
        case noKeyForConnection
        /// The direction's first frame did not decrypt, so it is not decoded: no key in the
        /// key log (``TransportError/noKey``), or a wrong one.
        case firstFrameUndecryptable(TransportError)
        /// A frame after `afterMessages` messages did not decrypt: corrupted or missing bytes,
        /// or (``TransportError/noKey``) no key for the next key epoch. The decoder looks
        /// for the next frame.
        case frameUndecryptable(TransportError, afterMessages: Int)
        /// The alignment search gave up: the direction is not decoded any more.
        case noAlignment(AlignmentFailure)
    }

    public enum AlignmentFailure: Sendable, Hashable {
        /// The capture's trial-decryption budget is spent.
        case trialsSpent
        /// The direction had decrypted, lost its frames, and no frame start was found again.
        case notFoundAgain
        /// No key aligns with a direction whose start was not captured.
        case notFound
    }

    /// Bytes kept per direction while searching for frame alignment.
    public static let searchLimit = 1 << 18
    /// Bytes inspected per direction before giving up on alignment.
    public static let searchBudget: Int64 = 1 << 20
    /// Bytes kept per direction before the start of a connection is recognised.
    public static let detectLimit = 1 << 16

    enum Mode: Sendable {
        case undetected
        /// Skipping `remaining` handshake bytes, then decrypting with `then` (none: no key).
        case handshake(remaining: Int, then: FrameDecryptor?)
        case decrypting(FrameDecryptor)
        /// Looking for a frame start with these candidates, from stream offset `searched` on.
        case searching([Synchronizer.Candidate], searched: Int64, fullOffsetsOnly: Bool)
        case stopped
    }

    struct Reader: Sendable {
        var mode = Mode.undetected
        var messages = 0
        var everDecrypted = false
        /// Whether the last message decrypted was the first the sender sent with the key
        /// it should have rotated (``FrameDecryptor/keptKeyFrom``).
        var lastKeptKey = false
        /// The handshake bytes still to skip at which an act's version byte sits (counted as
        /// `remaining` of ``Mode/handshake(remaining:then:)``), with the act's number.
        var versionAt: [(remaining: Int, act: Int)] = []
        /// An act this side sent with a version other than 0 (BOLT #8 §"Handshake Exchange").
        var badVersion: (act: Int, version: UInt8)?
    }

    public private(set) var phase = Phase.detecting
    /// The side that sent act one; until that is known (``initiatorKnown``), a guess.
    public private(set) var initiator = Side.a
    /// Whether ``initiator`` is certain: the handshake or the SYN was captured, or a key's
    /// direction said so.
    public private(set) var initiatorKnown: Bool
    /// Whether the handshake was captured.
    public private(set) var handshakeSeen = false
    private var readers = [Reader(), Reader()]
    /// Whether the connection's SYN was captured: its streams start at offset 0, `a` first.
    private let synSeen: Bool
    private let portA: UInt16, portB: UInt16

    /// A decoder for a connection between TCP ports `portA` and `portB`; `synSeen` says
    /// whether its start was captured (`a` then sent the SYN).
    public init(synSeen: Bool, portA: UInt16, portB: UInt16) {
        self.synSeen = synSeen
        initiatorKnown = synSeen
        self.portA = portA
        self.portB = portB
    }

    public func stage(_ side: Side) -> Stage {
        switch readers[side.rawValue].mode {
        case .undetected: .undetected
        case .handshake: .handshake
        case .decrypting: .decrypting
        case .searching: .searching
        case .stopped: .stopped
        }
    }

    /// Messages decrypted from `side`.
    public func messages(_ side: Side) -> Int { readers[side.rawValue].messages }

    /// Whether a frame from `side` ever decrypted.
    public func decrypted(_ side: Side) -> Bool { readers[side.rawValue].everDecrypted }

    /// Whether the message just decoded from `side` is the first its sender encrypted with
    /// the key it should have rotated (BOLT #8 §"Lightning Message Key Rotation").
    public func keptKey(_ side: Side) -> Bool { readers[side.rawValue].lastKeptKey }

    /// The act `side` sent with a version byte other than 0, if any: its number and version.
    public func badHandshakeVersion(_ side: Side) -> (act: Int, version: UInt8)? { readers[side.rawValue].badVersion }

    /// Whether bytes from `side` still need keeping (otherwise they need only be counted).
    public func keepsBytes(_ side: Side) -> Bool {
        guard phase != .other else { return false }
        if case .stopped = readers[side.rawValue].mode { return false }
        return true
    }

    // MARK: Detection

    /// Whether `bytes` can be act one or act two: 50 bytes, version 0, then a compressed
    /// public key (BOLT #8 §"Act One", §"Act Two").
    public static func hasActShape(_ bytes: ArraySlice<UInt8>) -> Bool {
        let i = bytes.startIndex
        return bytes.count >= HandshakeSize.actOne && bytes[i] == 0 && (bytes[i + 1] == 2 || bytes[i + 1] == 3)
    }

    /// Looks at the first bytes of both directions, while ``phase`` is ``Phase/detecting``:
    /// a handshake (act one first, from the initiator), a connection whose start was not
    /// captured (Lightning if a key may align with it, or on a Lightning port), or not yet
    /// enough bytes. `aFirst` says whether `a`'s bytes arrived no later than `b`'s. Returns
    /// ``Loss/noKeyForConnection`` when a handshake's key is not in the key log.
    public mutating func detect(_ a: StreamInput, _ b: StreamInput, aFirst: Bool, context: inout DecodingContext) -> Loss? {
        guard phase == .detecting else { return nil }
        if a.bytes.count > Self.detectLimit || b.bytes.count > Self.detectLimit {
            // No handshake in this much: not a start that will still be recognised.
            enterMidConnection(&context)
            return nil
        }
        let aStarts = synSeen && a.offset == 0, bStarts = synSeen && b.offset == 0
        // With the start of the stream captured, act one comes first from the client.
        if aStarts && a.bytes.count >= HandshakeSize.actOne {
            if Self.hasActShape(a.bytes) { return beginHandshake(initiator: .a, actOne: a.bytes, keyLog: context.keyLog) }
            enterMidConnection(&context)
            return nil
        }
        if !synSeen, a.bytes.count >= HandshakeSize.actOne, b.bytes.count >= HandshakeSize.actTwo,
            Self.hasActShape(a.bytes), Self.hasActShape(b.bytes)
        {
            // The capture started after the SYN but before act one: the side that spoke
            // first is the initiator.
            return beginHandshake(initiator: aFirst ? .a : .b, actOne: aFirst ? a.bytes : b.bytes, keyLog: context.keyLog)
        }
        if aStarts || bStarts {
            // Wait for act one, unless the first bytes already rule it out.
            if let first = a.bytes.first, first != 0 {
                enterMidConnection(&context)
            } else if a.bytes.isEmpty, let first = b.bytes.first, first != 0 {
                enterMidConnection(&context)
            }
            return nil
        }
        // Mid-connection: decide once some bytes are here.
        if a.bytes.count + b.bytes.count >= HandshakeSize.actOne { enterMidConnection(&context) }
        return nil
    }

    /// Act one names the session's key by the initiator's ephemeral public key (its bytes
    /// 1…33); without that, per-epoch keys are found by the first frame's length tag.
    private mutating func beginHandshake(initiator side: Side, actOne: ArraySlice<UInt8>, keyLog: KeyLog) -> Loss? {
        phase = .lightning
        initiator = side
        handshakeSeen = true
        initiatorKnown = true
        var sending: FrameDecryptor?, receiving: FrameDecryptor?
        var loss: Loss?
        if let keys = keyLog.keys(ephemeral: Array(actOne.dropFirst().prefix(33))) {
            sending = FrameDecryptor(cipher: keys.cipher(fromInitiator: true))
            receiving = FrameDecryptor(cipher: keys.cipher(fromInitiator: false))
        } else if !keyLog.keysByTag.isEmpty {
            sending = FrameDecryptor(cipher: .awaitingKey(), keyLog: keyLog)
            receiving = FrameDecryptor(cipher: .awaitingKey(), keyLog: keyLog)
        } else {
            loss = .noKeyForConnection
        }
        readers[side.rawValue].mode = .handshake(remaining: HandshakeSize.actOne + HandshakeSize.actThree, then: sending)
        readers[side.rawValue].versionAt = [(HandshakeSize.actThree, 3)]  // act one's was checked to find it
        readers[side.other.rawValue].mode = .handshake(remaining: HandshakeSize.actTwo, then: receiving)
        readers[side.other.rawValue].versionAt = [(HandshakeSize.actTwo, 2)]
        return loss
    }

    /// A connection whose handshake was not captured: Lightning if a key may align with it,
    /// or if it uses a Lightning port.
    private mutating func enterMidConnection(_ context: inout DecodingContext) {
        let onLightningPort = context.lightningPorts.contains(portA) || context.lightningPorts.contains(portB)
        guard !context.keyLog.isEmpty || onLightningPort else {
            phase = .other
            return
        }
        phase = .lightning
        if !synSeen, portA < portB {
            // A guess until a key says otherwise (``initiatorKnown`` stays false): the
            // initiator usually connects from an ephemeral port, the higher one.
            initiator = .b
        }
        let candidates = context.midConnectionCandidates
        for index in readers.indices {
            readers[index].mode = .searching(candidates, searched: 0, fullOffsetsOnly: true)
        }
    }

    // MARK: Decoding

    /// Decodes what it can of `input`, the unconsumed bytes from `side`.
    public mutating func decode(_ side: Side, _ input: StreamInput, context: inout DecodingContext) -> Output {
        let index = side.rawValue
        while true {
            switch readers[index].mode {
            case .undetected, .stopped:
                return .needMoreData(consumed: 0)
            case let .handshake(remaining, then):
                let take = min(remaining, input.bytes.count)
                for (at, act) in readers[index].versionAt where at <= remaining && at > remaining - take {
                    let version = input.bytes[input.bytes.startIndex + (remaining - at)]
                    if version != 0, readers[index].badVersion == nil { readers[index].badVersion = (act, version) }
                }
                guard take == remaining else {
                    readers[index].mode = .handshake(remaining: remaining - take, then: then)
                    return .needMoreData(consumed: take)
                }
                readers[index].mode = then.map { .decrypting($0) } ?? .stopped
                return .skipped(.handshake, consumed: take)
            case var .decrypting(decryptor):
                let output = decryptor.next(input.bytes)
                readers[index].mode = .decrypting(decryptor)
                switch output {
                case let .message(message, consumed):
                    readers[index].lastKeptKey = decryptor.keptKeyFrom == decryptor.messages - 1
                    readers[index].messages += 1
                    readers[index].everDecrypted = true
                    return .message(message, consumed: consumed)
                case .needMore:
                    return .needMoreData(consumed: 0)
                case let .failed(error, _):
                    guard readers[index].everDecrypted else {
                        // The very first frame does not decrypt: the key is wrong or missing.
                        readers[index].mode = .stopped
                        return .lost(.firstFrameUndecryptable(error), consumed: input.bytes.count)
                    }
                    // Search for the next frame from the next length-block nonce (a failed
                    // body leaves the nonce odd; the search rounds it up), past the bad
                    // frame's first byte so that the search cannot find it again.
                    readers[index].mode = .searching(
                        Synchronizer.continuing(decryptor.cipher, messages: context.maximumLostMessages), searched: 0,
                        fullOffsetsOnly: false)
                    return .lost(.frameUndecryptable(error, afterMessages: readers[index].messages), consumed: min(1, input.bytes.count))
                }
            case let .searching(candidates, searched, fullOffsetsOnly):
                if let output = search(side, input, candidates: candidates, searched: searched, fullOffsetsOnly: fullOffsetsOnly, context: &context) {
                    return output
                }
            }
        }
    }

    /// One search step; `nil` when a frame starts at the first byte (the direction decrypts
    /// again from there).
    private mutating func search(
        _ side: Side, _ input: StreamInput, candidates: [Synchronizer.Candidate], searched: Int64, fullOffsetsOnly: Bool,
        context: inout DecodingContext
    ) -> Output? {
        let index = side.rawValue
        let buffer = input.bytes
        let startOffset = max(0, Int(searched - input.offset))
        let lastOffset = buffer.count - FrameDecryptor.headerSize
        var match: Synchronizer.Match?
        if lastOffset >= startOffset {
            if fullOffsetsOnly {
                // Many candidates: try them only where TCP segments start (senders usually
                // write whole frames); elsewhere only the key-log tag lookup.
                let starts = input.segmentStarts.map { Int($0 - input.offset) }.filter { $0 >= startOffset && $0 <= lastOffset }
                match = Synchronizer.search(buffer, offsets: starts, candidates: candidates, keyLog: context.keyLog, budget: &context.trialsLeft)
                if match == nil, context.trialsLeft > 0 {
                    match = Synchronizer.search(
                        buffer, offsets: startOffset...lastOffset, candidates: [], keyLog: context.keyLog, budget: &context.trialsLeft)
                }
            } else {
                match = Synchronizer.search(
                    buffer, offsets: startOffset...lastOffset, candidates: candidates, keyLog: context.keyLog, budget: &context.trialsLeft)
            }
        }
        if let match {
            if !handshakeSeen, !readers[index].everDecrypted, let label = match.label, label >= 0 {
                // A handshake key's half says who the initiator is.
                let fromInitiator = label % 2 == 0
                initiator = fromInitiator ? side : side.other
                initiatorKnown = true
                // The other direction needs only the other half of the same key.
                let other = side.other.rawValue
                if case .searching = readers[other].mode {
                    let pair = candidates.filter { $0.label / 2 == label / 2 && $0.label != label }
                    readers[other].mode = .searching(pair, searched: 0, fullOffsetsOnly: true)
                }
            }
            // Keys without a chaining key find their next epoch's key by tag.
            let keyLog = match.cipher.chainingKey == nil ? context.keyLog : KeyLog()
            readers[index].mode = .decrypting(FrameDecryptor(cipher: match.cipher, keyLog: keyLog))
            return match.offset > 0 ? .skipped(.partialFrame, consumed: match.offset) : nil
        }
        let tried = input.offset + Int64(max(lastOffset + 1, 0))
        let spent = context.trialsLeft <= 0
        if spent || tried - (input.segmentStarts.first ?? 0) > Self.searchBudget || input.received > Self.searchBudget * 4 {
            let failure: AlignmentFailure = spent ? .trialsSpent : readers[index].everDecrypted ? .notFoundAgain : .notFound
            readers[index].mode = .stopped
            return .lost(.noAlignment(failure), consumed: buffer.count)
        }
        // Keep a bounded tail to search further as more bytes arrive.
        let dropped = max(0, buffer.count - Self.searchLimit)
        readers[index].mode = .searching(
            candidates, searched: max(tried, input.offset + Int64(dropped)), fullOffsetsOnly: fullOffsetsOnly)
        return .needMoreData(consumed: dropped)
    }

    // MARK: Gaps and limits

    /// Bytes from `side` were never captured (a TCP gap): a decrypting direction searches
    /// for its next frame, allowing for ``DecodingContext/maximumLostMessages`` lost
    /// messages; one still in the handshake stops; an unrecognised connection is taken as
    /// one whose start was not captured.
    public mutating func gap(_ side: Side, context: inout DecodingContext) {
        guard phase != .other else { return }
        let index = side.rawValue
        switch readers[index].mode {
        case let .decrypting(decryptor):
            readers[index].mode = .searching(
                Synchronizer.continuing(decryptor.cipher, messages: context.maximumLostMessages), searched: 0, fullOffsetsOnly: false)
        case .undetected, .handshake:
            if phase == .detecting {
                enterMidConnection(&context)
            } else {
                readers[index].mode = .stopped
            }
        case .searching, .stopped:
            break
        }
    }

    /// Stops decoding both directions (the caller ran out of room for their bytes).
    public mutating func stop() {
        for index in readers.indices { readers[index].mode = .stopped }
        if phase == .detecting { phase = .other }
    }
}
