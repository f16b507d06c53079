import Basics
import Transactions

/// The commitment ledger of one channel (BOLT #2 §"Normal Operation"): the updates each
/// side sent, each side's commitment signings and revocations, and so which updates each
/// commitment includes, the state of every update, and each commitment's HTLCs, feerate
/// and balances (Documentation/channel-model.md, "The ledger").
///
/// It depends only on the order of each side's own messages, so it gives the same answer
/// whichever side recorded a trace. It follows what was sent, right or wrong: deciding
/// whether a message should be recorded at all (a revocation of nothing, a fee from the
/// node that does not pay it) is its caller's business.
///
/// A value: hazard analysis copies a channel's ledger and replays messages in another order.
public struct CommitmentLedger: Sendable {
    /// One update message, in its sender's list.
    public enum Update: Sendable, Equatable {
        /// `update_add_htlc`: the index of the HTLC in ``htlcs``.
        case add(Int)
        /// `update_fulfill_htlc`, `update_fail_htlc` or `update_fail_malformed_htlc`: the
        /// index of the HTLC removed, if the sender's peer offered one with that id.
        case remove(Int?)
        /// `update_fee`, with its `feerate_per_kw` if known.
        case fee(UInt32?)
    }

    /// An HTLC (BOLT #2 §"Adding an HTLC: update_add_htlc"), as far as the messages give it.
    public struct HTLC: Sendable {
        public var offerer: Side
        public var id: UInt64
        public var amountMsat: UInt64?
        public var paymentHash: [UInt8]?
        public var cltvExpiry: UInt64?
        /// Whether the add carried a `blinded_path` (`path_key`).
        public var blinded: Bool
        /// SHA-256 of `onion_routing_packet` (what `sha256_of_onion` names).
        public var onionHash: [UInt8]?
        /// How it was removed: fulfilled (`true`) or failed (`false`), once removed.
        public var fulfilled: Bool?
        /// Index of the add in the offerer's update list.
        public var addIndex: Int
        /// Index of the removal in the other side's update list.
        public var removeIndex: Int?
    }

    /// A commitment signing (`commitment_signed`, one per batch): what its signer had sent
    /// when it signed.
    public struct Signing: Sendable, Equatable {
        /// The signer's own updates the signing covers (its update count then).
        public var updates: Int
        /// The revocations the signer had sent then.
        public var revocations: Int

        public init(updates: Int, revocations: Int) {
            self.updates = updates
            self.revocations = revocations
        }
    }

    /// What a commitment holds: its HTLCs, its feerate and each side's balance after the
    /// HTLCs in flight.
    public struct Contents: Sendable {
        public var htlcs: [HTLC]
        public var feerate: UInt32?
        /// Each side's balance in millisatoshis; `nil` when an amount or the opening
        /// balances are unknown, or an amount is beyond 21 million bitcoin.
        public var balances: PerSide<Int64>?

        /// The balances when neither is negative.
        public var balancesMsat: PerSide<UInt64>? {
            balances.flatMap { b in b.allSatisfy { $0 >= 0 } ? b.map { UInt64($0) } : nil }
        }
    }

    /// 21 million bitcoin in satoshis: no amount on a channel can be larger.
    public static let maximumMoney: UInt64 = 2_100_000_000_000_000

    // MARK: What the ledger holds

    /// Each side's updates, in the order it sent them.
    public private(set) var updates = PerSide<[Update]>(repeating: [])
    /// Each side's commitment signings, in order.
    public var signings = PerSide<[Signing]>(repeating: [])
    /// How many `revoke_and_ack` each side sent.
    public var revocations = PerSide(0, 0)
    /// The HTLCs of both sides, in the order they were added.
    public private(set) var htlcs: [HTLC] = []
    @usableFromInline var htlcIndex: [HTLCKey: Int] = [:]
    /// The side that opened the channel: it pays the commitment fee and alone sends
    /// `update_fee` (BOLT #2 §"Updating Fees: update_fee").
    public var opener: Side?
    /// The feerate of a commitment that contains no `update_fee`.
    public var initialFeerate: UInt32?
    /// Indices of the opener's `update_fee`s in its update list.
    public private(set) var feeUpdates: [Int] = []
    /// Each side's balance before the HTLCs in the ledger (the opening amounts, plus what
    /// HTLCs folded away by ``compact()`` moved); `nil` when unknown.
    public var balanceBase: PerSide<Int64>?
    /// The id each side's next HTLC should have.
    public var nextHTLCID = PerSide<UInt64?>(nil, nil)
    /// The id after the highest HTLC id each side's last undo (a reconnection) dropped: an
    /// add below it re-offers an id the peer saw before (BOLT #2 §"Adding an HTLC").
    public private(set) var undoneBelow = PerSide<UInt64?>(nil, nil)
    /// The first HTLC id each side used in the ledger.
    public private(set) var firstHTLCID = PerSide<UInt64>(0, 0)
    /// Adds each side has sent (never undone).
    public private(set) var addCount = PerSide(0, 0)
    /// The side's local commitment number before the first signing it received here.
    public var commitmentBase = PerSide<UInt64>(0, 0)
    /// The number of revocations the side had sent before the first one here.
    public var revocationBase = PerSide<UInt64>(0, 0)
    /// How many times the history was folded (``compact()``).
    public private(set) var compactions = 0

