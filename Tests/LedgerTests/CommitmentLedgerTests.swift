import Basics
import Ledger
import Testing
import Transactions

/// The commitment ledger driven by hand, update by update (BOLT #2 §"Normal Operation";
/// Documentation/channel-model.md, "The ledger" and "The life of an update").
@Suite struct CommitmentLedgerTests {
    /// A channel opened by the first side with 1,000,000 sat, nothing pushed, at 2500 sat/kw.
    static func opened() -> CommitmentLedger {
        var ledger = CommitmentLedger()
        ledger.opener = .first
        ledger.initialFeerate = 2500
        ledger.balanceBase = PerSide(1_000_000_000, 0)
        ledger.nextHTLCID = PerSide(0, 0)
        return ledger
    }

    static func add(_ ledger: inout CommitmentLedger, from side: Side, id: UInt64, msat: UInt64) {
        ledger.recordAdd(
            from: side, id: id, amountMsat: msat, paymentHash: [UInt8](repeating: UInt8(truncatingIfNeeded: id), count: 32),
            cltvExpiry: 800_144, onion: [0, 1, 2])
    }

    /// `signer` signs, the peer revokes: the dance of one direction.
    static func dance(_ ledger: inout CommitmentLedger, signer: Side) {
        ledger.recordSigning(from: signer)
        ledger.recordRevocation(from: signer.other)
    }

    /// The first side pays the second: an HTLC added and fulfilled, each signed and revoked both ways.
    static func pay(_ ledger: inout CommitmentLedger, id: UInt64, msat: UInt64) {
        add(&ledger, from: .first, id: id, msat: msat)
        dance(&ledger, signer: .first)
        dance(&ledger, signer: .second)
        ledger.recordRemove(from: .second, id: id, fulfilled: true)
        dance(&ledger, signer: .second)
        dance(&ledger, signer: .first)
    }

    @Test func anAddPassesThroughTheFiveStatesInOrder() {
        var ledger = Self.opened()
        Self.add(&ledger, from: .first, id: 0, msat: 50_000_000)
        var states: [UpdateState] = []
        func note() { states.append(ledger.state(ofUpdate: 0, sentBy: .first)) }
        note()
        ledger.recordSigning(from: .first)
        note()
        ledger.recordRevocation(from: .second)
        note()
        ledger.recordSigning(from: .second)
        note()
        ledger.recordRevocation(from: .first)
        note()
        #expect(states == UpdateState.allCases)
        #expect(states.map(\.number) == [1, 2, 3, 4, 5])
        #expect(ledger.everythingCommitted)
    }

    @Test func aRevocationBeforeThePeersSigningDoesNotCommitTheUpdateToTheSender() {
        var ledger = Self.opened()
        // The second side signs (nothing of the first side's yet), then the first side adds.
        ledger.recordSigning(from: .second)
        Self.add(&ledger, from: .first, id: 0, msat: 10_000_000)
        Self.dance(&ledger, signer: .first)
        // The second side's only signing came before the revocation: the add is not in it.
        #expect(ledger.state(ofUpdate: 0, sentBy: .first) == .pendingOnSender)
        ledger.recordRevocation(from: .first)
        #expect(ledger.state(ofUpdate: 0, sentBy: .first) == .pendingOnSender)
        ledger.recordSigning(from: .second)
        #expect(ledger.state(ofUpdate: 0, sentBy: .first) == .inSenderCommitment)
    }

    @Test func contentsFollowSigningsAndRevocations() {
        var ledger = Self.opened()
        Self.add(&ledger, from: .first, id: 0, msat: 30_000_000)
        // The first side's next signing holds its own add; the second side's does not yet.
        #expect(ledger.commitmentContents(signedBy: .first).htlcs.map(\.id) == [0])
        #expect(ledger.commitmentContents(signedBy: .second).htlcs.isEmpty)
        Self.dance(&ledger, signer: .first)
        #expect(ledger.commitmentContents(signedBy: .second).htlcs.map(\.id) == [0])
        let held = ledger.commitmentContents(signedBy: .second)
        #expect(held.balancesMsat == PerSide(970_000_000, 0))
        Self.dance(&ledger, signer: .second)
        // Fulfilled: the amount moves to the receiver once the removal is included.
        ledger.recordRemove(from: .second, id: 0, fulfilled: true)
        #expect(ledger.commitmentContents(signedBy: .second).balancesMsat == PerSide(970_000_000, 30_000_000))
        #expect(ledger.commitmentContents(signedBy: .first).balancesMsat == PerSide(970_000_000, 0))
        #expect(ledger.htlc(offeredBy: .first, id: 0)?.fulfilled == true)
        #expect(ledger.htlc(offeredBy: .first, id: 0)?.onionHash == sha256([0, 1, 2]))
    }

    @Test func aFailReturnsTheAmountToTheOfferer() {
        var ledger = Self.opened()
        Self.add(&ledger, from: .first, id: 0, msat: 30_000_000)
        Self.dance(&ledger, signer: .first)
        Self.dance(&ledger, signer: .second)
        ledger.recordRemove(from: .second, id: 0, fulfilled: false)
        #expect(ledger.commitmentContents(signedBy: .second).balancesMsat == PerSide(1_000_000_000, 0))
        #expect(ledger.commitmentContents(signedBy: .second).htlcs.isEmpty)
    }

