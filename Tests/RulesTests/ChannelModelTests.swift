import Ledger
import Provenance
@testable import Rules
import Testing
import Trace
import Transactions
import Wire

/// The §0.3 model of rules-catalog.md, driven message by message.
@Suite struct ChannelModelTests {
    static func view(_ name: String, _ fields: [String: String] = [:]) throws -> MessageView {
        let type = try #require(Message.knownTypes.first { $0.value.name == name }?.key)
        var message = try #require(Message.placeholder(type: type))
        for (field, value) in fields { try message.assign(field, value) }
        return MessageView(.decoded(message))
    }

    /// A channel opened by side 0 with dust limits of 546 sat and a feerate of 2500.
    static func opened() throws -> ChannelModel {
        var ch = ChannelModel()
        _ = ch.side(of: "alice")
        _ = ch.side(of: "bob")
        ch.apply(try Self.view("open_channel", ["dust_limit_satoshis": "546", "feerate_per_kw": "2500", "max_accepted_htlcs": "483"]), from: .first)
        ch.apply(try Self.view("accept_channel", ["dust_limit_satoshis": "546"]), from: .second)
        return ch
    }

    static func add(_ ch: inout ChannelModel, from side: Side, id: UInt64, msat: UInt64) throws {
        ch.apply(try Self.view("update_add_htlc", ["id": "\(id)", "amount_msat": "\(msat)"]), from: side)
    }

    @Test func commitmentContentsFollowSigningsAndRevocations() throws {
        var ch = try Self.opened()
        try Self.add(&ch, from: .first, id: 0, msat: 50_000_000)
        try Self.add(&ch, from: .second, id: 0, msat: 20_000_000)
        // alice's next signing holds her own add only: bob's is not acknowledged yet.
        #expect(ch.ledger.commitmentContents(signedBy: .first).htlcs.map(\.offerer) == [.first])
        ch.apply(try Self.view("commitment_signed"), from: .first)
        ch.apply(try Self.view("commitment_signed"), from: .second)
        ch.apply(try Self.view("revoke_and_ack"), from: .second)
        ch.apply(try Self.view("revoke_and_ack"), from: .first)
        // After revoking for bob's signing, alice's next signing includes bob's add too.
        #expect(Set(ch.ledger.commitmentContents(signedBy: .first).htlcs.map(\.offerer)) == [.first, .second])
        let alices = try #require(ch.ledger.htlc(offeredBy: .first, id: 0))
        #expect(ch.ledger.addState(alices) == .pendingOnSender)  // bob revoked, but has not signed a commitment with it
        ch.apply(try Self.view("commitment_signed"), from: .second)
        #expect(ch.ledger.addState(alices) == .inSenderCommitment)
        ch.apply(try Self.view("revoke_and_ack"), from: .first)
        #expect(ch.ledger.addState(alices) == .irrevocablyCommitted)
        #expect(ch.ledger.unacknowledgedSignings(.first) == 0 && ch.ledger.unacknowledgedSignings(.second) == 0)
    }

    @Test func dustHTLCsAreTrimmedAtTheCommitmentsFeerate() throws {
        var ch = try Self.opened()
        // 2000 sat offered by alice, in bob's commitment: received there, fee 2500·703/1000 = 1757 sat.
        try Self.add(&ch, from: .first, id: 0, msat: 2_000_000)
        let htlc = try #require(ch.ledger.htlc(offeredBy: .first, id: 0))
        #expect(ch.isTrimmed(htlc, in: .second, feerate: 2500) == true)  // 2000 < 546 + 1757
        #expect(ch.isTrimmed(htlc, in: .second, feerate: 253) == false)  // 2000 ≥ 546 + 177
        // In alice's own commitment it is offered: fee 2500·663/1000 = 1657 sat.
        #expect(ch.isTrimmed(htlc, in: .first, feerate: 2500) == true)
        // An update_fee is in a commitment once the opener's signing covers it.
        ch.apply(try Self.view("update_fee", ["feerate_per_kw": "253"]), from: .first)
        #expect(ch.ledger.commitmentContents(signedBy: .first).feerate == 253)
        #expect(ch.ledger.commitmentContents(signedBy: .second).feerate == 2500)
    }

    @Test func reconnectionUndoesUnsignedUpdatesAndRewindsIDs() throws {
        var ch = try Self.opened()
        try Self.add(&ch, from: .first, id: 0, msat: 10_000_000)
        ch.apply(try Self.view("commitment_signed"), from: .first)
        try Self.add(&ch, from: .first, id: 1, msat: 10_000_000)
        try Self.add(&ch, from: .first, id: 2, msat: 10_000_000)
        ch.reconnected(connection: 2)
        #expect(ch.ledger.htlcs.map(\.id) == [0])
        #expect(ch.ledger.nextHTLCID[.first] == 1)
        #expect(ch.ledger.updates[.first].count == 1)
    }

