import Basics
import Foundation
import Ledger
import Provenance
import Secp256k1
@testable import Synth
import Testing
import Trace
import Transactions
import Wire

/// A small scenario made into a capture: decoding it with its key log gives the scenario's
/// messages, and what the synthesizer filled in (HTLC ids, per-commitment points and
/// secrets, `num_htlcs`, the commitment signatures) agrees with BOLT #2 and #3, computed
/// here by hand rather than by the ledger that made them.
@Suite struct ScenarioCaptureTests {
    /// One payment from alice to bob, then two HTLCs in flight (one of them dust) that
    /// alice signs for bob.
    static let scenario = """
        node alice
        node bob
        connect alice bob
        alice -> bob init
        bob -> alice init
        open alice bob
        pay alice bob amount_msat=20000000
        alice -> bob update_add_htlc amount_msat=5000000
        alice -> bob update_add_htlc amount_msat=1000000
        alice -> bob commitment_signed
        """

    /// The scenario's message types, in order (`open` and `pay` expanded).
    static let types = [
        "init", "init", "open_channel", "accept_channel", "funding_created", "funding_signed", "channel_ready", "channel_ready",
        "update_add_htlc", "commitment_signed", "revoke_and_ack", "commitment_signed", "revoke_and_ack",
        "update_fulfill_htlc", "commitment_signed", "revoke_and_ack", "commitment_signed", "revoke_and_ack",
        "update_add_htlc", "update_add_htlc", "commitment_signed",
    ]

    struct Sent {
        var from: String
        var message: Message
    }

    /// Synthesizes `text` into a temporary folder and decodes the capture with the key log.
    static func synthesize(_ text: String) throws -> (decoded: [Sent], sha256: [String]) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lntrace-synth-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let capture = directory.appendingPathComponent("trace.pcap").path
        let messages = directory.appendingPathComponent("messages.jsonl").path
        let (_, keyLogText) = try Synthesizer(capturePath: capture, messagesPath: messages).run(try ScenarioParser.parse(text))
        let keys = directory.appendingPathComponent("trace.keys").path
        try keyLogText.write(toFile: keys, atomically: true, encoding: .utf8)
        let (keyLog, _) = KeyLogLoader.load(files: [keys], lines: [])
        var decoded: [Sent] = []
        try InputReader(path: capture, captureOptions: CaptureOptions(keyLog: keyLog)).read(emit: { event in
            guard case let .message(m) = event, let message = m.content.message else { return }
            // The initiator of the scenario's only connection is alice.
            decoded.append(Sent(from: m.direction == .in ? "bob" : "alice", message: message))
        })
        let lines = try String(contentsOfFile: messages, encoding: .utf8).split(separator: "\n")
        let sha256 = try lines.map { line in
            (try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["sha256"] as? String ?? ""
        }
        return (decoded, sha256)
    }

    @Test func decodingTheCaptureGivesTheScenariosMessages() throws {
        let (decoded, digests) = try Self.synthesize(Self.scenario)
        #expect(decoded.map(\.message.name) == Self.types)
        #expect(try decoded.map { Hex.encode(sha256(try $0.message.encoded())) } == digests)
    }

    @Test func htlcIDsCountFromZeroPerSender() throws {
        let adds = try Self.synthesize(Self.scenario).decoded.compactMap { sent -> UInt64? in
            guard case let .updateAddHTLC(m) = sent.message else { return nil }
            return m.id
        }
        #expect(adds == [0, 1, 2])
    }

    /// Each `revoke_and_ack` reveals the secret of the commitment it revokes: its point
    /// came in `open_channel`/`accept_channel` (0), `channel_ready` (1), or the sender's
    /// revocation before (BOLT #2 §"revoke_and_ack"; BOLT #3 §"Per-commitment Secret
    /// Requirements").
    @Test func revocationsRevealTheSecretsOfThePointsSentBefore() throws {
        var points: [String: [UInt64: [UInt8]]] = [:]
        var revoked: [String: UInt64] = [:]
        var checked = 0
        for sent in try Self.synthesize(Self.scenario).decoded {
            switch sent.message {
            case let .openChannel(m): points[sent.from, default: [:]][0] = m.firstPerCommitmentPoint.bytes
            case let .acceptChannel(m): points[sent.from, default: [:]][0] = m.firstPerCommitmentPoint.bytes
            case let .channelReady(m): points[sent.from, default: [:]][1] = m.secondPerCommitmentPoint.bytes
            case let .revokeAndAck(m):
                let number = revoked[sent.from, default: 0]
                #expect(Secp256k1.publicKey(secret: m.perCommitmentSecret) == points[sent.from]?[number], "\(sent.from) revokes \(number)")
                points[sent.from, default: [:]][number + 2] = m.nextPerCommitmentPoint.bytes
                revoked[sent.from] = number + 1
                checked += 1
            default: break
            }
        }
        #expect(checked == 4)
    }