    @usableFromInline struct HTLCKey: Hashable, Sendable {
        @usableFromInline var offerer: Side
        @usableFromInline var id: UInt64

        @inlinable init(offerer: Side, id: UInt64) {
            self.offerer = offerer
            self.id = id
        }
    }

    public init() {}

    // MARK: Commitment numbers

    /// The number of `side`'s current commitment (how many signings it has received).
    @inlinable public func localCommitment(_ side: Side) -> UInt64 { commitmentBase[side] &+ UInt64(signings[side.other].count) }

    /// The number of the commitment `side`'s next `revoke_and_ack` revokes.
    @inlinable public func nextRevoked(_ side: Side) -> UInt64 { revocationBase[side] &+ UInt64(revocations[side]) }

    // MARK: Queries

    @inlinable public func htlc(offeredBy side: Side, id: UInt64) -> HTLC? {
        htlcIndex[HTLCKey(offerer: side, id: id)].map { htlcs[$0] }
    }

    /// The index in ``htlcs`` of the oldest HTLC `offerer` offered that is not yet removed.
    public func oldestOpenHTLC(offeredBy offerer: Side) -> Int? {
        htlcs.firstIndex { $0.offerer == offerer && $0.removeIndex == nil }
    }

    /// The signer's update count covered by its last signing.
    @inlinable public func lastSigned(_ side: Side) -> Int { signings[side].last?.updates ?? 0 }

    /// Updates `side` sent that no signing of its own covers yet (``UpdateState/pendingOnReceiver``).
    @inlinable public func uncommittedUpdates(_ side: Side) -> Int { updates[side].count - lastSigned(side) }

    /// Signings of `side` the peer has not revoked for yet.
    @inlinable public func unacknowledgedSignings(_ side: Side) -> Int { signings[side].count - revocations[side.other] }

    /// The peer's updates included in a commitment signed by `signer` after `count` of its
    /// revocations: those the peer's signing number `count` covered (none for 0, or when
    /// the peer has not made that many signings).
    @inlinable public func peerUpdatesIncluded(signer: Side, revocations count: Int) -> Int {
        let peer = signer.other
        guard count > 0, count <= signings[peer].count else { return 0 }
        return signings[peer][count - 1].updates
    }

    /// The commitment `signer` signs next, for its peer: all the signer's updates, and the
    /// peer's updates the signer acknowledged with its revocations.
    public func commitmentContents(signedBy signer: Side) -> Contents {
        var counts = PerSide(0, 0)
        counts[signer] = updates[signer].count
        counts[signer.other] = peerUpdatesIncluded(signer: signer, revocations: revocations[signer])
        return contents(counts: counts)
    }

    /// The contents of the commitment made of each side's first `counts[side]` updates.
    /// The contents once every update either side sent is in: the balances a clean channel
    /// closes with, or that a splice starts from.
    public var contentsWithAllUpdates: Contents { contents(counts: PerSide(updates.first.count, updates.second.count)) }

    public func contents(counts: PerSide<Int> = PerSide(0, 0)) -> Contents {
        // Balances stay exact for any real channel (amounts are bounded by 21M BTC); an
        // amount beyond that, or an overflow, makes them unknown rather than wrong.
        var balances = Balances(balanceBase)
        var held: [HTLC] = []
        for h in htlcs where h.addIndex < counts[h.offerer] {
            guard let msat = h.amountMsat, msat <= Self.maximumMoney * 1000 else {
                balances.known = false
                held.append(h)
                continue
            }
            let amount = Int64(msat)
            balances.move(h.offerer, -amount)
            if let removed = h.removeIndex, removed < counts[h.offerer.other] {
                // Fulfilled: the amount moves to the receiver; failed: it goes back.
                balances.move(h.fulfilled == true ? h.offerer.other : h.offerer, amount)
            } else {
                held.append(h)
            }
        }
        // The feerate is the last contained update_fee (only the opener's count).
        var feerate = initialFeerate
        if let opener, let last = feeUpdates.last(where: { $0 < counts[opener] }), case let .fee(rate) = updates[opener][last] {
            feerate = rate
        }
        return Contents(htlcs: held, feerate: feerate, balances: balances.known ? PerSide(balances.first, balances.second) : nil)
    }

