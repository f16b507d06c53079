import Transactions
import Wire

/// The state a scenario needs to fill message fields consistently for one channel: the two
/// sides' updates and commitment signings (BOLT #2 §"Normal Operation", the model of
/// Documentation/channel-model.md), HTLCs with their preimages, per-commitment secrets.
///
/// Side 0 is the opener (funder), side 1 the acceptor.
final class ChannelModel {
    struct HTLC {
        var offerer: Int
        var id: UInt64
        var amountMsat: UInt64
        var paymentHash: SHA256Hash
        var preimage: [UInt8]?
        var cltvExpiry: UInt32
        var onion: [UInt8]
        var fulfilled = false
        /// Index of the add in the offerer's update list.
        var addIndex: Int
        /// Index of the removal in the other side's update list.
        var removeIndex: Int?
    }

    enum Update {
        case add(Int)  // index into `htlcs`
        case remove(Int)
        case fee(UInt32)
    }

    let label: String
    let nodes: [String]
    var temporaryID: ChannelID
    var channelID: ChannelID?
    var fundingTxid: SHA256Hash?
    var fundingOutputIndex: UInt16 = 0
    var fundingSatoshis: UInt64 = 1_000_000
    /// Each side's `dust_limit_satoshis`, the initial `feerate_per_kw`, and whether the
    /// channel type has `option_anchors`, as sent.
    var dustLimit: [UInt64] = [546, 546]
    var initialFeerate: UInt32 = 2500
    var anchors = false
    /// The opener's revocation basepoint (for the v2 `channel_id`).
    var revocationBasepoint: [UInt8]?
    /// Each side's keys and limits as sent in `open_channel` / `accept_channel` (v1).
    var sides: [ChannelParameters.Side?] = [nil, nil]
    var pushMsat: UInt64 = 0
    /// HTLCs at the front of `htlcs` settled in every later commitment, and what they moved.
    var settledCount = 0
    var settledBalance: [Int64] = [0, 0]
    /// The opener's `update_fee`s: index in its update list, and rate.
    var fees: [(index: Int, rate: UInt32)] = []
    var staticRemoteKey = true
    var updates: [[Update]] = [[], []]
    /// Each side's commitment signings: its own update count `w` and RAAs sent `r` at the time.
    var signings: [[(w: Int, r: Int)]] = [[], []]
    /// Each side's revoke_and_ack count.
    var revocations = [0, 0]
    var htlcs: [HTLC] = []
    var nextHTLCID: [UInt64] = [0, 0]
    let commitmentSeeds: [[UInt8]]
    /// The last per-commitment secret each side received from the other.
    var lastSecretReceived: [[UInt8]?] = [nil, nil]
    var stfuSent = [false, false]
    /// Interactive-tx state: the side whose `tx_complete` was the last move, and whether
    /// each side's next `commitment_signed` is the initial one for the new transaction.
    var lastMoveWasComplete: Int?
    var initialSigningPending = [false, false]
    var scid: ShortChannelID

    init(label: String, nodes: [String], seeds: [[UInt8]], temporaryID: ChannelID, scid: ShortChannelID) {
        self.label = label
        self.nodes = nodes
        self.commitmentSeeds = seeds
        self.temporaryID = temporaryID
        self.scid = scid
    }

    func side(_ node: String) -> Int { nodes[0] == node ? 0 : 1 }

    /// The channel id in use: the real one once funding is known.
    var id: ChannelID { channelID ?? temporaryID }

    func secret(side: Int, commitment: UInt64) -> [UInt8] {
        perCommitmentSecret(seed: commitmentSeeds[side], number: commitment)
    }

    func point(side: Int, commitment: UInt64) -> Point {
        perCommitmentPoint(secret: secret(side: side, commitment: commitment))
    }

    /// The number of `side`'s current commitment: how many signings it has received.
    func localCommitment(_ side: Int) -> UInt64 { UInt64(signings[1 - side].count) }

    /// The commitment `signer` is about to sign for its peer: the signer's updates so far,
    /// plus the peer's updates the signer acknowledged with its revocations (Documentation/channel-model.md): the
    /// HTLCs still held, the feerate, and each side's balance.
    func nextCommitment(signedBy signer: Int) -> (htlcs: [HTLC], feerate: UInt32, balancesMsat: [UInt64]) {
        foldSettled()
        let peer = 1 - signer
        let counts = [signer: updates[signer].count, peer: acknowledgedCount(signer: signer)]
        func included(side: Int, index: Int) -> Bool { index < (counts[side] ?? 0) }
        var feerate = initialFeerate
        for (index, rate) in fees where included(side: 0, index: index) { feerate = rate }
        var balances: [Int64] = [Int64(fundingSatoshis * 1000) - Int64(pushMsat) + settledBalance[0], Int64(pushMsat) + settledBalance[1]]
        var held: [HTLC] = []
        for htlc in htlcs[settledCount...] where included(side: htlc.offerer, index: htlc.addIndex) {
            balances[htlc.offerer] -= Int64(htlc.amountMsat)
            if let removed = htlc.removeIndex, included(side: 1 - htlc.offerer, index: removed) {
                balances[htlc.fulfilled ? 1 - htlc.offerer : htlc.offerer] += Int64(htlc.amountMsat)
            } else {
                held.append(htlc)
            }
        }
        return (held, feerate, balances.map { UInt64(max($0, 0)) })
    }

