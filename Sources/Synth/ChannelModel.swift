import Wire

/// The state a scenario needs to fill message fields consistently for one channel: the two
/// sides' updates and commitment signings (BOLT #2 §"Normal Operation", the model of
/// `rules-catalog.md` §0.3), HTLCs with their preimages, per-commitment secrets.
///
/// Side 0 is the opener (funder), side 1 the acceptor.
final class ChannelModel {
    struct HTLC {
        var offerer: Int
        var id: UInt64
        var amountMsat: UInt64
        var paymentHash: SHA256Hash
        var preimage: [UInt8]?
        var onion: [UInt8]
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

    /// HTLC outputs of the commitment `signer` is about to sign for its peer: the signer's
    /// updates so far, plus the peer's updates the signer acknowledged with its revocations,
    /// less the HTLCs trimmed at that commitment's feerate (BOLT #3).
    func htlcsInNextCommitment(signedBy signer: Int) -> [HTLC] {
        let peer = 1 - signer
        let signerCount = updates[signer].count
        let acknowledged = revocations[signer]
        let peerCount = acknowledged > 0 ? signings[peer][acknowledged - 1].w : 0
        func included(side: Int, index: Int) -> Bool {
            side == signer ? index < signerCount : index < peerCount
        }
        var feerate = initialFeerate
        for (index, update) in updates[0].enumerated() where included(side: 0, index: index) {
            if case let .fee(rate) = update, rate != 0 { feerate = rate }
        }
        return htlcs.filter { htlc in
            guard included(side: htlc.offerer, index: htlc.addIndex) else { return false }
            if let removed = htlc.removeIndex, included(side: 1 - htlc.offerer, index: removed) { return false }
            return !Bolt3.isTrimmed(amountMsat: htlc.amountMsat, dustLimit: dustLimit[peer], feeratePerKw: feerate,
                                    offeredByOwner: htlc.offerer == peer, anchors: anchors)
        }
    }

    /// The oldest HTLC offered by `offerer` and not yet removed.
    func oldestOpenHTLC(offeredBy offerer: Int) -> Int? {
        htlcs.indices.first { htlcs[$0].offerer == offerer && htlcs[$0].removeIndex == nil }
    }

    // MARK: Recording what was sent

    func recordAdd(from side: Int, _ message: UpdateAddHTLC, preimage: [UInt8]?) {
        htlcs.append(HTLC(
            offerer: side, id: message.id, amountMsat: message.amountMsat, paymentHash: message.paymentHash,
            preimage: preimage, onion: message.onionRoutingPacket, addIndex: updates[side].count))
        updates[side].append(.add(htlcs.count - 1))
        nextHTLCID[side] = message.id + 1
    }

    func recordRemove(from side: Int, id: UInt64) {
        guard let index = htlcs.firstIndex(where: { $0.offerer == 1 - side && $0.id == id && $0.removeIndex == nil }) else {
            updates[side].append(.fee(0))  // a removal of an unknown HTLC still counts as an update
            return
        }
        htlcs[index].removeIndex = updates[side].count
        updates[side].append(.remove(index))
    }

    func recordFee(from side: Int, _ feerate: UInt32) {
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