    /// Both balances while a commitment's contents are summed (plain fields: this runs for
    /// every HTLC of every commitment a rule looks at).
    private struct Balances {
        var first: Int64
        var second: Int64
        var known: Bool

        init(_ base: PerSide<Int64>?) {
            first = base?.first ?? 0
            second = base?.second ?? 0
            known = base != nil
        }

        /// Adds `amount` to `side`'s balance; an overflow makes the balances unknown.
        mutating func move(_ side: Side, _ amount: Int64) {
            let (sum, overflow) = (side == .first ? first : second).addingReportingOverflow(amount)
            if overflow {
                known = false
            } else if side == .first {
                first = sum
            } else {
                second = sum
            }
        }
    }

    /// The state of the add of `htlc`.
    @inlinable public func addState(_ htlc: HTLC) -> UpdateState { state(ofUpdate: htlc.addIndex, sentBy: htlc.offerer) }

    /// The state of update number `index` sent by `sender`.
    @inlinable public func state(ofUpdate index: Int, sentBy sender: Side) -> UpdateState {
        let receiver = sender.other
        // j: the sender's first signing covering the update.
        guard let j = signings[sender].firstIndex(where: { $0.updates > index }).map({ $0 + 1 }) else { return .pendingOnReceiver }
        guard revocations[receiver] >= j else { return .inReceiverCommitment }
        // m: the receiver's first signing after its revocation j.
        guard let m = signings[receiver].firstIndex(where: { $0.revocations >= j }).map({ $0 + 1 }) else { return .pendingOnSender }
        guard revocations[sender] >= m else { return .inSenderCommitment }
        return .irrevocablyCommitted
    }

    /// Whether HTLCs remain in either side's latest commitment, or either will after pending
    /// updates are signed.
    public var hasHTLCs: Bool {
        htlcs.contains { $0.removeIndex == nil }
            || htlcs.contains { h in
                // A removal not yet irrevocably in both commitments still leaves the HTLC.
                guard let removal = h.removeIndex else { return false }
                let remover = h.offerer.other
                return removal >= lastSigned(remover) || unacknowledgedSignings(remover) > 0
            }
    }

    /// Whether every update of both sides is irrevocably committed: each side signed all its
    /// updates, the peer revoked for it, and each side's last signing included all the
    /// peer's updates and was revoked for in turn.
    @inlinable public var everythingCommitted: Bool {
        func committed(_ side: Side) -> Bool {
            guard uncommittedUpdates(side) == 0, unacknowledgedSignings(side) == 0 else { return false }
            let included = signings[side].last.map { peerUpdatesIncluded(signer: side, revocations: $0.revocations) } ?? 0
            return included == updates[side.other].count
        }
        return committed(.first) && committed(.second)
    }

    /// Whether HTLC `id` of `offerer` was settled and folded away by ``compact()``.
    @inlinable public func wasSettled(offeredBy offerer: Side, id: UInt64) -> Bool {
        compactions > 0 && htlc(offeredBy: offerer, id: id) == nil && id < (nextHTLCID[offerer] ?? 0) && id >= firstHTLCID[offerer]
    }

    // MARK: Recording what was sent

    /// `update_add_htlc` from `side`.
    public mutating func recordAdd(
        from side: Side, id: UInt64, amountMsat: UInt64?, paymentHash: [UInt8]?, cltvExpiry: UInt64?, blinded: Bool = false, onion: [UInt8]?
    ) {
        htlcs.append(
            HTLC(
                offerer: side, id: id, amountMsat: amountMsat, paymentHash: paymentHash, cltvExpiry: cltvExpiry, blinded: blinded,
                onionHash: onion.map { sha256($0) }, addIndex: updates[side].count))
        htlcIndex[HTLCKey(offerer: side, id: id)] = htlcs.count - 1
        updates[side].append(.add(htlcs.count - 1))
        if addCount[side] == 0 { firstHTLCID[side] = id }
        nextHTLCID[side] = id &+ 1
        addCount[side] += 1
    }

    /// A removal (`update_fulfill_htlc`, `update_fail_htlc`, `update_fail_malformed_htlc`)
    /// from `side` of the peer's HTLC `id`. A removal of no known HTLC still counts as an update.
    public mutating func recordRemove(from side: Side, id: UInt64?, fulfilled: Bool) {
        var index: Int?
        if let id, let found = htlcIndex[HTLCKey(offerer: side.other, id: id)], htlcs[found].removeIndex == nil {
            index = found
            htlcs[found].removeIndex = updates[side].count
            htlcs[found].fulfilled = fulfilled
        }
        updates[side].append(.remove(index))
    }

    /// `update_fee` from `side` (a feerate only when the opener sends it).
    public mutating func recordFee(from side: Side, _ rate: UInt32?) {
        if side == opener { feeUpdates.append(updates[side].count) }
        updates[side].append(.fee(rate))
    }

