import Crypto
import Provenance
import Trace
import Wire

/// One channel as the trace shows it: the parameters negotiated when it opened, both
/// sides' updates and commitment signings, the HTLCs in each commitment, per-commitment
/// points by number, and the close and quiescence state (Documentation/channel-model.md, "The ledger").
///
/// A value: copying it and replaying messages in another order is how hazard analysis asks
/// "what if these had been processed the other way round". One channel's model never
/// reads another's.
public struct ChannelModel: Sendable {
    /// A side of the channel: index 0 or 1, in the order the nodes first appear.
    public typealias Side = Int

    public struct Params: Sendable {
        public var dustLimit: UInt64?
        public var reserve: UInt64?
        public var htlcMinimum: UInt64?
        public var maxAcceptedHTLCs: UInt64?
        public var maxInFlight: UInt64?
        public var upfrontShutdownScript: [UInt8]?
        public var revocationBasepoint: [UInt8]?
        public var fundingPubkey: [UInt8]?
        public var paymentBasepoint: [UInt8]?
        public var delayedPaymentBasepoint: [UInt8]?
        public var htlcBasepoint: [UInt8]?
        /// The delay this side asks for on the other side's outputs.
        public var toSelfDelay: UInt64?
    }

    public enum Update: Sendable {
        case add(Int)  // index into `htlcs`
        case remove(Int?)  // the HTLC, if known
        case fee(UInt32?)
    }

    public struct HTLC: Sendable {
        public var offerer: Side
        public var id: UInt64
        public var amountMsat: UInt64?
        public var paymentHash: [UInt8]?
        public var cltvExpiry: UInt64?
        public var blinded: Bool
        public var onionHash: [UInt8]?
        /// How it was removed: fulfilled (`true`) or failed (`false`), once removed.
        public var fulfilled: Bool?
        /// Index of the add in the offerer's update list.
        public var addIndex: Int
        /// Index of the removal in the other side's update list.
        public var removeIndex: Int?
    }

    public struct Signing: Sendable {
        /// The signer's update count when it signed.
        public var w: Int
        /// The signer's revocation count when it signed.
        public var r: Int
    }

    /// Where the model's knowledge starts.
    public enum Origin: Sendable, Equatable {
        /// Opened in the trace: everything is known.
        case opened
        /// Reestablished in the trace: commitment numbers are known, HTLCs added before are not.
        case reestablished
        /// Neither: only per-message and per-direction-order facts are known.
        case unknown
    }

    // MARK: Identity

    /// The engine's number for the channel (stable while its keys change from temporary id
    /// to `channel_id`).
    public internal(set) var serial = 0
    /// The two nodes, as the trace labels them (index = `Side`).
    public internal(set) var parties: [String] = []
    public var temporaryID: ChannelID?
    public var channelID: ChannelID?
    /// The source's label when no `channel_id` is known (CLN's `chan#N`).
    public var label: String?
    public var origin: Origin = .unknown

    // MARK: Establishment

    public var opener: Side?
    public var openSeen = false
    public var acceptSeen = false
    public var fundingCreatedSeen = false
    public var fundingSignedSeen = false
    public var dualFunded = false
    public var params: [Params] = [Params(), Params()]
    public var channelType: [UInt8]?
    public var fundingTxid: SHA256Hash?
    public var fundingOutputIndex: UInt16?
    public var fundingSatoshis: UInt64?
    public var initialFeerate: UInt32?
    public var readySent = [false, false]
    public var pushMsat: UInt64?
    /// Each side's balance before the HTLCs in the model (the opening amounts, plus what
    /// settled HTLCs folded away by ``compact()`` moved); `nil` when unknown.
    public var balanceBase: [UInt64]?

    // MARK: Normal operation (Documentation/channel-model.md)

    public var updates: [[Update]] = [[], []]
    public var signings: [[Signing]] = [[], []]
    public var revocations = [0, 0]
    public var htlcs: [HTLC] = []
    private var htlcIndex: [HTLCKey: Int] = [:]
    public var nextHTLCID: [UInt64?] = [nil, nil]
    /// Whether an add or a removal came without its HTLC id (a log summary).
    public var htlcIDsUnknown = false
    /// The first HTLC id each side used in the trace.
    public var firstHTLCID: [UInt64] = [0, 0]
    /// Indices of the opener's `update_fee`s in its update list (the feerate of a commitment
    /// is the last one it contains).
    public var feeUpdates: [Int] = []
    /// Adds each side has sent in the trace (never undone).
    public var addCount = [0, 0]
    /// Per-commitment points by absolute commitment number, per side.
    public var points: [[UInt64: [UInt8]]] = [[:], [:]]
    /// The side's local commitment number before the first signing it receives in the trace.
    public var commitmentBase: [UInt64] = [0, 0]

