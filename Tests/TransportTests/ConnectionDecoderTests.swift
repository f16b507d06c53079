import Basics
import Testing
import Transport

/// The BOLT #8 stream decoder on hand-built connections: the handshake of BOLT #8 Appendix A
/// ("transport-initiator successful handshake"), then frames encrypted with its final keys.
struct ConnectionDecoderTests {
    typealias Side = ConnectionDecoder.Side

    /// The successful handshake's acts and final chaining key (BOLT #8 Appendix A).
    static let actOne = [UInt8](hex: "00036360e856310ce5d294e8be33fc807077dc56ac80d95d9cd4ddbd21325eff73f70df6086551151f58b8afe6c195782c6a")
    static let actTwo = [UInt8](hex: "0002466d7fcae563e5cb09a0d1870bb580344804617879a14949cf22285f1bae3f276e2470b93aac583c9ef6eafca3f730ae")
    static let actThree = [UInt8](
        hex: "00b9e3a702e93e3a9948c2ed6e5fd7590a6e1c3a0344cfc9d5b57357049aa22355361aa02e55a8fc28fef5bd6d71ad0c38228dc68b1c466263b47fdf31e560e139ba")
    static let ephemeral = "036360e856310ce5d294e8be33fc807077dc56ac80d95d9cd4ddbd21325eff73f7"
    static let ck = "919219dbb2920afa8db80f9a51787a840bcf111ed8d588caf9ab4be716e42b01"
    static let keys = TransportKeys(chainingKey: [UInt8](hex: ck))

    /// A key log holding the vectors' session: act one's ephemeral key and the final chaining key.
    static var keyLog: KeyLog {
        var log = KeyLog()
        _ = log.add(line: "\(ephemeral) \(ck)", source: "test", lineNumber: 1)
        return log
    }

