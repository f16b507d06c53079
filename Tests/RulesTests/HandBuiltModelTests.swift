import Basics
import Ledger
import Provenance
@testable import Rules
import Testing
import Trace
import Transactions
import Wire

/// A rule judged against a channel model built by hand, from the ledger's own operations:
/// no capture, no log, no other message.
@Suite struct HandBuiltModelTests {
    /// A channel the trace saw opened by alice, with one HTLC of 10,000 sat from alice to bob
    /// that alice signed and bob revoked for (state 3: not yet in alice's own commitment).
    static func channelWithOneHTLC() -> ChannelModel {
        var ch = ChannelModel()
        _ = ch.side(of: "alice")
        _ = ch.side(of: "bob")
        ch.origin = .opened
        ch.ledger.opener = .first
        ch.ledger.initialFeerate = 2500
        ch.ledger.recordAdd(from: .first, id: 0, amountMsat: 10_000_000, paymentHash: sha256([7]), cltvExpiry: 800_144, onion: nil)
        ch.ledger.recordSigning(from: .first)
        ch.ledger.recordRevocation(from: .second)
        return ch
    }

    /// The outcome of `rule` on `message` from `sender`, judged against `channel`.
    static func judge(_ rule: Rule, _ message: Message, from sender: Side, on channel: ChannelModel) -> Check.Outcome {
        let event = MessageEvent(content: .decoded(message), location: SourceLocation(file: "hand-built"))
        var check = Check(
            event: event, view: MessageView(.decoded(message)), channel: channel, sender: sender,
            connection: ConnectionModel(startSeen: true, transport: true))
        rule.check(&check)
        return check.outcome
    }

    static func fulfill(id: UInt64) -> Message {
        var m = UpdateFulfillHTLC()
        m.id = id
        m.paymentPreimage = [7] + [UInt8](repeating: 0, count: 31)
        return .updateFulfillHTLC(m)
    }

    @Test func aRemovalBeforeTheAddIsIrrevocablyCommittedIsReported() throws {
        var ch = Self.channelWithOneHTLC()
        let early = Self.judge(UpdateRules.removeAfterIrrevocable, Self.fulfill(id: 0), from: .second, on: ch)
        guard case let .violation(reason, _) = early else {
            Issue.record("expected a violation, got \(early)")
            return
        }
        #expect(reason == "HTLC 0 is not irrevocably committed: the sender has not signed a commitment with it")
        // bob signs the add into alice's commitment, alice revokes: irrevocably committed.
        ch.ledger.recordSigning(from: .second)
        ch.ledger.recordRevocation(from: .first)
        #expect(ch.ledger.addState(try #require(ch.ledger.htlc(offeredBy: .first, id: 0))) == .irrevocablyCommitted)
        let late = Self.judge(UpdateRules.removeAfterIrrevocable, Self.fulfill(id: 0), from: .second, on: ch)
        guard case .passed = late else {
            Issue.record("expected the rule to pass, got \(late)")
            return
        }
    }

    @Test func numHTLCsCountsTheUntrimmedHTLCsOfTheHandBuiltCommitment() {
        var ch = Self.channelWithOneHTLC()
        ch.params = PerSide(repeating: ChannelModel.Params())
        ch.params[.second].dustLimit = 546
        // A 1,000 sat HTLC is dust in bob's commitment at 2500 sat/kw (546 + 1757 sat).
        ch.ledger.recordAdd(from: .first, id: 1, amountMsat: 1_000_000, paymentHash: sha256([8]), cltvExpiry: 800_144, onion: nil)
        func signing(_ count: Int) -> Message {
            var m = CommitmentSigned()
            m.htlcSignature = [Signature](repeating: Signature(unchecked: [UInt8](repeating: 1, count: 64)), count: count)
            return .commitmentSigned(m)
        }
        guard case .passed = Self.judge(UpdateRules.commitNumHTLCs, signing(1), from: .first, on: ch) else {
            Issue.record("one untrimmed HTLC: num_htlcs=1 is right")
            return
        }
        guard case .violation = Self.judge(UpdateRules.commitNumHTLCs, signing(2), from: .first, on: ch) else {
            Issue.record("num_htlcs=2 counts the trimmed HTLC")
            return
        }
    }
}
