import Basics
import NodeLogs
import Provenance
import Testing
import Wire

/// Core Lightning, eclair and LDK lines as published in their issues (node-logs.md §2.3,
/// §3.3, §4.3; identifiers the reporters shortened are filled in).
struct ClnLogTests {
    static let node = "03864ef025fde8fb587d989186ce6a4a186895ee44a926bfc370e2c366597a3f8f"

    @Test func shortLinesOfEveryVersion() {
        let log = """
            2023-07-27T13:58:33.812Z DEBUG   \(Self.node)-channeld-chan#14429: peer_out WIRE_COMMITMENT_SIGNED
            2023-03-06T11:58:27.066Z DEBUG   \(Self.node)-channeld-chan#28: peer_in WIRE_CHANNEL_REESTABLISH
            2023-03-06T11:58:27.074Z DEBUG   \(Self.node)-channeld-chan#28: Got reestablish commit=103576 revoke=104064
            2023-03-06T11:58:27.004Z DEBUG   \(Self.node)-connectd: peer_out WIRE_PEER_STORAGE
            2020-09-10T04:06:57.056Z DEBUG \(Self.node)-channeld-chan#139759: peer_out WIRE_UPDATE_ADD_HTLC
            2018-06-14T04:34:15.934Z lightningd(16785): lightning_channeld-\(Self.node) chan #12: peer_out WIRE_FUNDING_LOCKED
            Oct 11 18:25:48  lightningd: DEBUG   \(Self.node)-channeld-chan#1122: peer_in WIRE_REVOKE_AND_ACK
            lightningd-1 2024-01-01T00:00:00.000Z DEBUG   \(Self.node)-channeld-chan#3: peer_in UNKNOWN 32771
            """
        var parser = ClnLogParser(file: "cln.log")
        let (messages, diagnostics) = run(&parser, log)
        #expect(diagnostics.isEmpty)
        #expect(
            messages.map(\.content.name) == [
                "commitment_signed", "channel_reestablish", "peer_storage", "update_add_htlc", "channel_ready", "revoke_and_ack",
                "unknown_32771",
            ])
        #expect(messages.map(\.channelLabel) == ["chan#14429", "chan#28", nil, "chan#139759", "chan#12", "chan#1122", "chan#3"])
        #expect(messages.allSatisfy { $0.peer == Self.node })
        #expect(messages.map(\.direction) == [.out, .in, .out, .out, .out, .in, .in])
        #expect(messages[0].content.fields.isEmpty, "names only: every field unknown")
        #expect(messages[0].timeText == "2023-07-27T13:58:33.812Z")
        #expect(messages[5].time == nil, "journald's prefix has no year: no time")
        #expect(parser.skippedLines == 1)
    }

    @Test func ioLinesDecodeCompletely() {
        let log = """
            2024-01-01T00:00:00.000Z \(Self.node)-channeld-chan#1: [IN] 0012000a0004deadbeef
            2024-01-01T00:00:01.000Z \(Self.node)-channeld-chan#1: [OUT] 00130000
            2024-01-01T00:00:02.000Z \(Self.node)-channeld-chan#1: [OUT] 0084zz
            2024-01-01T00:00:03.000Z \(Self.node)-channeld-chan#1: [IN] 0084
            """
        var parser = ClnLogParser(file: "cln.log")
        let (messages, diagnostics) = run(&parser, log)
        // A truncated message is kept (undecodable, with its bytes) and reported; non-hex is only reported.
        #expect(messages.map(\.content.name) == ["ping", "pong", "commitment_signed"])
        #expect(messages.map(\.line) == [1, 2, 4])
        #expect(messages[0].content.message != nil, "decoded, not partial")
        #expect(messages[0].hex("ignored") == "deadbeef")
        #expect(diagnostics.map(\.location.line) == [3, 4])
    }
}

struct EclairLogTests {
    static let node = "034ea80f8b148c750463546bd999bf7321a0e6dfc60aaf84bd0400a2e8d376c0d5"
    static let channel = "3456d26bd89f058436e45218f2a9e1b420f88a68d3a0edfcccd0018b4e81c7ae"
    static let sig = String(repeating: "5a", count: 64)

