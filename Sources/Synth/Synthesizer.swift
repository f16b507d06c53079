import Basics
import Capture
import Foundation
import Provenance
import Transport
import Wire

/// What a scenario produced.
public struct SynthResult: Sendable {
    public var frames: Int
    public var messages: Int
    public var connections: Int
}

/// Turns a scenario into a real capture: TCP connections with real Noise_XK handshakes
/// (libsecp256k1 ECDH), ChaCha20-Poly1305 frames with key rotation, MSS-sized segments,
/// several messages per segment (`batch`), and optional loss, reordering and
/// retransmission; written with libpcap's dump API, with a key log in either format.
public final class Synthesizer {
    struct Node {
        var keys: NodeKeys
        var address: IPAddress
        var features: [Int]?
        /// Whether its transport key rotates (`rotation=no`: a sender that breaks BOLT #8).
        var rotates = true
    }

    final class Connection {
        let label: String
        let initiator: String
        let responder: String
        let endpoints: [Endpoint]  // [initiator, responder]
        var sequence: [UInt32]
        var ciphers: [CipherState?] = [nil, nil]
        var open = true
        var messages = [0, 0]

        init(label: String, initiator: String, responder: String, endpoints: [Endpoint], sequence: [UInt32]) {
            self.label = label
            self.initiator = initiator
            self.responder = responder
            self.endpoints = endpoints
            self.sequence = sequence
        }

        func side(_ node: String) -> Int { node == initiator ? 0 : 1 }
    }

    let capturePath: String
    let messagesPath: String?
    private var writer: PcapWriter?
    private var frameBuilder = FrameBuilder()
    private var nanosecond = true
    private var ipVersion = 4
    private var mss = 1460
    private var keyLogFormat: KeyLogFormat = .ephemeral
    private var clock = Timestamp(seconds: 1_704_067_200)  // 2024-01-01T00:00:00Z
    private var recording = true
    private var nodes: [String: Node] = [:]
    private var connections: [Connection] = []
    private var builder = MessageBuilder(nodes: [:], features: [:])
    /// Pending capture anomalies per sending node.
    private var actions: [String: [(TCPAction, Int)]] = [:]
    /// A segment held back to be written after the next one (reordering), per node.
    private var held: [String: [[UInt8]]] = [:]
    private var keyLogLines: [String] = []
    /// `--messages`: one JSON object per line, for each message sent.
    private var messageLog: [UInt8] = []
    private var messageJSON = JSONWriter()
    private var messageCount = 0
    private var nextClientPort: UInt16 = 49152

    /// Node logs to write, with their renderers and lines so far.
    private var logs: [(target: LogTarget, renderer: LogRenderer, lines: [String])]

    /// `capturePath`: the pcap to write; `messagesPath`: optionally, every message sent as
    /// JSON Lines (connection, port, direction, type, length, SHA-256, `hex` when short, and
    /// whether the capture holds it whole) for checking a decoder against; `logs`: nodes
    /// whose view of the same messages is written as their implementation's log.
    public init(capturePath: String, messagesPath: String? = nil, logs: [LogTarget] = []) {
        self.capturePath = capturePath
        self.messagesPath = messagesPath
        self.logs = logs.map { ($0, LogRenderer(style: $0.style), []) }
    }

