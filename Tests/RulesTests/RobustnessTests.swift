import Foundation
import Provenance
import Rules
import TestSupport
import Testing
import Trace
import Wire

/// Arbitrary field values and orders never stop the engine: every message of every type,
/// with the random values pyln-proto encoded (`Fixtures/wire/pyln-messages.jsonl`), in
/// shuffled orders and directions, reusing few channel ids so that channels do see them.
@Suite struct RobustnessTests {
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test(arguments: 0..<8)
    func randomTrafficNeverTraps(_ seed: Int) throws {
        let lines = try Fixtures.jsonLines("wire/pyln-messages.jsonl")
        var messages: [Message] = []
        for line in lines {
            let bytes = try #require([UInt8](hexString: line["hex"] as? String ?? ""))
            var message = try Message.decode(bytes)
            // Few channels, so that the random messages land on the same models.
            if message.channelID != nil { try? message.assign("channel_id", String(repeating: "0\(seed % 3 + 1)", count: 32)) }
            messages.append(message)
        }
        var rng = Generator(state: UInt64(seed))
        var engine = RuleEngine(rules: Catalog.rules)
        var findings = 0
        for round in 0..<20 {
            for (index, message) in messages.shuffled(using: &rng).enumerated() {
                let out = Bool.random(using: &rng)
                let event = MessageEvent(
                    connection: round % 3, direction: out ? .out : .in, index: index, content: .decoded(message),
                    location: SourceLocation(file: "random", frames: [index]), sender: out ? "a" : "b", receiver: out ? "b" : "a",
                    streamStart: round % 2 == 0)
                findings += engine.process(event).count
            }
        }
        #expect(engine.messages == messages.count * 20)
        #expect(findings > 0)
    }

    /// A message that does not decode is judged by the format rules, and the connection it
    /// names is held within the same bound as any other: a flood of malformed messages on new
    /// connections does not grow the engine.
    @Test func malformedMessagesOnManyConnectionsStayBounded() {
        var engine = RuleEngine(rules: Catalog.rules)
        var findings: [Finding] = []
        let count = RuleEngine.liveChannels + 2_000
        for connection in 0..<count {
            // A ping cut after num_pong_bytes: a known message too short for its fields.
            let bytes: [UInt8] = [0x00, 0x12, 0x00, 0x04]
            let content: MessageContent
            do {
                content = .decoded(try Message.decode(bytes))
            } catch {
                content = .undecodable(type: 0x12, bytes: bytes, error: error)
            }
            let event = MessageEvent(
                connection: connection, direction: .out, index: 0, content: content,
                location: SourceLocation(file: "flood", frames: [connection]), sender: "a", receiver: "b", streamStart: true)
            findings += engine.process(event)
        }
        #expect(findings.count == count)
        #expect(findings.allSatisfy { $0.rule.id == "fmt-known-too-short" })
        #expect(engine.liveConnections <= RuleEngine.liveChannels)
    }
}