    /// The number of `side`'s current commitment (how many signings it has received).
    public func localCommitment(_ side: Side) -> UInt64 { commitmentBase[side] &+ UInt64(signings[1 - side].count) }

    /// The number of the commitment `side`'s next `revoke_and_ack` revokes.
    public func nextRevoked(_ side: Side) -> UInt64 { revocationBase[side] &+ UInt64(revocations[side]) }

    /// 21 million bitcoin in satoshis: no amount on a channel can be larger.
    public static let maximumMoney: UInt64 = 2_100_000_000_000_000
    /// The number of revocations the side had sent before the trace's first one.
    public var revocationBase: [UInt64] = [0, 0]

    // MARK: Close, quiescence, errors

    public var shutdownSent = [false, false]
    public var shutdownScript: [[UInt8]?] = [nil, nil]
    public var closingSent = [false, false]
    /// A `closing_complete` awaiting its `closing_sig`, per sender.
    public var closingCompleteOutstanding = [false, false]
    public var stfuSent = [false, false]
    public var stfuInitiator: [UInt8?] = [nil, nil]
    public var errorSent = [false, false]
    /// Whether the channel is announced (`open_channel`'s `announce_channel` bit).
    public var announce: Bool?
    /// `short_channel_id` aliases each side sent in `channel_ready`.
    public var aliases: [[UInt64]] = [[], []]
    public var itx: InteractiveTx?
    /// First seen at a `channel_reestablish` whose source does not say whether an interactive
    /// transaction awaits signatures (a log gives no `next_funding`): each side's first
    /// `commitment_signed` after it may sign that transaction's commitment rather than a new
    /// one. Settled by the first update or revocation (it was not) or `tx_signatures` (it was).
    var itxMaybePending = false
    /// The signing (its index) each side made while ``itxMaybePending``.
    var maybeItxSigning: [Int?] = [nil, nil]
    /// Whether a splice built a new funding transaction (its outpoint is not modelled).
    public var spliced = false
    /// `commitment_signed` messages still to come in the side's current batch (`start_batch`).
    public var batchRemaining = [0, 0]
    public var batchSize: [Int?] = [nil, nil]

    // MARK: Per connection

    /// The connection the channel was last used on (an engine token).
    public var connection: Int?
    /// Whether the channel was opened on the current connection (no reestablish needed).
    public var openedOnConnection = false
    public var reestablishSent = [false, false]
    /// Whether the channel was opened or reestablished on the current connection (BOLT #2
    /// §"Message Retransmission": its other messages need one of the two first).
    public var knownOnConnection: Bool { openedOnConnection || reestablishSent.contains(true) }
    /// Whether each side sent an `error` for the channel on the current connection (BOLT #1:
    /// the sender has failed the channel).
    public var errorOnConnection = [false, false]
    public var reestablish: [ChannelReestablishFields?] = [nil, nil]
    /// Channel messages sent on the current connection, per side.
    public var sentOnConnection = [0, 0]
    /// Signings since the last reconnection, per side (the first may be a retransmission).
    public var signingsOnConnection = [0, 0]
    public var shutdownOnConnection = [false, false]
    /// Messages of each side that may be retransmissions the trace cannot recognise: after a
    /// reconnection whose `channel_reestablish` numbers the source does not give (a log
    /// summary), the side's first `revoke_and_ack` and `commitment_signed` may repeat ones
    /// sent before the disconnection.
    public var possibleRetransmission: [Set<MessageKind>] = [[], []]
    /// After both `channel_reestablish`: whether the side must retransmit `channel_ready`
    /// (`true`) or must not (`false`); `nil` once it has sent another channel message.
    public var readyDue: [Bool?] = [nil, nil]

    public struct ChannelReestablishFields: Sendable {
        public var nextCommitmentNumber: UInt64?
        public var nextRevocationNumber: UInt64?
        public var yourLastSecret: [UInt8]?
        public var myCurrentPoint: [UInt8]?
        /// Whether the TLVs are present; `nil` when the source does not give TLVs.
        public var hasNextFunding: Bool?
        public var hasFundingLocked: Bool?
    }