    /// Runs the scenario; returns what it produced and the key-log text.
    public func run(_ statements: [Statement]) throws(ScenarioError) -> (SynthResult, keyLog: String) {
        for statement in statements { try execute(statement, line: 0) }
        for connection in connections where connection.open {
            try closeConnection(connection, reset: false)
        }
        flushHeld()
        writer?.close()
        if writer == nil {
            // An empty scenario still yields a valid, empty capture.
            let empty = try openWriter()
            empty.close()
        }
        if let messagesPath {
            do {
                try Data(messageLog).write(to: URL(fileURLWithPath: messagesPath), options: .atomic)
            } catch {
                throw ScenarioError(line: 0, "\(messagesPath): \(error.localizedDescription)")
            }
        }
        for log in logs {
            let text = log.lines.joined(separator: "\n") + (log.lines.isEmpty ? "" : "\n")
            do {
                try text.write(toFile: log.target.path, atomically: true, encoding: .utf8)
            } catch {
                throw ScenarioError(line: 0, "\(log.target.path): \(error.localizedDescription)")
            }
        }
        let header =
            keyLogFormat == .ephemeral
            ? "# lntrace synth: <act-one ephemeral public key> <final chaining key>, one line per connection\n"
            : "# lntrace synth: <MAC of the first encrypted length of a key epoch> <key>, one line per direction per epoch\n"
        let result = SynthResult(frames: writer?.frames ?? 0, messages: messageCount, connections: connections.count)
        return (result, header + keyLogLines.joined(separator: "\n") + (keyLogLines.isEmpty ? "" : "\n"))
    }

    // MARK: Statements

    private func execute(_ statement: Statement, line: Int) throws(ScenarioError) {
        switch statement {
        case let .start(time): clock = time
        case let .link(kind):
            guard writer == nil else { throw ScenarioError(line: line, "'link' must come before the first packet") }
            frameBuilder.link = kind
        case let .ipVersion(version): ipVersion = version
        case let .ipOptions(on): frameBuilder.ipOptions = on
        case let .fragment(size): frameBuilder.fragmentSize = size
        case let .mss(value): mss = value
        case let .nanosecond(on):
            guard writer == nil else { throw ScenarioError(line: line, "'timestamps' must come before the first packet") }
            nanosecond = on
        case let .keyLogFormat(format): keyLogFormat = format
        case let .node(name, secret, address, features, rotates):
            let keys = try NodeKeys(name: name, secret: secret)
            let index = nodes.count + 1
            var ip: IPAddress = ipVersion == 6 ? .v6(0xfd00_0000_0000_0000, UInt64(index)) : .v4(0x0a00_0000 | UInt32(index))
            if let address {
                guard let parsed = IPAddress(address) else { throw ScenarioError(line: line, "bad address '\(address)'") }
                ip = parsed
            }
            nodes[name] = Node(keys: keys, address: ip, features: features, rotates: rotates)
            builder.nodes[name] = keys
            if let features { builder.features[name] = features }
        case let .connect(from, to, port, label, isn, handshake, versions):
            try connect(from, to, port: port ?? 9735, label: label, isn: isn, handshake: handshake, versions: versions)
        case let .disconnect(from, to, reset):
            guard let connection = connections.last(where: { $0.open && Set([$0.initiator, $0.responder]) == Set([from, to]) }) else {
                throw ScenarioError(line: line, "no open connection between \(from) and \(to)")
            }
            try closeConnection(connection, reset: reset, by: from)
        case let .message(message):
            try send([message])
        case let .batch(messages):
            try send(messages)
        case let .repeated(count, body):
            for _ in 0..<count {
                for inner in body { try execute(inner, line: line) }
            }
        case let .wait(seconds):
            advance(by: seconds)
        case let .tcp(action, node, count):
            actions[node, default: []].append((action, count))
        case let .capture(on):
            recording = on
        }
    }

    private func advance(by seconds: Double) {
        let nanos = Int64(seconds * 1e9)
        let total = Int64(clock.nanoseconds) + nanos
        clock = Timestamp(seconds: clock.seconds + total / 1_000_000_000, nanoseconds: Int32(total % 1_000_000_000))
    }

    private func openWriter() throws(ScenarioError) -> PcapWriter {
        if let writer { return writer }
        do {
            let new = try PcapWriter(path: capturePath, linkType: frameBuilder.linkType, nanosecond: nanosecond)
            writer = new
            return new
        } catch {
            throw ScenarioError(line: 0, error.description)
        }
    }

    // MARK: TCP