    /// A commitment signing by `side`, covering all its updates so far.
    public mutating func recordSigning(from side: Side) {
        signings[side].append(Signing(updates: updates[side].count, revocations: revocations[side]))
    }

    /// A `revoke_and_ack` from `side`.
    public mutating func recordRevocation(from side: Side) {
        revocations[side] += 1
    }

    // MARK: Undoing and folding

    /// Drops each side's updates that no signing of its own covers, and the HTLCs they
    /// added (BOLT #2 §"Message Retransmission": a node "MUST reverse any uncommitted
    /// updates sent by the other side" on reconnection).
    public mutating func undoUncommitted() {
        var undone = Set<Int>()
        for side in Side.allCases {
            let keep = lastSigned(side)
            guard updates[side].count > keep else { continue }
            for update in updates[side][keep...] {
                switch update {
                case let .add(index):
                    undone.insert(index)
                    nextHTLCID[side] = min(nextHTLCID[side] ?? htlcs[index].id, htlcs[index].id)
                    undoneBelow[side] = max(undoneBelow[side] ?? 0, htlcs[index].id &+ 1)
                case let .remove(index?):
                    htlcs[index].removeIndex = nil
                    htlcs[index].fulfilled = nil
                default:
                    break
                }
            }
            updates[side].removeLast(updates[side].count - keep)
            if side == opener { feeUpdates.removeAll { $0 >= keep } }
        }
        guard !undone.isEmpty else { return }
        var remap: [Int: Int] = [:]
        var kept: [HTLC] = []
        for (index, htlc) in htlcs.enumerated() where !undone.contains(index) {
            remap[index] = kept.count
            kept.append(htlc)
        }
        htlcs = kept
        updates = updates.map { list in
            list.map { update in
                switch update {
                case let .add(index): .add(remap[index] ?? index)
                case let .remove(index): .remove(index.flatMap { remap[$0] })
                case .fee: update
                }
            }
        }
        reindexHTLCs()
    }

    /// How many updates of both sides the ledger may hold before ``compactIfLong()`` folds it
    /// at its next quiet point.
    public static let compactionThreshold = 256

    /// Folds the history (``compact()``) once it holds more than ``compactionThreshold``
    /// updates: often enough for memory to stay bounded, rarely enough to cost nothing.
    public mutating func compactIfLong() {
        if updates.first.count + updates.second.count > Self.compactionThreshold { compact() }
    }

    /// Folds the history into an equivalent short one when the channel is quiet (every
    /// update irrevocably committed), so that memory follows the HTLCs in flight, not the
    /// channel's age: settled HTLCs are dropped, live ones become the only updates, the
    /// feerate becomes the initial one, and each side keeps one signing. Commitment and
    /// revocation numbers, contents and update states are unchanged.
    public mutating func compact() {
        guard everythingCommitted else { return }
        let folded = commitmentContents(signedBy: .first)
        if balanceBase != nil {
            // The settled HTLCs' effect, kept (a negative balance too: the fold changes no
            // commitment's contents); the live ones are held again from the new base.
            balanceBase = folded.balances.flatMap { folded -> PerSide<Int64>? in
                var base = folded
                for h in htlcs where h.removeIndex == nil {
                    // Known and within 21M BTC, or `folded` would have no balances.
                    guard let amount = h.amountMsat else { return nil }
                    let (sum, overflow) = base[h.offerer].addingReportingOverflow(Int64(clamping: amount))
                    if overflow { return nil }
                    base[h.offerer] = sum
                }
                return base
            }
        }
        let live = htlcs.filter { $0.removeIndex == nil }
        let signed = signings.map { $0.isEmpty ? 0 : 1 }
        for side in Side.allCases {
            commitmentBase[side] &+= UInt64(signings[side.other].count - signed[side.other])
            revocationBase[side] &+= UInt64(revocations[side] - signed[side.other])
        }
        htlcs = []
        updates = PerSide(repeating: [])
        for var htlc in live {
            htlc.addIndex = updates[htlc.offerer].count
            htlcs.append(htlc)
            updates[htlc.offerer].append(.add(htlcs.count - 1))
        }
        reindexHTLCs()
        initialFeerate = folded.feerate
        feeUpdates = []
        revocations = PerSide(signed.second, signed.first)
        signings = PerSide { side in
            signed[side] == 1 ? [Signing(updates: updates[side].count, revocations: revocations[side])] : []
        }
        compactions += 1
    }

    /// Rebuilds the lookup of ``htlcs`` by offerer and id after the array changed.
    private mutating func reindexHTLCs() {
        htlcIndex = [:]
        for (index, htlc) in htlcs.enumerated() { htlcIndex[HTLCKey(offerer: htlc.offerer, id: htlc.id)] = index }
    }
}