    /// An interactive transaction construction session (BOLT #2 §"Interactive Transaction
    /// Construction"): v2 opening, RBF or splice.
    public struct InteractiveTx: Sendable {
        public enum Kind: String, Sendable { case open = "v2 opening", rbf = "RBF", splice }
        public var kind: Kind
        /// The side that started the session (`open_channel2`, `tx_init_rbf` or `splice_init` sender).
        public var initiator: Side
        /// The side that made the last move (`tx_add_*`, `tx_remove_*`, `tx_complete`).
        public var lastMover: Side?
        public var lastMoveWasComplete = false
        public var moves = 0
        /// Both sides sent consecutive `tx_complete`: construction is over.
        public var constructed = false
        public var commitmentSignedSent = [false, false]
        public var signaturesSent = [false, false]
        public var aborted = false
    }

    struct HTLCKey: Hashable, Sendable {
        var offerer: Side
        var id: UInt64
    }

    public init() {}

    /// The side of a node, registering it while the channel has fewer than two; `nil` for
    /// a third label (a node the trace names differently on another connection).
    public mutating func side(of party: String) -> Side? {
        if let index = parties.firstIndex(of: party) { return index }
        guard parties.count < 2 else { return nil }
        parties.append(party)
        return parties.count - 1
    }

    public func knownSide(of party: String) -> Side? { parties.firstIndex(of: party) }

    /// The key a report uses for the channel.
    public var key: String { channelID?.hex ?? temporaryID?.hex ?? label ?? "?" }

    // MARK: Queries

    public func htlc(offeredBy side: Side, id: UInt64) -> HTLC? {
        htlcIndex[HTLCKey(offerer: side, id: id)].map { htlcs[$0] }
    }

    /// The signer's update count covered by its last signing.
    public func lastSigned(_ side: Side) -> Int { signings[side].last?.w ?? 0 }

    /// Updates `side` sent that no signing of its own covers yet (state 1 of an update's life, Documentation/channel-model.md).
    public func uncommittedUpdates(_ side: Side) -> Int { updates[side].count - lastSigned(side) }

    /// Signings of `side` the peer has not revoked for yet.
    public func unacknowledgedSignings(_ side: Side) -> Int { signings[side].count - revocations[1 - side] }

    /// What a commitment holds (Documentation/channel-model.md): its HTLCs, its feerate, and each side's balance after
    /// the HTLCs in flight (`nil` when an amount or the opening balances are unknown).
    public struct Contents: Sendable {
        public var htlcs: [HTLC]
        public var feerate: UInt32?
        public var balancesMsat: [UInt64]?
    }

    /// The commitment `signer` signs next, for its peer: all the signer's updates, and the
    /// peer's updates the signer acknowledged with its revocations (Documentation/channel-model.md).
    public func commitmentContents(signedBy signer: Side) -> Contents {
        let peer = 1 - signer
        var counts = [0, 0]
        counts[signer] = updates[signer].count
        counts[peer] = peerUpdatesIncluded(signer: signer, revocations: revocations[signer])
        return contents(counts: counts)
    }

    /// The contents of the commitment made of each side's first `counts[side]` updates.
    func contents(counts: [Int] = [0, 0]) -> Contents {
        func included(_ side: Side, _ index: Int) -> Bool { index < counts[side] }
        // Balances stay exact for any real channel (amounts are bounded by 21M BTC); an
        // amount beyond that, or an overflow, makes them unknown rather than wrong.
        var balances = balanceBase.map { $0.map { Int64(clamping: $0) } }
        func move(_ side: Side, _ amount: Int64) {
            guard let current = balances?[side] else { return }
            let (sum, overflow) = current.addingReportingOverflow(amount)
            if overflow { balances = nil } else { balances?[side] = sum }
        }
        var held: [HTLC] = []
        for h in htlcs where included(h.offerer, h.addIndex) {
            guard let msat = h.amountMsat, msat <= Self.maximumMoney * 1000 else {
                balances = nil
                held.append(h)
                continue
            }
            let amount = Int64(msat)
            move(h.offerer, -amount)
            if let removed = h.removeIndex, included(1 - h.offerer, removed) {
                // Fulfilled: the amount moves to the receiver; failed: it goes back.
                move(h.fulfilled == true ? 1 - h.offerer : h.offerer, amount)
            } else {
                held.append(h)
            }
        }
        // The feerate is the last contained update_fee (only the opener sends them).
        var feerate = initialFeerate
        if let opener, let last = feeUpdates.last(where: { included(opener, $0) }), case let .fee(rate) = updates[opener][last] {
            feerate = rate
        }
        let msat = balances.flatMap { b in b.allSatisfy { $0 >= 0 } ? b.map { UInt64($0) } : nil }
        return Contents(htlcs: held, feerate: feerate, balancesMsat: msat)
    }