    /// `num_htlcs` of each signing, and the signature of the last one over bob's commitment 3
    /// as BOLT #3 builds it from the amounts the scenario gives.
    @Test func commitmentsHoldTheScenariosHTLCs() throws {
        let decoded = try Self.synthesize(Self.scenario).decoded
        let signings = decoded.compactMap { sent -> CommitmentSigned? in
            guard case let .commitmentSigned(m) = sent.message else { return nil }
            return m
        }
        // The payment's HTLC in both commitments, then removed from both; then one of the two
        // new HTLCs is dust (1000 sat < 546 + 2500·703/1000 sat in bob's commitment).
        #expect(signings.map(\.htlcSignature.count) == [1, 1, 0, 0, 1])

        var open: OpenChannel?, accept: AcceptChannel?, created: FundingCreated?
        for sent in decoded {
            switch sent.message {
            case let .openChannel(m): open = m
            case let .acceptChannel(m): accept = m
            case let .fundingCreated(m): created = m
            default: break
            }
        }
        guard let open, let accept, let created else {
            Issue.record("the opening is not in the capture")
            return
        }
        let bobsRevocations = decoded.compactMap { sent -> RevokeAndAck? in
            guard sent.from == "bob", case let .revokeAndAck(m) = sent.message else { return nil }
            return m
        }
        let adds = decoded.compactMap { sent -> UpdateAddHTLC? in
            guard case let .updateAddHTLC(m) = sent.message else { return nil }
            return m
        }
        func party(_ keys: (Point, Point, Point, Point, Point), delay: UInt16, dust: UInt64) -> ChannelParameters.Party {
            ChannelParameters.Party(
                fundingPubkey: keys.0.bytes, revocationBasepoint: keys.1.bytes, paymentBasepoint: keys.2.bytes,
                delayedPaymentBasepoint: keys.3.bytes, htlcBasepoint: keys.4.bytes, toSelfDelay: delay, dustLimit: dust)
        }
        let alice = party(
            (open.fundingPubkey, open.revocationBasepoint, open.paymentBasepoint, open.delayedPaymentBasepoint, open.htlcBasepoint),
            delay: open.toSelfDelay, dust: open.dustLimitSatoshis)
        let bob = party(
            (accept.fundingPubkey, accept.revocationBasepoint, accept.paymentBasepoint, accept.delayedPaymentBasepoint, accept.htlcBasepoint),
            delay: accept.toSelfDelay, dust: accept.dustLimitSatoshis)
        let parameters = ChannelParameters(
            sides: PerSide(alice, bob), opener: .first, fundingTxid: created.fundingTxid.bytes,
            fundingOutputIndex: UInt32(created.fundingOutputIndex), fundingSatoshis: open.fundingSatoshis, staticRemoteKey: true, anchors: false)
        // bob's commitment 3: alice paid 20,000 sat, and has 5,000 and 1,000 sat in flight.
        let inFlight = adds.dropFirst().map {
            ChannelParameters.HTLC(offerer: .first, amountMsat: $0.amountMsat, paymentHash: $0.paymentHash.bytes, cltvExpiry: $0.cltvExpiry)
        }
        let funding = open.fundingSatoshis * 1000
        let point = try #require(bobsRevocations.dropFirst().first).nextPerCommitmentPoint.bytes
        let tx = try #require(
            parameters.commitment(
                owner: .second, number: 3, perCommitmentPoint: point, feeratePerKw: open.feeratePerKw,
                balancesMsat: PerSide(funding - 20_000_000 - 6_000_000, 20_000_000), htlcs: inFlight))
        let last = try #require(signings.last)
        #expect(tx.htlcOutputs.map(\.htlc.amountMsat) == [5_000_000])
        #expect(Secp256k1.verify(signature: last.signature.bytes, digest: tx.sighash, point: open.fundingPubkey.bytes))
    }

    /// The synthesizer's own ledger after the scenario: commitment numbers, the states of
    /// the HTLCs in flight, and a history folded as the rules fold theirs.
    @Test func theSynthesizersLedgerFollowsTheScenario() throws {
        let statements = Self.flatten(try ScenarioParser.parse(Self.scenario))
        var builder = try Self.builder()
        for statement in statements { _ = try builder.build(statement) }
        let ledger = try #require(builder.channels.first).ledger
        #expect(ledger.localCommitment(.first) == 2 && ledger.localCommitment(.second) == 3)
        #expect(ledger.nextRevoked(.first) == 2 && ledger.nextRevoked(.second) == 2)
        #expect(ledger.htlcs.map { ledger.addState($0) } == [.irrevocablyCommitted, .inReceiverCommitment, .inReceiverCommitment])
        #expect(ledger.htlcs.first?.fulfilled == true)
        #expect(ledger.commitmentContents(signedBy: .second).htlcs.isEmpty)
    }

    @Test func longScenariosFoldTheirHistory() throws {
        let text = """
            node alice
            node bob
            open alice bob
            repeat 150 {
              pay alice bob amount_msat=1000000
            }
            """
        var builder = try Self.builder()
        for statement in Self.flatten(try ScenarioParser.parse(text)) { _ = try builder.build(statement) }
        let ledger = try #require(builder.channels.first).ledger
        #expect(ledger.compactions >= 1)
        #expect(ledger.localCommitment(.first) == 300 && ledger.localCommitment(.second) == 300)
        #expect(ledger.nextHTLCID[.first] == 150)
        #expect(ledger.commitmentContents(signedBy: .first).balancesMsat == PerSide<UInt64>(1_000_000_000 - 150_000_000, 150_000_000))
    }

    // MARK: Driving the message builder

    static func builder() throws -> MessageBuilder {
        var nodes: [String: NodeKeys] = [:]
        for name in ["alice", "bob"] { nodes[name] = try NodeKeys(name: name, secret: deriveSecret(from: Array("node \(name)".utf8))) }
        return MessageBuilder(nodes: nodes, features: [:])
    }

    static func flatten(_ statements: [Statement]) -> [MessageStatement] {
        statements.flatMap { statement -> [MessageStatement] in
            switch statement {
            case let .message(m): [m]
            case let .batch(ms): ms
            case let .repeated(count, body): (0..<count).flatMap { _ in flatten(body) }
            default: []
            }
        }
    }
}