    private func connect(
        _ from: String, _ to: String, port: UInt16, label: String?, isn: UInt32?, handshake: Bool, versions: [Int: UInt8] = [:]
    ) throws(ScenarioError) {
        guard let a = nodes[from], let b = nodes[to] else { throw ScenarioError(line: 0, "connect: unknown node") }
        let client = Endpoint(address: a.address, port: nextClientPort)
        nextClientPort &+= 1
        let server = Endpoint(address: b.address, port: port)
        let seed = sha256("isn \(from) \(to) \(connections.count)".utf8)
        let isnA = isn ?? (UInt32(seed[0]) << 24 | UInt32(seed[1]) << 16 | UInt32(seed[2]) << 8 | UInt32(seed[3]))
        let isnB = UInt32(seed[4]) << 24 | UInt32(seed[5]) << 16 | UInt32(seed[6]) << 8 | UInt32(seed[7])
        let connection = Connection(
            label: label ?? "c\(connections.count + 1)", initiator: from, responder: to,
            endpoints: [client, server], sequence: [isnA, isnB])
        connections.append(connection)
        // Three-way handshake.
        try segment(connection, from: 0, flags: [.syn], payload: [], consumesSequence: 1, ack: false)
        try segment(connection, from: 1, flags: [.syn, .ack], payload: [], consumesSequence: 1)
        try segment(connection, from: 0, flags: [.ack], payload: [])
        guard handshake else { return }
        // BOLT #8 handshake with deterministic ephemeral keys.
        let ephemeralA = a.keys.derive("ephemeral \(connections.count)")
        let ephemeralB = b.keys.derive("ephemeral \(connections.count)")
        do {
            var initiator = try HandshakeInitiator(localStatic: a.keys.secret, remoteStatic: b.keys.nodeID, ephemeral: ephemeralA)
            var responder = try HandshakeResponder(localStatic: b.keys.secret, ephemeral: ephemeralB)
            let actOne = try initiator.actOne()
            try sendBytes(connection, from: 0, actOne)
            let actTwo = try responder.actTwo(actOne: actOne)
            // A version other than 0 goes on the wire only (a scenario of a receiver that
            // does not reject it); the handshake itself is computed as usual.
            try sendBytes(connection, from: 1, versions[2].map { [$0] + actTwo.dropFirst() } ?? actTwo)
            let (actThree, keys) = try initiator.actThree(actTwo: actTwo)
            _ = try responder.finish(actThree: actThree)
            try sendBytes(connection, from: 0, versions[3].map { [$0] + actThree.dropFirst() } ?? actThree)
            connection.ciphers = [keys.cipher(fromInitiator: true), keys.cipher(fromInitiator: false)]
            connection.ciphers[0]?.rotates = a.rotates
            connection.ciphers[1]?.rotates = b.rotates
            if keyLogFormat == .ephemeral {
                keyLogLines.append("\(Hex.encode(initiator.ephemeralPublicKey)) \(Hex.encode(keys.chainingKey))")
            }
        } catch {
            throw ScenarioError(line: 0, "handshake failed: \(error)")
        }
    }

    private func closeConnection(_ connection: Connection, reset: Bool, by node: String? = nil) throws(ScenarioError) {
        let side = node.map { connection.side($0) } ?? 0
        if reset {
            try segment(connection, from: side, flags: [.rst, .ack], payload: [])
        } else {
            try segment(connection, from: side, flags: [.fin, .ack], payload: [], consumesSequence: 1)
            try segment(connection, from: 1 - side, flags: [.fin, .ack], payload: [], consumesSequence: 1)
            try segment(connection, from: side, flags: [.ack], payload: [])
        }
        connection.open = false
    }

    /// Sends `bytes` from one side as MSS-sized segments, then the peer acknowledges them.
    /// Returns the byte ranges that were not captured (dropped segments, capture off).
    @discardableResult
    private func sendBytes(_ connection: Connection, from side: Int, _ bytes: [UInt8]) throws(ScenarioError) -> [Range<Int>] {
        var offset = 0
        var lost: [Range<Int>] = []
        while offset < bytes.count {
            let end = min(offset + mss, bytes.count)
            let last = end == bytes.count
            if try !segment(connection, from: side, flags: last ? [.ack, .psh] : [.ack], payload: Array(bytes[offset..<end])) {
                lost.append(offset..<end)
            }
            offset = end
        }
        // A segment held back for reordering goes out before the peer acknowledges it.
        let node = side == 0 ? connection.initiator : connection.responder
        if let waiting = held.removeValue(forKey: node) {
            let writer = try openWriter()
            for frame in waiting { emit(frame, writer) }
        }
        try segment(connection, from: 1 - side, flags: [.ack], payload: [])
        return lost
    }