    /// `count` distinct messages of BOLT #1 shape (type 0x0080 and a counter), `size` bytes each.
    static func messages(_ count: Int, size: Int = 12, from first: Int = 0) -> [[UInt8]] {
        (first..<(first + count)).map { n -> [UInt8] in
            let header: [UInt8] = [0, 0x80, UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n)]
            return header + [UInt8](repeating: UInt8(n % 251), count: max(0, size - 4))
        }
    }

    /// The frames of `messages`, encrypted in order with one direction's cipher.
    static func frames(_ messages: [[UInt8]], fromInitiator: Bool) -> [[UInt8]] {
        var cipher = keys.cipher(fromInitiator: fromInitiator)
        return messages.map { cipher.encryptMessage($0) }
    }

    @Test func theVectorsFirstFrameIsWhatTheDecoderReads() {
        // BOLT #8 Appendix A, "Message Encryption Tests", output 0: "hello" from the initiator.
        let frame = Self.frames([Array("hello".utf8)], fromInitiator: true)[0]
        #expect(frame == [UInt8](hex: "cf2b30ddf0cf3f80e7c35a6e6730b59fe802473180f396d88a8fb0db8cbcf25d2f214cf9ea1d95"))
        var recording = Recording(synSeen: true, keyLog: Self.keyLog)
        recording.receive(.a, Self.actOne)
        recording.receive(.b, Self.actTwo)
        recording.receive(.a, Self.actThree + frame)
        #expect(recording.messages(.a) == [Array("hello".utf8)])
    }

    @Test func aCapturedHandshakeIsSkippedAndBothDirectionsDecrypt() {
        let out = Self.messages(5), back = Self.messages(4, from: 100)
        var recording = Recording(synSeen: true, keyLog: Self.keyLog)
        recording.receive(.a, Self.actOne)
        #expect(recording.decoder.phase == .lightning)
        #expect(recording.decoder.handshakeSeen && recording.decoder.initiator == .a && recording.decoder.initiatorKnown)
        recording.receive(.b, Self.actTwo)
        recording.receive(.a, Self.actThree + Self.frames(out, fromInitiator: true).joined())
        recording.receive(.b, Array(Self.frames(back, fromInitiator: false).joined()))
        #expect(recording.messages(.a) == out)
        #expect(recording.messages(.b) == back)
        #expect(recording.lost.isEmpty)
        // Act one waited for act three: 50 bytes, then 66 and the frames in one segment.
        #expect(recording.skipped(.a) == [HandshakeSize.actThree])
        #expect(recording.skipped(.b) == [HandshakeSize.actTwo])
        #expect(recording.decoder.stage(.a) == .decrypting && recording.decoder.stage(.b) == .decrypting)
        #expect(recording.decoder.messages(.a) == 5 && recording.decoder.messages(.b) == 4)
        #expect(recording.held[0].bytes.isEmpty && recording.held[1].bytes.isEmpty)
    }

    @Test func bytesArrivingOneByOneGiveTheSameMessages() {
        let out = Self.messages(20, size: 300)
        var recording = Recording(synSeen: true, keyLog: Self.keyLog)
        recording.receive(.a, Self.actOne)
        recording.receive(.b, Self.actTwo)
        for byte in Self.actThree + Self.frames(out, fromInitiator: true).joined() { recording.receive(.a, [byte]) }
        #expect(recording.messages(.a) == out)
        #expect(recording.lost.isEmpty)
    }

    /// The version byte of acts two and three (BOLT #8 §"Handshake Exchange"), found whether
    /// the act arrives whole or a byte at a time; a version-0 handshake has none.
    @Test(arguments: [false, true])
    func aHandshakeActOfAnotherVersionIsNoted(_ byteByByte: Bool) {
        let out = Self.messages(2)
        var recording = Recording(synSeen: true, keyLog: Self.keyLog)
        recording.receive(.a, Self.actOne)
        recording.receive(.b, [1] + Self.actTwo.dropFirst())
        let rest = [0x07] + Self.actThree.dropFirst() + Self.frames(out, fromInitiator: true).joined()
        if byteByByte { for byte in rest { recording.receive(.a, [byte]) } } else { recording.receive(.a, Array(rest)) }
        #expect(recording.decoder.badHandshakeVersion(.b).map { [$0.act, Int($0.version)] } == [2, 1])
        #expect(recording.decoder.badHandshakeVersion(.a).map { [$0.act, Int($0.version)] } == [3, 7])
        // The keys come from the key log, so the frames after the acts still decrypt.
        #expect(recording.messages(.a) == out)

        var valid = Recording(synSeen: true, keyLog: Self.keyLog)
        valid.receive(.a, Self.actOne)
        valid.receive(.b, Self.actTwo)
        valid.receive(.a, Self.actThree)
        #expect(valid.decoder.badHandshakeVersion(.a) == nil && valid.decoder.badHandshakeVersion(.b) == nil)
    }

    @Test func keysRotateEvery500Messages() {
        // Nonces 0…999 give 500 messages per key (BOLT #8 §"Lightning Message Key Rotation").
        let out = Self.messages(1002, size: 5)
        var recording = Recording(synSeen: true, keyLog: Self.keyLog)
        recording.receive(.a, Self.actOne)
        recording.receive(.b, Self.actTwo)
        recording.receive(.a, Self.actThree)
        for frame in Self.frames(out, fromInitiator: true) { recording.receive(.a, frame) }
        #expect(recording.messages(.a) == out)
        #expect(recording.lost.isEmpty)
    }

    @Test func perEpochKeysAreFoundByTheirFirstLengthTag() {
        // The Wireshark key-log format: the tag of each epoch's first length block, and the key.
        let out = Self.messages(501, size: 5)
        let frames = Self.frames(out, fromInitiator: true)
        var cipher = Self.keys.cipher(fromInitiator: true)
        var log = KeyLog()
        for (n, frame) in frames.enumerated() {
            if n % 500 == 0 {
                _ = log.add(line: "\(hex(frame[2..<18])) \(hex(cipher.key))", source: "test", lineNumber: n)
            }
            _ = cipher.encryptMessage(out[n])
        }
        var recording = Recording(synSeen: true, keyLog: log)
        recording.receive(.a, Self.actOne)
        recording.receive(.b, Self.actTwo)
        recording.receive(.a, Self.actThree + frames.joined())
        #expect(recording.messages(.a) == out)
        #expect(recording.lost.isEmpty)
    }

    @Test func aHandshakeWithoutItsKeyIsReportedOnceAndNotDecoded() {
        var recording = Recording(synSeen: true, keyLog: KeyLog())
        recording.receive(.a, Self.actOne)
        #expect(recording.detected == [.noKeyForConnection])
        recording.receive(.b, Self.actTwo)
        recording.receive(.a, Self.actThree + Self.frames(Self.messages(3), fromInitiator: true).joined())
        #expect(recording.messages(.a).isEmpty)
        #expect(recording.decoder.stage(.a) == .stopped && recording.decoder.stage(.b) == .stopped)
        #expect(!recording.decoder.keepsBytes(.a))
    }

    @Test func aWrongKeyLosesTheDirectionAtItsFirstFrame() {
        var log = KeyLog()
        _ = log.add(line: "\(Self.ephemeral) \(String(repeating: "ab", count: 32))", source: "test", lineNumber: 1)
        var recording = Recording(synSeen: true, keyLog: log)
        recording.receive(.a, Self.actOne)
        recording.receive(.b, Self.actTwo)
        let frames = Array(Self.frames(Self.messages(3), fromInitiator: true).joined())
        recording.receive(.a, Self.actThree + frames)
        #expect(recording.lost == [.init(side: .a, loss: .firstFrameUndecryptable(.badTag), consumed: frames.count)])
        #expect(recording.decoder.stage(.a) == .stopped)
        #expect(!recording.decoder.keepsBytes(.a) && recording.decoder.keepsBytes(.b))
    }

    @Test func aCorruptedFrameLosesItsMessageAndDecodingGoesOn() {
        let out = Self.messages(8, size: 40)
        var frames = Self.frames(out, fromInitiator: true)
        frames[3][30] ^= 0x01  // in the body of message 3
        var recording = Recording(synSeen: true, keyLog: Self.keyLog)
        recording.receive(.a, Self.actOne)
        recording.receive(.b, Self.actTwo)
        recording.receive(.a, Self.actThree + frames.joined())
        #expect(recording.lost == [.init(side: .a, loss: .frameUndecryptable(.badTag, afterMessages: 3), consumed: 1)])
        // The search starts one byte into the bad frame and finds the next one after it.
        #expect(recording.skipped(.a) == [HandshakeSize.actThree, frames[3].count - 1])
        #expect(recording.messages(.a) == Array(out[0..<3] + out[4...]))
    }

    @Test func aGapInsideAFrameIsBridgedBySearchingForTheNextOne() {
        let out = Self.messages(10, size: 100)
        let frames = Self.frames(out, fromInitiator: true)
        var recording = Recording(synSeen: true, keyLog: Self.keyLog)
        recording.receive(.a, Self.actOne)
        recording.receive(.b, Self.actTwo)
        recording.receive(.a, Self.actThree + frames[0..<2].joined() + frames[2].prefix(50))
        // The rest of message 2 and all of 3 and 4 were not captured.
        let missing = frames[2].count - 50 + frames[3].count + frames[4].count
        recording.gap(.a, missing)
        #expect(recording.decoder.stage(.a) == .searching)
        // The bytes after the gap start inside message 5.
        recording.receive(.a, Array(frames[5].dropFirst(10)))
        recording.receive(.a, Array(frames[6...].joined()))
        #expect(recording.skipped(.a) == [HandshakeSize.actThree, frames[5].count - 10])
        #expect(recording.messages(.a) == Array(out[0..<2] + out[6...]))
        #expect(recording.lost.isEmpty)
    }

    @Test func withoutAKeyTheInitiatorOfAConnectionCapturedMidwayIsGuessedFromItsPorts() {
        // No SYN, and `a` listens on 9735: `b` is taken for the initiator, a guess.
        var recording = Recording(synSeen: false, keyLog: KeyLog(), portA: 9735, portB: 40000)
        recording.receive(.a, [UInt8](repeating: 1, count: 60))
        #expect(recording.decoder.phase == .lightning)
        #expect(recording.decoder.initiator == .b && !recording.decoder.initiatorKnown && !recording.decoder.handshakeSeen)
        #expect(recording.decoder.stage(.a) == .searching && recording.decoder.stage(.b) == .searching)
    }

    @Test func aConnectionCapturedMidwayAlignsAndItsKeyNamesTheInitiator() {
        let out = Self.messages(6, size: 60), back = Self.messages(6, size: 70, from: 50)
        let outFrames = Self.frames(out, fromInitiator: true), backFrames = Self.frames(back, fromInitiator: false)
        // The ports suggest `b` initiated; the key that aligns is the initiator's, on `a`'s bytes.
        var recording = Recording(synSeen: false, keyLog: Self.keyLog, portA: 9735, portB: 40000)
        // Each frame in a segment of its own, as senders write them; each side starts inside one.
        recording.receive(.a, Array(outFrames[1].suffix(20)))
        recording.receive(.b, Array(backFrames[3].suffix(7)))
        #expect(recording.decoder.phase == .detecting)
        for frame in outFrames[2...] { recording.receive(.a, frame) }
        #expect(recording.decoder.initiator == .a && recording.decoder.initiatorKnown && !recording.decoder.handshakeSeen)
        for frame in backFrames[4...] { recording.receive(.b, frame) }
        #expect(recording.messages(.a) == Array(out[2...]))
        #expect(recording.messages(.b) == Array(back[4...]))
        #expect(recording.skipped(.a) == [20] && recording.skipped(.b) == [7])
        #expect(recording.lost.isEmpty)
    }

    @Test func theCapturesTrialBudgetStopsTheSearch() {
        var recording = Recording(synSeen: false, keyLog: Self.keyLog, trialBudget: 0, trialsPerByte: 0)
        let frames = Self.frames(Self.messages(4), fromInitiator: true)
        recording.receive(.a, Array(frames[0].dropFirst(3)) + frames[1...].joined())
        // Both directions were searching: both stop, the silent one too.
        #expect(recording.lost.map(\.side) == [.a, .b])
        #expect(recording.lost.allSatisfy { $0.loss == .noAlignment(.trialsSpent) })
        #expect(recording.decoder.stage(.a) == .stopped && recording.decoder.stage(.b) == .stopped)
    }

    @Test func aSearchGivesUpAfterTheBytesItMayInspect() {
        var decoder = ConnectionDecoder(synSeen: false, portA: 40000, portB: 9735)
        var context = DecodingContext(keyLog: KeyLog())
        let input = StreamInput(bytes: ArraySlice(repeating: 7, count: 100))
        #expect(decoder.detect(input, StreamInput(bytes: []), aFirst: true, context: &context) == nil)
        #expect(decoder.phase == .lightning)
        // Less than the limit: the bytes wait for more.
        guard case .needMoreData(0) = decoder.decode(.a, input, context: &context) else {
            Issue.record("expected to wait")
            return
        }
        // A direction that received more than four times the search budget gives up.
        let late = StreamInput(bytes: input.bytes, offset: 100, received: ConnectionDecoder.searchBudget * 4 + 1)
        guard case .lost(.noAlignment(.notFound), 100) = decoder.decode(.a, late, context: &context) else {
            Issue.record("expected to give up")
            return
        }
        #expect(decoder.stage(.a) == .stopped && decoder.stage(.b) == .searching)
    }

    @Test func aLongSearchKeepsOnlyABoundedTail() {
        var decoder = ConnectionDecoder(synSeen: false, portA: 40000, portB: 9735)
        var context = DecodingContext(keyLog: KeyLog())
        let input = StreamInput(bytes: ArraySlice(repeating: 7, count: ConnectionDecoder.searchLimit + 1000))
        _ = decoder.detect(input, StreamInput(bytes: []), aFirst: true, context: &context)
        guard case .needMoreData(1000) = decoder.decode(.a, input, context: &context) else {
            Issue.record("expected the head to be dropped")
            return
        }
    }

    @Test func bytesThatAreNotAHandshakeOnAnotherPortAreNotLightning() {
        var recording = Recording(synSeen: true, keyLog: KeyLog(), portA: 40000, portB: 8080)
        recording.receive(.a, Array("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n-----------------".utf8))
        #expect(recording.decoder.phase == .other)
        #expect(!recording.decoder.keepsBytes(.a) && !recording.decoder.keepsBytes(.b))
    }

    @Test func aStartNotRecognisedInItsFirst64KBIsTakenAsMidConnection() {
        var recording = Recording(synSeen: true, keyLog: KeyLog())
        recording.receive(.a, [0])  // perhaps the start of act one
        recording.receive(.b, [UInt8](repeating: 0, count: ConnectionDecoder.detectLimit))
        #expect(recording.decoder.phase == .detecting)
        recording.receive(.b, [0])
        #expect(recording.decoder.phase == .lightning)  // port 9735, so listed as lacking a key
        #expect(recording.decoder.stage(.a) == .searching && !recording.decoder.handshakeSeen)
    }

    @Test func stoppingEndsBothDirections() {
        var recording = Recording(synSeen: true, keyLog: Self.keyLog)
        recording.receive(.a, Array(Self.actOne.prefix(20)))
        recording.decoder.stop()
        #expect(recording.decoder.phase == .other)
        #expect(recording.decoder.stage(.a) == .stopped && recording.decoder.stage(.b) == .stopped)
    }
}