    @Test func issueLinesAndTheDuplicateLogger() {
        let log = """
            2021-09-24 21:59:53,155 INFO  f.a.eclair.Diagnostics n:\(Self.node) c:\(Self.channel) - IN msg=CommitSig(\(Self.channel),\(Self.sig),List(),TlvStream(List(),List()))
            2021-09-24 21:59:53,155 INFO  f.a.e.i.Peer n:\(Self.node) c:\(Self.channel) - IN msg=CommitSig(\(Self.channel),\(Self.sig),List(),TlvStream(List(),List()))
            2022-11-08 14:38:24,126 INFO  f.a.eclair.Diagnostics n:\(Self.node) c:\(Self.channel) - IN msg=RevokeAndAck(\(Self.channel),<private_key>,0341952623c6a7093984621d46e9241a61ba418e465f769c72b9a263963874ba7d,TlvStream(List(),List()))
            2019-12-05 19:22:04,234 INFO  f.a.eclair.Diagnostics  n:\(Self.node) c:\(Self.channel) - OUT msg=RevokeAndAck(\(Self.channel),PrivateKey(ea05e31e000000000000000000000000000000000000000000000000000000dd),02933a8a00000000000000000000000000000000000000000000000000000000f2)
            2019-12-05 19:22:10,181 INFO  f.a.eclair.Diagnostics  n:\(Self.node) c:\(Self.channel) - IN msg=UpdateFailHtlc(\(Self.channel),39,ByteVector(292 bytes, 0x9ff561fe...))
            2019-12-05 19:22:11,000 INFO  f.a.eclair.Diagnostics  n:\(Self.node) c:\(Self.channel) - OUT msg=UpdateAddHtlc(\(Self.channel),40,1000 msat,\(String(repeating: "ab", count: 32)),CltvExpiry(800000),OnionRoutingPacket(0,ByteVector(33 bytes, 0x02),ByteVector(1300 bytes, 0x...),00),TlvStream(Set(),Set()))
            2019-12-05 19:22:12,000 INFO  f.a.e.i.Peer  n:\(Self.node) - something that is not a message
            """
        var parser = EclairLogParser(file: "eclair.log")
        let (messages, diagnostics) = run(&parser, log)
        #expect(diagnostics.isEmpty)
        #expect(messages.map(\.content.name) == ["commitment_signed", "revoke_and_ack", "revoke_and_ack", "update_fail_htlc", "update_add_htlc"])
        #expect(messages[0].uint("num_htlcs") == 0)
        #expect(messages[0].hex("signature") == Self.sig)
        #expect(messages[0].peer == Self.node)
        #expect(messages[1].field("per_commitment_secret") == nil, "a redacted secret stays unknown")
        #expect(messages[1].hex("next_per_commitment_point") == "0341952623c6a7093984621d46e9241a61ba418e465f769c72b9a263963874ba7d")
        #expect(messages[2].hex("per_commitment_secret") == "ea05e31e000000000000000000000000000000000000000000000000000000dd")
        #expect(messages[3].uint("id") == 39)
        #expect(messages[3].field("reason") == nil, "an abbreviated byte vector stays unknown")
        #expect(messages[4].uint("amount_msat") == 1000)
        #expect(messages[4].uint("cltv_expiry") == 800_000)
        #expect(messages[4].hex("channel_id") == Self.channel)
        #expect(parser.skippedLines == 1)
    }
}

struct LdkLogTests {
    static let peer = "03aefa43fbb4009b21a4129d05953974b7dbabbbfb511921410080860fca8ee1f0"