    /// How many of the peer's updates `signer`'s revocations acknowledged.
    func acknowledgedCount(signer: Int) -> Int {
        let acknowledged = min(revocations[signer], signings[1 - signer].count)
        return acknowledged > 0 ? signings[1 - signer][acknowledged - 1].w : 0
    }

    /// Folds the oldest HTLCs whose add and removal every later commitment includes into
    /// `settledBalance`, so that long scenarios stay linear.
    private func foldSettled() {
        while settledCount < htlcs.count {
            let h = htlcs[settledCount]
            // Included in every next commitment: acknowledged by the other side.
            guard let removed = h.removeIndex, h.addIndex < acknowledgedCount(signer: 1 - h.offerer),
                  removed < acknowledgedCount(signer: h.offerer) else { break }
            if h.fulfilled {
                settledBalance[h.offerer] -= Int64(h.amountMsat)
                settledBalance[1 - h.offerer] += Int64(h.amountMsat)
            }
            settledCount += 1
        }
    }

    /// BOLT #3 parameters of a v1 channel, once both sides' keys and the funding are known.
    func parameters(fundingTxid: [UInt8]? = nil) -> ChannelParameters? {
        guard let local = sides[0], let remote = sides[1], let txid = fundingTxid ?? self.fundingTxid?.bytes else { return nil }
        return ChannelParameters(sides: [local, remote], opener: 0, fundingTxid: txid, fundingOutputIndex: UInt32(fundingOutputIndex),
                                 fundingSatoshis: fundingSatoshis, staticRemoteKey: staticRemoteKey, anchors: anchors)
    }

    /// `owner`'s commitment `number` as signed now by the other side (nil for v2 channels).
    func commitment(owner: Int, number: UInt64, fundingTxid: [UInt8]? = nil) -> (CommitmentTransaction, [HTLC])? {
        guard let parameters = parameters(fundingTxid: fundingTxid) else { return nil }
        let next: (htlcs: [HTLC], feerate: UInt32, balancesMsat: [UInt64]) =
            number == 0 ? ([], initialFeerate, nextCommitment(signedBy: 1 - owner).balancesMsat) : nextCommitment(signedBy: 1 - owner)
        let htlcs = next.htlcs.map {
            ChannelParameters.HTLC(offerer: $0.offerer, amountMsat: $0.amountMsat, paymentHash: $0.paymentHash.bytes, cltvExpiry: $0.cltvExpiry)
        }
        guard let tx = parameters.commitment(owner: owner, number: number, perCommitmentPoint: point(side: owner, commitment: number).bytes,
                                             feeratePerKw: next.feerate, balancesMsat: next.balancesMsat, htlcs: htlcs)
        else { return nil }
        return (tx, next.htlcs)
    }

    /// HTLC outputs of the commitment `signer` is about to sign for its peer, less the
    /// HTLCs trimmed as dust at its feerate (BOLT #3), when the commitment cannot be built.
    func htlcsInNextCommitment(signedBy signer: Int) -> [HTLC] {
        let peer = 1 - signer
        let next = nextCommitment(signedBy: signer)
        return next.htlcs.filter { htlc in
            !Bolt3.isTrimmed(amountMsat: htlc.amountMsat, dustLimit: dustLimit[peer], feeratePerKw: next.feerate,
                             offeredByOwner: htlc.offerer == peer, anchors: anchors)
        }
    }

    /// The oldest HTLC offered by `offerer` and not yet removed.
    func oldestOpenHTLC(offeredBy offerer: Int) -> Int? {
        htlcs.indices[settledCount...].first { htlcs[$0].offerer == offerer && htlcs[$0].removeIndex == nil }
    }

    // MARK: Recording what was sent

    func recordAdd(from side: Int, _ message: UpdateAddHTLC, preimage: [UInt8]?) {
        htlcs.append(HTLC(
            offerer: side, id: message.id, amountMsat: message.amountMsat, paymentHash: message.paymentHash,
            preimage: preimage, cltvExpiry: message.cltvExpiry, onion: message.onionRoutingPacket, addIndex: updates[side].count))
        updates[side].append(.add(htlcs.count - 1))
        nextHTLCID[side] = message.id + 1
    }

    func recordRemove(from side: Int, id: UInt64, fulfilled: Bool) {
        guard let index = htlcs.indices[settledCount...].first(where: {
            htlcs[$0].offerer == 1 - side && htlcs[$0].id == id && htlcs[$0].removeIndex == nil
        }) else {
            updates[side].append(.fee(0))  // a removal of an unknown HTLC still counts as an update
            return
        }
        htlcs[index].removeIndex = updates[side].count
        htlcs[index].fulfilled = fulfilled
        updates[side].append(.remove(index))
    }

    func recordFee(from side: Int, _ feerate: UInt32) {
        if side == 0 { fees.append((updates[side].count, feerate)) }
        updates[side].append(.fee(feerate))
    }

    func recordCommitmentSigned(from side: Int) {
        signings[side].append((w: updates[side].count, r: revocations[side]))
    }

    func recordRevokeAndAck(from side: Int, secret: [UInt8]) {
        revocations[side] += 1
        lastSecretReceived[1 - side] = secret
    }
}