/// A recorded connection as a capture reader feeds the decoder: each side's bytes held
/// until consumed, what the decoder made of them recorded.
struct Recording {
    typealias Side = ConnectionDecoder.Side

    struct Held {
        var bytes: [UInt8] = []
        var offset: Int64 = 0
        var received: Int64 = 0
        var segments: [(start: Int64, end: Int64)] = []
        var firstArrival: Int?

        var input: StreamInput {
            StreamInput(bytes: bytes[...], offset: offset, received: received, segmentStarts: segments.map(\.start))
        }

        mutating func consume(_ count: Int) {
            bytes.removeFirst(count)
            offset += Int64(count)
            segments.removeAll { $0.end <= offset }
            if bytes.isEmpty { firstArrival = nil }
        }
    }

    struct Lost: Equatable {
        var side: Side
        var loss: ConnectionDecoder.Loss
        var consumed: Int
    }

    var decoder: ConnectionDecoder
    var context: DecodingContext
    var held = [Held(), Held()]
    var arrivals = 0
    var decoded: [(Side, [UInt8])] = []
    var skips: [(Side, Int)] = []
    var lost: [Lost] = []
    var detected: [ConnectionDecoder.Loss] = []

    init(synSeen: Bool, keyLog: KeyLog, portA: UInt16 = 40000, portB: UInt16 = 9735, trialBudget: Int = 1 << 22, trialsPerByte: Int = 2) {
        decoder = ConnectionDecoder(synSeen: synSeen, portA: portA, portB: portB)
        // Two key rotations are plenty here, and keep the mid-connection searches short.
        context = DecodingContext(keyLog: keyLog, maximumEpochs: 2, trialBudget: trialBudget, trialsPerByte: trialsPerByte)
    }