    @Test func issueLines() {
        let bytes32 = (0..<32).map(String.init).joined(separator: ", ")
        let log = """
            32c5 2024-02-17 01:54:27.564 TRACE [lightning::ln::peer_handler:1279] Enqueueing message ChannelReestablish { channel_id: ChannelId([\(bytes32)]), next_local_commitment_number: 7, next_remote_commitment_number: 6, your_last_per_commitment_secret: [\(bytes32)], my_current_per_commitment_point: PublicKey(0202), next_funding_txid: None } to \(Self.peer)
            2023-06-02 19:18:51.382 TRACE [lightning::ln::peer_handler:1381] Received message ChannelReestablish(ChannelReestablish { channel_id: [\(bytes32)], next_local_commitment_number: 1, next_remote_commitment_number: 0, your_last_per_commitment_secret: [\(bytes32)], my_current_per_commitment_point: PublicKey(0202), next_funding_txid: None }) from \(Self.peer)
            2024-02-12 13:54:53.353 TRACE [lightning::ln::peer_handler:1240] Enqueueing message Init { features: [161, 81, 138, 8, 128, 160, 8], networks: Some([06226e46111a0b59caaf126043eb5bbf28c34f3a5e332a1fc7b2b73cf188910f]), remote_network_address: None } to \(Self.peer)
            2024-02-12 13:54:54.000 DEBUG [lightning::ln::channel:12560] Pushing new outbound HTLC
            """
        var parser = LdkLogParser(file: "ldk.log")
        let (messages, diagnostics) = run(&parser, log)
        #expect(diagnostics.isEmpty)
        #expect(messages.map(\.content.name) == ["channel_reestablish", "channel_reestablish", "init"])
        #expect(messages.map(\.direction) == [.out, .in, .out])
        #expect(messages.allSatisfy { $0.peer == Self.peer })
        #expect(messages[0].hex("channel_id") == Hex.encode((0..<32).map { UInt8($0) }))
        #expect(messages[0].uint("next_commitment_number") == 7)
        #expect(messages[0].uint("next_revocation_number") == 6)
        #expect(messages[0].field("my_current_per_commitment_point") == nil, "not a key on the curve: unknown")
        #expect(messages[1].hex("channel_id") == Hex.encode((0..<32).map { UInt8($0) }))
        #expect(parser.skippedLines == 1)
    }
}

/// Whatever a log line holds, parsing never crashes.
struct GarbageTests {
    /// The messages all five parsers find in the line.
    @discardableResult
    static func parseAll(_ text: [UInt8]) -> Int {
        var lnd = LndLogParser(file: "x")
        var cln = ClnLogParser(file: "x")
        var eclair = EclairLogParser(file: "x")
        var ldk = LdkLogParser(file: "x")
        var hex = HexDumpParser(file: "x")
        let line = LineReader.Line(number: 1, bytes: text[...])
        let events =
            lnd.parse(line) + cln.parse(line) + eclair.parse(line) + ldk.parse(line) + hex.parse(line)
            + lnd.flush() + cln.flush() + eclair.flush() + ldk.flush() + hex.flush()
        return events.filter { if case .message = $0 { true } else { false } }.count
    }

    @Test func randomBytesAndTruncatedLines() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let count = Int.random(in: 0..<300, using: &generator)
            Self.parseAll((0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
        }
        let real = [
            "2022-06-26 11:15:09.906 [DBG] PEER: Received UpdateAddHTLC(chan_id=ab80a6037f55d6c77ce7030258a1da42b41b419b6b58da393225192c050f1acc, id=138, amt=1000 mSAT, expiry=742556, hash=ef0f258d3dd54a4eaf18b529bdcc40eca04c0bc89bf71044048e5216177e959d) from 03123e660b8380a8e3b528ee7db4fc2a5d5803d15978e6bf603caac5f816f5c839@46.101.122.181:33624",
            "2023-07-27T13:58:33.812Z 03864ef025fde8fb587d989186ce6a4a186895ee44a926bfc370e2c366597a3f8f-channeld-chan#1: [IN] 0012000a0004deadbeef",
            "2021-09-24 21:59:53,155 INFO  f.a.eclair.Diagnostics n:034ea80f8b148c750463546bd999bf7321a0e6dfc60aaf84bd0400a2e8d376c0d5 - IN msg=UpdateAddHtlc(ab,1,1000 msat,cd,CltvExpiry(1),OnionRoutingPacket(0,ByteVector(1 bytes, 0x02)),TlvStream(Set(),Set()))",
            "2024-02-12 13:54:53.353 TRACE [lightning::ln::peer_handler:1240] Received message UpdateAddHTLC(UpdateAddHTLC { channel_id: ChannelId([1, 2]), htlc_id: 3, amount_msat: 4, payment_hash: PaymentHash([5]) }) from 02",
        ]
        for text in real {
            let bytes = Array(text.utf8)
            #expect(Self.parseAll(bytes) >= 1, "the intact line is read")
            // Every truncation, and every single-byte corruption of the first 200 bytes.
            for cut in 0...bytes.count { Self.parseAll(Array(bytes[0..<cut])) }
            for i in 0..<min(bytes.count, 200) {
                for replacement: UInt8 in [0, 0x28, 0x29, 0x7b, 0x2c, 0x3d, 0xff] {
                    var mutated = bytes
                    mutated[i] = replacement
                    Self.parseAll(mutated)
                }
            }
        }
    }
}