    @Test func reestablishTakesBackASigningThePeerNeverReceived() throws {
        var ch = try Self.opened()
        try Self.add(&ch, from: .first, id: 0, msat: 10_000_000)
        ch.apply(try Self.view("commitment_signed"), from: .first)
        #expect(ch.ledger.localCommitment(.second) == 1)
        ch.reconnected(connection: 2)
        // bob says he still expects commitment 1: alice's signing was lost, and with it the add.
        ch.apply(try Self.view("channel_reestablish", ["next_commitment_number": "1", "next_revocation_number": "0"]), from: .second)
        #expect(ch.ledger.signings[.first].isEmpty)
        #expect(ch.ledger.htlcs.isEmpty)
        #expect(ch.ledger.nextHTLCID[.first] == 0)
    }

    @Test func midLifeReestablishSetsTheCommitmentNumbers() throws {
        var ch = ChannelModel()
        _ = ch.side(of: "alice")
        _ = ch.side(of: "bob")
        let point = "02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5"
        ch.apply(
            try Self.view(
                "channel_reestablish",
                [
                    "next_commitment_number": "8", "next_revocation_number": "7",
                    "my_current_per_commitment_point": point,
                ]), from: .first)
        // bob owes the revocation of commitment 8 (alice's nr is 7, bob's nc would be 9).
        ch.apply(try Self.view("channel_reestablish", ["next_commitment_number": "9", "next_revocation_number": "7"]), from: .second)
        #expect(ch.origin == .reestablished)
        #expect(ch.ledger.localCommitment(.first) == 7)
        #expect(ch.points[.first][7] == nil)  // my_current_per_commitment_point is not trusted (receivers ignore it)
        #expect(ch.ledger.nextRevoked(.first) == 7)  // bob's nr: alice revoked 0…6
        #expect(ch.ledger.nextRevoked(.second) == 7)  // alice's nr: bob has revoked 0…6 and owes 7
        #expect(ch.ledger.unacknowledgedSignings(.first) == 1)  // the signing bob's owed revocation answers
    }

    @Test func copiesReplayIndependently() throws {
        let base = try Self.opened()
        var a = base, b = base
        try Self.add(&a, from: .first, id: 0, msat: 1_000_000)
        b.apply(try Self.view("shutdown"), from: .second)
        #expect(a.ledger.htlcs.count == 1 && b.ledger.htlcs.isEmpty)
        #expect(!a.shutdownSent[.second] && b.shutdownSent[.second])
        #expect(base.ledger.htlcs.isEmpty && !base.shutdownSent[.second])
    }

    /// One payment from side 0 to side 1, signed and revoked both ways.
    static func pay(_ ch: inout ChannelModel, id: UInt64) throws {
        try add(&ch, from: .first, id: id, msat: 20_000_000)
        for (name, side) in [
            ("commitment_signed", Side.first), ("revoke_and_ack", Side.second), ("commitment_signed", Side.second), ("revoke_and_ack", Side.first),
        ] {
            ch.apply(try Self.view(name), from: side)
        }
        ch.apply(try Self.view("update_fulfill_htlc", ["id": "\(id)"]), from: .second)
        for (name, side) in [
            ("commitment_signed", Side.second), ("revoke_and_ack", Side.first), ("commitment_signed", Side.first), ("revoke_and_ack", Side.second),
        ] {
            ch.apply(try Self.view(name), from: side)
        }
    }

    @Test func quietChannelsFoldTheirHistory() throws {
        var ch = try Self.opened()
        for id in 0..<300 { try Self.pay(&ch, id: UInt64(id)) }
        // Not quiet while an add is not yet in the adder's own commitment (state 3).
        try Self.add(&ch, from: .first, id: 300, msat: 20_000_000)
        ch.apply(try Self.view("commitment_signed"), from: .first)
        ch.apply(try Self.view("revoke_and_ack"), from: .second)
        #expect(!ch.ledger.everythingCommitted)
        ch.apply(try Self.view("commitment_signed"), from: .second)
        ch.apply(try Self.view("revoke_and_ack"), from: .first)
        #expect(ch.ledger.everythingCommitted)
        let numbers = (
            ch.ledger.localCommitment(.first), ch.ledger.localCommitment(.second), ch.ledger.nextRevoked(.first), ch.ledger.nextRevoked(.second)
        )
        ch.compact()
        #expect(ch.ledger.compactions == 1)
        #expect(ch.ledger.htlcs.map(\.id) == [300] && ch.ledger.updates[.first].count == 1 && ch.ledger.updates[.second].isEmpty)
        #expect(
            (ch.ledger.localCommitment(.first), ch.ledger.localCommitment(.second), ch.ledger.nextRevoked(.first), ch.ledger.nextRevoked(.second))
                == numbers)
        #expect(ch.ledger.everythingCommitted)
        let live = try #require(ch.ledger.htlc(offeredBy: .first, id: 300))
        #expect(ch.ledger.addState(live) == .irrevocablyCommitted)
        #expect(
            ch.ledger.wasSettled(offeredBy: .first, id: 17) && !ch.ledger.wasSettled(offeredBy: .first, id: 300)
                && !ch.ledger.wasSettled(offeredBy: .first, id: 301))
        // Life goes on after the fold: the next signing holds the live HTLC and the new one.
        try Self.add(&ch, from: .first, id: 301, msat: 20_000_000)
        #expect(ch.ledger.commitmentContents(signedBy: .first).htlcs.map(\.id) == [300, 301])
        #expect(ch.ledger.commitmentContents(signedBy: .second).htlcs.map(\.id) == [300])
    }
}