    /// The state of the add of `htlc` (Documentation/channel-model.md, "The life of an update").
    public func addState(_ htlc: HTLC) -> Int { state(ofUpdate: htlc.addIndex, sentBy: htlc.offerer) }

    /// The state (Documentation/channel-model.md, "The life of an update") of update number `index` sent by `adder`:
    /// 1 pending on the receiver … 5 irrevocably committed.
    public func state(ofUpdate index: Int, sentBy adder: Side) -> Int {
        let other = 1 - adder
        // j: the sender's first signing covering the update.
        guard let j = signings[adder].firstIndex(where: { $0.w > index }).map({ $0 + 1 }) else { return 1 }
        guard revocations[other] >= j else { return 2 }
        // m: the other side's first signing after its RAA j.
        guard let m = signings[other].firstIndex(where: { $0.r >= j }).map({ $0 + 1 }) else { return 3 }
        guard revocations[adder] >= m else { return 4 }
        return 5
    }

    /// Whether HTLCs remain in either side's latest commitment, or either will after pending
    /// updates are signed (close-when-clean).
    public var hasHTLCs: Bool {
        htlcs.contains { $0.removeIndex == nil } || htlcs.contains { h in
            // A removal not yet irrevocably in both commitments still leaves the HTLC.
            guard let removal = h.removeIndex else { return false }
            let remover = 1 - h.offerer
            return removal >= lastSigned(remover) || unacknowledgedSignings(remover) > 0
        }
    }

    /// Whether every update of both sides is irrevocably committed (state 5 of an update's life): each
    /// side signed all its updates, the peer revoked for it, and each side's last signing
    /// included all the peer's updates and was revoked for in turn.
    public var everythingCommitted: Bool {
        (0..<2).allSatisfy { side in
            let peer = 1 - side
            guard uncommittedUpdates(side) == 0, unacknowledgedSignings(side) == 0 else { return false }
            let included = signings[side].last.map { peerUpdatesIncluded(signer: side, revocations: $0.r) } ?? 0
            return included == updates[peer].count
        }
    }

    /// Whether anchors are in use (BOLT 3: zero-fee HTLC transactions).
    public var anchors: Bool {
        guard let type = channelType else { return false }
        // Bit 22 (option_anchors) in the big-endian bitmap.
        let byte = type.count - 1 - 22 / 8
        return byte >= 0 && type[byte] & (1 << (22 % 8)) != 0
    }

    /// Whether an HTLC is trimmed from `owner`'s commitment (BOLT #3 §"Trimmed Outputs").
    public func isTrimmed(_ htlc: HTLC, in owner: Side, feerate: UInt32) -> Bool? {
        guard let dust = params[owner].dustLimit, let amount = htlc.amountMsat else { return nil }
        return Bolt3.isTrimmed(amountMsat: amount, dustLimit: dust, feeratePerKw: feerate, offeredByOwner: htlc.offerer == owner, anchors: anchors)
    }

    // MARK: Applying messages

    mutating func recordAdd(
        from side: Side, id: UInt64, amount: UInt64?, hash: [UInt8]?, cltv: UInt64?, blinded: Bool, onion: [UInt8]?
    ) {
        let htlc = HTLC(offerer: side, id: id, amountMsat: amount, paymentHash: hash, cltvExpiry: cltv, blinded: blinded,
                        onionHash: onion.map { Array(SHA256.hash(data: $0)) }, addIndex: updates[side].count)
        htlcs.append(htlc)
        htlcIndex[HTLCKey(offerer: side, id: id)] = htlcs.count - 1
        updates[side].append(.add(htlcs.count - 1))
        if addCount[side] == 0 { firstHTLCID[side] = id }
        nextHTLCID[side] = id &+ 1
        addCount[side] += 1
    }

    mutating func recordRemove(from side: Side, id: UInt64?, fulfilled: Bool) {
        var index: Int?
        if let id, let found = htlcIndex[HTLCKey(offerer: 1 - side, id: id)], htlcs[found].removeIndex == nil {
            index = found
            htlcs[found].removeIndex = updates[side].count
            htlcs[found].fulfilled = fulfilled
        }
        updates[side].append(.remove(index))
    }

    mutating func recordFee(from side: Side, _ rate: UInt32?) {
        if side == opener { feeUpdates.append(updates[side].count) }
        updates[side].append(.fee(rate))
    }

    mutating func recordSigning(from side: Side) {
        signings[side].append(Signing(w: updates[side].count, r: revocations[side]))
        signingsOnConnection[side] += 1
    }