    /// Writes one TCP segment, applying pending capture anomalies of the sending node.
    /// Returns whether the segment made it into the capture.
    @discardableResult
    private func segment(
        _ connection: Connection, from side: Int, flags: TCPFlags, payload: [UInt8], consumesSequence: UInt32 = 0, ack: Bool = true
    ) throws(ScenarioError) -> Bool {
        let sequence = connection.sequence[side]
        let acknowledgment = ack ? connection.sequence[1 - side] : 0
        connection.sequence[side] &+= UInt32(payload.count) &+ consumesSequence
        let frames = frameBuilder.frames(
            from: connection.endpoints[side], to: connection.endpoints[1 - side],
            sequence: sequence, acknowledgment: acknowledgment, flags: flags, payload: payload)
        let node = side == 0 ? connection.initiator : connection.responder
        var copies = [frames]
        if !payload.isEmpty, var pending = actions[node], !pending.isEmpty {
            let (action, count) = pending[0]
            pending[0].1 = count - 1
            if pending[0].1 <= 0 { pending.removeFirst() }
            actions[node] = pending
            switch action {
            case .drop:
                copies = []
            case .duplicate:
                copies = [frames, frames]
            case .reorder:
                held[node, default: []].append(contentsOf: frames)
                return recording
            case .overlap:
                // Two overlapping partial retransmissions around the whole segment.
                let half = payload.count / 2
                let first = frameBuilder.frames(
                    from: connection.endpoints[side], to: connection.endpoints[1 - side],
                    sequence: sequence, acknowledgment: acknowledgment, flags: [.ack], payload: Array(payload[0..<max(half, 1)]))
                copies = [first, frames]
            }
        }
        let writer = try openWriter()
        for group in copies {
            for frame in group { emit(frame, writer) }
        }
        // A reordered segment goes out after the next one.
        if !payload.isEmpty, let waiting = held.removeValue(forKey: node) {
            for frame in waiting { emit(frame, writer) }
        }
        return recording && !copies.isEmpty
    }

    private func emit(_ frame: [UInt8], _ writer: PcapWriter) {
        if recording { writer.write(frame, time: clock) }
        advance(by: 0.00002)
    }

    private func flushHeld() {
        guard let writer else { return }
        for (_, frames) in held {
            for frame in frames { emit(frame, writer) }
        }
        held.removeAll()
    }

    // MARK: Messages

    /// Adds the message to the logs of the nodes that sent or received it.
    private func writeLogs(_ bytes: [UInt8], connection: Connection, from: String, to: String) {
        guard !logs.isEmpty else { return }
        guard let message = try? Message.decode(bytes) else {
            // A malformed message: only a log that prints every message's bytes shows it.
            for index in logs.indices {
                let node = logs[index].target.node
                guard node == from || node == to, let peer = nodes[node == from ? to : from] else { continue }
                logs[index].lines += logs[index].renderer.undecodableLines(bytes, sent: node == from, peer: peer.keys.nodeID, time: clock)
            }
            return
        }
        let channelNumber = message.channelID.flatMap { id in
            id.isZero ? nil : builder.channels.firstIndex { $0.id == id || $0.temporaryID == id }.map { $0 + 1 }
        }
        for index in logs.indices {
            let node = logs[index].target.node
            guard node == from || node == to, let peer = nodes[node == from ? to : from] else { continue }
            let peerEndpoint = connection.endpoints[connection.side(peer.keys.name)]
            logs[index].lines += logs[index].renderer.lines(
                message, bytes: bytes, sent: node == from, peer: peer.keys.nodeID, peerAddress: peerEndpoint.description,
                channelNumber: channelNumber, time: clock)
        }
    }