    func messages(_ side: Side) -> [[UInt8]] { decoded.filter { $0.0 == side }.map(\.1) }
    func skipped(_ side: Side) -> [Int] { skips.filter { $0.0 == side }.map(\.1) }

    mutating func receive(_ side: Side, _ bytes: [UInt8]) {
        context.read(bytes.count)
        arrivals += 1
        if decoder.keepsBytes(side) {
            held[side.rawValue].segments.append(
                (
                    held[side.rawValue].offset + Int64(held[side.rawValue].bytes.count),
                    held[side.rawValue].offset + Int64(held[side.rawValue].bytes.count + bytes.count)
                ))
            held[side.rawValue].bytes += bytes
            if held[side.rawValue].firstArrival == nil { held[side.rawValue].firstArrival = arrivals }
        } else {
            held[side.rawValue].offset += Int64(bytes.count)
        }
        held[side.rawValue].received += Int64(bytes.count)
        run()
    }

    mutating func gap(_ side: Side, _ size: Int) {
        held[side.rawValue] = Held(offset: held[side.rawValue].offset + Int64(size), received: held[side.rawValue].received)
        decoder.gap(side, context: &context)
    }

    mutating func run() {
        if decoder.phase == .detecting {
            let aFirst = (held[0].firstArrival ?? 0) <= (held[1].firstArrival ?? 0)
            if let loss = decoder.detect(held[0].input, held[1].input, aFirst: aFirst, context: &context) { detected.append(loss) }
        }
        guard decoder.phase == .lightning else { return }
        for side in Side.allCases {
            reading: while true {
                switch decoder.decode(side, held[side.rawValue].input, context: &context) {
                case let .message(message, consumed):
                    decoded.append((side, message))
                    held[side.rawValue].consume(consumed)
                case let .skipped(_, consumed):
                    skips.append((side, consumed))
                    held[side.rawValue].consume(consumed)
                case let .needMoreData(consumed):
                    held[side.rawValue].consume(consumed)
                    break reading
                case let .lost(loss, consumed):
                    lost.append(Lost(side: side, loss: loss, consumed: consumed))
                    held[side.rawValue].consume(consumed)
                }
            }
        }
    }
}

/// Lowercase hex, for writing key-log lines.
private func hex(_ bytes: some Collection<UInt8>) -> String {
    Hex.encode(bytes)
}