    @Test func onlyTheOpenersFeeUpdatesSetTheFeerate() {
        var ledger = Self.opened()
        ledger.recordFee(from: .second, 9999)
        #expect(ledger.commitmentContents(signedBy: .second).feerate == 2500)
        ledger.recordFee(from: .first, 253)
        #expect(ledger.commitmentContents(signedBy: .first).feerate == 253)
        #expect(ledger.commitmentContents(signedBy: .second).feerate == 2500)
        Self.dance(&ledger, signer: .first)
        #expect(ledger.commitmentContents(signedBy: .second).feerate == 253)
        #expect(ledger.updates[.second].count == 1)  // the non-opener's update_fee still counts as an update
    }

    @Test func commitmentNumbersCountSigningsAndRevocations() {
        var ledger = Self.opened()
        Self.add(&ledger, from: .first, id: 0, msat: 1_000_000)
        Self.dance(&ledger, signer: .first)
        Self.dance(&ledger, signer: .second)
        #expect(ledger.localCommitment(.first) == 1 && ledger.localCommitment(.second) == 1)
        #expect(ledger.nextRevoked(.first) == 1 && ledger.nextRevoked(.second) == 1)
        ledger.recordSigning(from: .first)
        #expect(ledger.localCommitment(.second) == 2 && ledger.unacknowledgedSignings(.first) == 1)
    }

    @Test func undoDropsUnsignedUpdatesAndRewindsIDs() {
        var ledger = Self.opened()
        Self.add(&ledger, from: .first, id: 0, msat: 10_000_000)
        ledger.recordSigning(from: .first)
        Self.add(&ledger, from: .first, id: 1, msat: 10_000_000)
        ledger.recordRemove(from: .second, id: 0, fulfilled: true)
        ledger.undoUncommitted()
        #expect(ledger.htlcs.map(\.id) == [0])
        #expect(ledger.htlcs.first?.removeIndex == nil)
        #expect(ledger.nextHTLCID[.first] == 1)
        #expect(ledger.updates[.first].count == 1 && ledger.updates[.second].isEmpty)
    }

    /// Long quiet histories fold into one signing per side and the live HTLCs, with the same
    /// numbers, contents and states.
    @Test func compactionKeepsNumbersContentsAndStates() {
        var ledger = Self.opened()
        for id in 0..<200 { Self.pay(&ledger, id: UInt64(id), msat: 1_000_000) }
        Self.add(&ledger, from: .first, id: 200, msat: 5_000_000)
        Self.dance(&ledger, signer: .first)
        Self.dance(&ledger, signer: .second)
        let numbers = Side.allCases.map { (ledger.localCommitment($0), ledger.nextRevoked($0)) }
        let balances = ledger.commitmentContents(signedBy: .first).balancesMsat
        ledger.compactIfLong()
        #expect(ledger.compactions == 1)
        #expect(ledger.htlcs.map(\.id) == [200])
        #expect(Side.allCases.map { (ledger.localCommitment($0), ledger.nextRevoked($0)) }.elementsEqual(numbers, by: ==))
        #expect(ledger.commitmentContents(signedBy: .first).balancesMsat == balances)
        #expect(balances == PerSide<UInt64>(1_000_000_000 - 200_000_000 - 5_000_000, 200_000_000))
        #expect(ledger.addState(ledger.htlcs[0]) == .irrevocablyCommitted)
        #expect(ledger.wasSettled(offeredBy: .first, id: 17) && !ledger.wasSettled(offeredBy: .first, id: 200))
    }

    /// A balance that went below zero (an overdrawn scenario, a trace with a wrong amount)
    /// stays what it was across the fold, so later contents do not depend on when it came.
    @Test func compactionKeepsANegativeBalance() {
        var ledger = Self.opened()
        ledger.balanceBase = PerSide(1_000_000, 0)
        for id in 0..<200 { Self.pay(&ledger, id: UInt64(id), msat: 1_000_000) }
        #expect(ledger.commitmentContents(signedBy: .first).balances == PerSide(-199_000_000, 200_000_000))
        ledger.compactIfLong()
        #expect(ledger.compactions == 1)
        #expect(ledger.commitmentContents(signedBy: .first).balances == PerSide(-199_000_000, 200_000_000))
        #expect(ledger.commitmentContents(signedBy: .first).balancesMsat == nil)
    }

    @Test func aBusyChannelIsNotFolded() {
        var ledger = Self.opened()
        for id in 0..<300 { Self.add(&ledger, from: .first, id: UInt64(id), msat: 1_000_000) }
        ledger.compactIfLong()
        #expect(ledger.compactions == 0 && ledger.htlcs.count == 300)
    }

    @Test func copiesAreIndependent() {
        let base = Self.opened()
        var copy = base
        Self.add(&copy, from: .second, id: 0, msat: 1_000)
        #expect(base.htlcs.isEmpty && copy.htlcs.count == 1)
    }

    @Test func unknownAmountsMakeBalancesUnknown() {
        var ledger = Self.opened()
        ledger.recordAdd(from: .first, id: 0, amountMsat: nil, paymentHash: nil, cltvExpiry: nil, onion: nil)
        let contents = ledger.commitmentContents(signedBy: .first)
        #expect(contents.htlcs.count == 1 && contents.balances == nil)
        var huge = Self.opened()
        Self.add(&huge, from: .first, id: 0, msat: CommitmentLedger.maximumMoney * 1000 + 1)
        #expect(huge.commitmentContents(signedBy: .first).balances == nil)
    }
}