    private func send(_ statements: [MessageStatement]) throws(ScenarioError) {
        guard let first = statements.first else { return }
        let candidates = connections.filter { $0.open && Set([$0.initiator, $0.responder]) == Set([first.from, first.to]) }
        let connection = first.connection.flatMap { label in candidates.first { $0.label == label } } ?? candidates.last
        guard let connection else {
            throw ScenarioError(line: first.line, "no open connection between \(first.from) and \(first.to)")
        }
        let side = connection.side(first.from)
        guard var cipher = connection.ciphers[side] else {
            throw ScenarioError(line: first.line, "connection \(connection.label) has no BOLT #8 session (handshake=no)")
        }
        var bytes: [UInt8] = []
        var entries: [(range: Range<Int>, message: SentMessage)] = []
        for var statement in statements {
            // `expect=RULE,…` annotates the message for tests; it is not a field.
            let expected = statement.assignments.filter { $0.field == "expect" }.flatMap { $0.value.split(separator: ",").map(String.init) }
            let expectedHazards = statement.assignments.filter { $0.field == "expect-hazard" }
                .flatMap { $0.value.split(separator: ",").map(String.init) }
            statement.assignments.removeAll { $0.field == "expect" || $0.field == "expect-hazard" }
            let plaintext = try builder.build(statement)
            guard plaintext.count <= 65535 else { throw ScenarioError(line: statement.line, "message longer than 65535 bytes") }
            let epochStart = cipher.nonce == 0
            let key = cipher.key
            let packet = cipher.encryptMessage(plaintext)
            if epochStart && keyLogFormat == .mac {
                keyLogLines.append("\(Hex.encode(packet[2..<18])) \(Hex.encode(key))")
            }
            entries.append(
                (
                    bytes.count..<(bytes.count + packet.count),
                    SentMessage(
                        connection: connection.label, port: connection.endpoints[1].port, outbound: side == 0,
                        index: connection.messages[0] + connection.messages[1], line: statement.line, plaintext: plaintext,
                        expected: expected, expectedHazards: expectedHazards)
                ))
            bytes += packet
            connection.messages[side] += 1
            messageCount += 1
            writeLogs(plaintext, connection: connection, from: statement.from, to: statement.to)
        }
        connection.ciphers[side] = cipher
        let lost = try sendBytes(connection, from: side, bytes)
        // A message any of whose bytes were not captured cannot be decoded.
        for entry in entries {
            let captured = !lost.contains { $0.overlaps(entry.range) }
            messageJSON.reset()
            entry.message.writeJSON(into: &messageJSON, captured: captured)
            messageLog += messageJSON.bytes
            messageLog.append(UInt8(ascii: "\n"))
        }
    }
}

/// One message a scenario sent, as `synth --messages` lists it for checking a decoder
/// against: where and in which direction it went, its type, length and SHA-256, its bytes
/// when short, the rules and hazards the scenario expects of it, and whether the capture
/// holds it whole.
struct SentMessage {
    var connection: String
    var port: UInt16
    var outbound: Bool
    var index: Int
    var line: Int
    var plaintext: [UInt8]
    var expected: [String]
    var expectedHazards: [String]

    /// Short messages are listed whole; every message by its SHA-256.
    static let wholeUpTo = 512

    func writeJSON(into json: inout JSONWriter, captured: Bool) {
        json.beginObject()
        json.field("connection", connection)
        json.field("port", Int(port))
        json.field("direction", outbound ? "out" : "in")
        json.field("index", index)
        json.field("line", line)
        json.field("type", plaintext.count >= 2 ? Int(plaintext[0]) << 8 | Int(plaintext[1]) : 0)
        json.field("length", plaintext.count)
        json.key("sha256")
        json.hex(sha256(plaintext))
        if plaintext.count <= Self.wholeUpTo {
            json.key("hex")
            json.hex(plaintext)
        }
        if !expected.isEmpty { json.field("expect", expected) }
        if !expectedHazards.isEmpty { json.field("expect_hazard", expectedHazards) }
        json.field("captured", captured)
        json.endObject()
    }
}