    mutating func recordRevocation(from side: Side, nextPoint: [UInt8]?) {
        let revoked = nextRevoked(side)
        revocations[side] += 1
        if let nextPoint { points[side][revoked &+ 2] = nextPoint }
        // Only the last revoked point (for the next channel_reestablish) and later ones are needed.
        if revoked > 0 { points[side].removeValue(forKey: revoked - 1) }
    }

    // MARK: Bounded memory

    /// How many times the history was folded (``compact()``).
    public private(set) var compactions = 0

    /// Whether HTLC `id` of `offerer` was settled and folded away by ``compact()``.
    public func wasSettled(offeredBy offerer: Side, id: UInt64) -> Bool {
        compactions > 0 && htlc(offeredBy: offerer, id: id) == nil && id < (nextHTLCID[offerer] ?? 0) && id >= firstHTLCID[offerer]
    }

    /// Folds the history into an equivalent short one when the channel is quiet (every
    /// update signed and revoked both ways), so that memory follows the HTLCs in flight,
    /// not the channel's age: settled HTLCs are dropped, live ones become the only updates,
    /// the feerate becomes the initial one, and each side keeps one signing.
    public mutating func compact() {
        guard everythingCommitted else { return }
        let folded = commitmentContents(signedBy: 0)
        let feerate = folded.feerate
        if balanceBase != nil {
            // The settled HTLCs' effect, kept; the live ones are held again from the new base.
            balanceBase = folded.balancesMsat.map { b in
                var base = b
                for h in htlcs where h.removeIndex == nil { base[h.offerer] &+= h.amountMsat ?? 0 }
                return base
            }
        }
        let live = htlcs.filter { $0.removeIndex == nil }
        let signed = [signings[0].isEmpty ? 0 : 1, signings[1].isEmpty ? 0 : 1]
        for side in 0..<2 {
            commitmentBase[side] &+= UInt64(signings[1 - side].count - signed[1 - side])
            revocationBase[side] &+= UInt64(revocations[side] - signed[1 - side])
        }
        htlcs = []
        updates = [[], []]
        for var htlc in live {
            htlc.addIndex = updates[htlc.offerer].count
            htlcs.append(htlc)
            updates[htlc.offerer].append(.add(htlcs.count - 1))
        }
        reindexHTLCs()
        initialFeerate = feerate
        feeUpdates = []
        revocations = [signed[1], signed[0]]
        signings = (0..<2).map { side in signed[side] == 1 ? [Signing(w: updates[side].count, r: revocations[side])] : [] }
        compactions += 1
    }

    /// A new connection: per-connection state starts again, quiescence ends, and updates
    /// the peer never signed for are undone (BOLT #2 §"Message Retransmission": "MUST
    /// reverse any uncommitted updates sent by the other side").
    mutating func reconnected(connection: Int) {
        self.connection = connection
        openedOnConnection = false
        reestablishSent = [false, false]
        errorOnConnection = [false, false]
        reestablish = [nil, nil]
        sentOnConnection = [0, 0]
        signingsOnConnection = [0, 0]
        shutdownOnConnection = [false, false]
        readyDue = [nil, nil]
        possibleRetransmission = [[], []]
        stfuSent = [false, false]
        stfuInitiator = [nil, nil]
        closingCompleteOutstanding = [false, false]
        if itx?.signaturesSent == [true, true] || itx?.aborted == true {
            itx = nil
        } else if itx?.constructed == true {
            // An unsigned interactive transaction: its commitment_signed is retransmitted
            // (BOLT #2 §"Message Retransmission", `next_funding`).
            itx?.commitmentSignedSent = [false, false]
        }
        undoUncommitted()
    }

    /// Drops each side's updates that no signing of its own covers (and the HTLCs they added).
    mutating func undoUncommitted() {
        var undone = Set<Int>()
        for side in 0..<2 {
            let keep = lastSigned(side)
            guard updates[side].count > keep else { continue }
            for update in updates[side][keep...] {
                switch update {
                case let .add(index):
                    undone.insert(index)
                    nextHTLCID[side] = min(nextHTLCID[side] ?? htlcs[index].id, htlcs[index].id)
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

    /// Rebuilds the lookup of ``htlcs`` by offerer and id after the array changed.
    private mutating func reindexHTLCs() {
        htlcIndex = [:]
        for (index, htlc) in htlcs.enumerated() { htlcIndex[HTLCKey(offerer: htlc.offerer, id: htlc.id)] = index }
    }
}
