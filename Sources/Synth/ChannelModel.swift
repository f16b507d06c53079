import Ledger
import Transactions
import Wire

/// The state a scenario needs to fill message fields consistently for one channel: the
/// commitment ledger of both sides (BOLT #2 §"Normal Operation", the same ledger the rules
/// judge with, Documentation/channel-model.md), HTLC preimages, per-commitment secrets.
///
/// The opener (funder) is the ``Side/first`` side, the acceptor the ``Side/second``.
final class ChannelModel {
    let label: String
    /// The two nodes, opener first.
    let nodes: PerSide<String>
    var temporaryID: ChannelID
    var channelID: ChannelID?
    var fundingTxid: SHA256Hash?
    var fundingOutputIndex: UInt16 = 0
    private(set) var fundingSatoshis: UInt64 = 1_000_000
    private(set) var pushMsat: UInt64 = 0
    /// Each side's `dust_limit_satoshis`, and whether the channel type has `option_anchors`,
    /// as sent.
    var dustLimit = PerSide<UInt64>(546, 546)
    var anchors = false
    var staticRemoteKey = true
    /// The opener's revocation basepoint (for the v2 `channel_id`).
    var revocationBasepoint: [UInt8]?
    /// Each side's keys and limits as sent in `open_channel` / `accept_channel` (v1).
    var parties = PerSide<ChannelParameters.Party?>(nil, nil)
    /// Both sides' updates, signings and revocations, and so each commitment's contents.
    var ledger = CommitmentLedger()
    /// The preimage chosen for each `payment_hash` an add carried (the one its
    /// `update_fulfill_htlc` reveals, even when the scenario set another hash).
    private var preimages: [[UInt8]: [UInt8]] = [:]
    let commitmentSeeds: PerSide<[UInt8]>
    /// The last per-commitment secret each side received from the other.
    var lastSecretReceived = PerSide<[UInt8]?>(nil, nil)
    var stfuSent = PerSide(false, false)
    /// Interactive-tx state: the side whose `tx_complete` was the last move, and whether
    /// each side's next `commitment_signed` is the initial one for the new transaction.
    var lastMoveWasComplete: Side?
    var initialSigningPending = PerSide(false, false)
    /// Whether the latest completed construction built the channel's v2 funding transaction
    /// (an opening or its fee bump), whose commitment 0 the initial signings sign.
    var v2FundingBuilt = false
    /// Which sides sent `commitment_signed`, and `tx_signatures`, for the latest completed
    /// interactive transaction: a side that signed its commitment and received no
    /// `tx_signatures` names it in `next_funding` (BOLT #2 §"Message Retransmission").
    var interactiveCommitmentSent = PerSide(false, false)
    var interactiveSignaturesSent = PerSide(false, false)
    /// The inputs each side added to the current interactive transaction (one witness each
    /// in its `tx_signatures`), by `serial_id`.
    var inputsAdded = PerSide<Set<UInt64>>([], [])
    /// The transaction the current interactive construction builds (its txid goes into
    /// `tx_signatures`), and the `locktime` of `open_channel2` for the v2 opening's.
    var interactive: InteractiveTransaction?
    var openLocktime: UInt32 = 0
    /// The feerate of the latest interactive construction's start (a `tx_init_rbf` pays at
    /// least 25/24 of it).
    var fundingFeerate: UInt32 = 2500
    /// The side that started the current interactive construction (its `serial_id`s are even).
    var interactiveInitiator: Side = .first
    /// The txid the latest `tx_signatures` named (what `splice_locked` locks), and the first
    /// one (a v2 opening's funding transaction).
    var signedTxid: SHA256Hash?
    var firstSignedTxid: SHA256Hash?
    /// What `my_current_funding_locked` reports after a reconnection: whether each side sent
    /// `channel_ready`, the splice both last locked, whether the channel is announced, and
    /// whether each side received the peer's `announcement_signatures` for its funding.
    var readySent = PerSide(false, false)
    var spliceLockedSent = PerSide(false, false)
    var lockedTxid: SHA256Hash?
    var announce = true
    var announcementSignaturesReceived = PerSide(false, false)
    /// A v2 opening's funding output (P2WSH of both `funding_pubkey`s, both contributions),
    /// once `accept_channel2` is known: the opener's first `tx_add_output` in it.
    var v2FundingKeys = PerSide<[UInt8]?>(nil, nil)
    var v2Funding: (script: [UInt8], satoshis: UInt64)?
    var v2FundingOutputAdded = false
    /// What each side puts into the funding output the current construction builds (its
    /// `funding_satoshis`, `funding_output_contribution` or a positive
    /// `funding_contribution_satoshis`): the side's first input pays for it, so that each
    /// side's inputs cover its outputs (BOLT #2 §"The tx_complete Message").
    var sessionShares = PerSide<UInt64>(0, 0)
    /// Each side's `funding_output_contribution` in a fee bump of a v2 opening.
    var rbfContributions = PerSide<Int64>(0, 0)
    /// What the funding output of the current fee bump pays (their sum).
    var rbfFundingAmount: UInt64?
    /// Each side's share of a v2 opening's funding output (`funding_satoshis` of
    /// `open_channel2` and `accept_channel2`), for a fee bump to state; `nil` when nothing.
    var acceptFundingSatoshis: UInt64 = 0

    func v2Contribution(_ side: Side) -> Int64? {
        guard v2Funding != nil, spliceFunding == nil else { return nil }
        let share = side == .first ? fundingSatoshis : acceptFundingSatoshis
        return share > 0 ? Int64(clamping: share) : nil
    }
    /// A splice's new funding output (P2WSH of the `funding_pubkey`s of `splice_init` and
    /// `splice_ack`, the capacity plus both contributions): the initiator's first output in it.
    var spliceKeys = PerSide<[UInt8]?>(nil, nil)
    var spliceContributions = PerSide<Int64>(0, 0)
    var spliceFunding: (script: [UInt8], satoshis: UInt64)?
    var spliceFundingOutputAdded = false
    /// The capacity the next splice starts from.
    var capacity: UInt64 { v2Funding?.satoshis ?? fundingSatoshis }

    /// The lowest `serial_id` of `side`'s parity not yet used in the current construction.
    func nextSerial(for side: Side) -> UInt64 {
        var serial: UInt64 = side == interactiveInitiator ? 0 : 1
        let used = Set((interactive?.inputs.keys).map(Array.init) ?? []).union((interactive?.outputs.keys).map(Array.init) ?? [])
        while used.contains(serial) { serial += 2 }
        return serial
    }
    /// Each side's `shutdown` script, then the `closer_scriptpubkey` of its latest
    /// `closing_complete` (what the peer's next `closing_complete` names as the closee's).
    var closingScript = PerSide<[UInt8]?>(nil, nil)
    /// Each side's latest `closing_complete`: the peer's `closing_sig` repeats its fields and
    /// signs one of its records.
    var closingProposal = PerSide<ClosingComplete?>(nil, nil)
    /// Each side's open batch of `commitment_signed` after a `start_batch` (BOLT #2
    /// §"Batching channel messages"): its size and how many of its messages are still to
    /// come. The batch is one signing: its later members sign the same commitment number.
    var batch = PerSide<(size: Int, remaining: Int)?>(nil, nil)

    /// Whether `side`'s next `commitment_signed` is a later member of its batch.
    func isBatchContinuation(_ side: Side) -> Bool {
        guard let batch = batch[side] else { return false }
        return batch.remaining < batch.size
    }
    var scid: ShortChannelID

    init(label: String, nodes: PerSide<String>, seeds: PerSide<[UInt8]>, temporaryID: ChannelID, scid: ShortChannelID) {
        self.label = label
        self.nodes = nodes
        self.commitmentSeeds = seeds
        self.temporaryID = temporaryID
        self.scid = scid
        ledger.opener = .first
        ledger.initialFeerate = 2500
        fund(satoshis: fundingSatoshis, pushMsat: pushMsat)
    }

    func side(_ node: String) -> Side { nodes.first == node ? .first : .second }

    /// The channel id in use: the real one once funding is known.
    var id: ChannelID { channelID ?? temporaryID }

    /// Secrets a scenario set with `next_secret=` (not from the seed), by side and commitment.
    var secretOverrides = PerSide<[UInt64: [UInt8]]>([:], [:])

    func secret(side: Side, commitment: UInt64) -> [UInt8] {
        secretOverrides[side][commitment] ?? PerCommitmentSecret.secret(seed: commitmentSeeds[side], commitment: commitment)
    }

    func point(side: Side, commitment: UInt64) -> Point {
        Point(unchecked: PerCommitmentSecret.point(secret: secret(side: side, commitment: commitment)) ?? [])
    }

    /// The channel type an opening names (BOLT #9 bits 12 `option_static_remotekey` and 22
    /// `option_anchors`); without one, static_remotekey and no anchors.
    func adopt(channelType type: [UInt8]?) {
        anchors = type.map { $0.count >= 3 && $0[$0.count - 3] & 0x40 != 0 } ?? false
        staticRemoteKey = type.map { $0.count >= 2 && $0[$0.count - 2] & 0x10 != 0 } ?? true
    }

    /// The funding and push of the opening, which give both sides' first balances.
    func fund(satoshis: UInt64, pushMsat push: UInt64) {
        fundingSatoshis = satoshis
        pushMsat = push
        let (funded, overflow) = satoshis.multipliedReportingOverflow(by: 1000)
        if overflow || funded > UInt64(Int64.max) || push > UInt64(Int64.max) {
            ledger.balanceBase = nil
        } else {
            ledger.balanceBase = PerSide(Int64(funded) - Int64(push), Int64(push))
        }
    }

    /// The commitment `signer` is about to sign for its peer (its HTLCs, feerate and each
    /// side's balance, a negative one as 0), or commitment 0 when `number` is 0.
    private func contents(signedBy signer: Side, number: UInt64) -> (htlcs: [CommitmentLedger.HTLC], feerate: UInt32, balancesMsat: PerSide<UInt64>)?
    {
        let next = ledger.commitmentContents(signedBy: signer)
        guard let feerate = next.feerate, let balances = next.balances?.map({ UInt64(max($0, 0)) }) else { return nil }
        return number == 0 ? ([], ledger.initialFeerate ?? feerate, balances) : (next.htlcs, feerate, balances)
    }

    /// Each side's final balance once no HTLC is left (a negative one as 0).
    var finalBalancesMsat: PerSide<UInt64>? {
        ledger.contentsWithAllUpdates.balances?.map { UInt64(max($0, 0)) }
    }

    /// The funding output the closing transactions spend (v1 channels).
    var closingFunding: ClosingTransaction.Funding? {
        guard let parameters = parameters() else { return nil }
        return ClosingTransaction.Funding(
            txid: parameters.fundingTxid, outputIndex: parameters.fundingOutputIndex, satoshis: parameters.fundingSatoshis,
            pubkeys: parameters.sides.map(\.fundingPubkey))
    }

    /// BOLT #3 parameters of a v1 channel, once both sides' keys and the funding are known.
    func parameters(fundingTxid: [UInt8]? = nil) -> ChannelParameters? {
        guard let local = parties.first, let remote = parties.second, let txid = fundingTxid ?? self.fundingTxid?.bytes else { return nil }
        return ChannelParameters(
            sides: PerSide(local, remote), opener: .first, fundingTxid: txid, fundingOutputIndex: UInt32(fundingOutputIndex),
            fundingSatoshis: capacity, staticRemoteKey: staticRemoteKey, anchors: anchors)
    }

    /// `owner`'s commitment `number` as signed now by the other side (nil for v2 channels).
    func commitment(owner: Side, number: UInt64, fundingTxid: [UInt8]? = nil) -> CommitmentTransaction? {
        guard let parameters = parameters(fundingTxid: fundingTxid), let next = contents(signedBy: owner.other, number: number) else { return nil }
        var htlcs: [ChannelParameters.HTLC] = []
        for h in next.htlcs {
            guard let amount = h.amountMsat, let hash = h.paymentHash, let cltv = h.cltvExpiry else { return nil }
            htlcs.append(
                ChannelParameters.HTLC(offerer: h.offerer, amountMsat: amount, paymentHash: hash, cltvExpiry: UInt32(truncatingIfNeeded: cltv)))
        }
        return parameters.commitment(
            owner: owner, number: number, perCommitmentPoint: point(side: owner, commitment: number).bytes,
            feeratePerKw: next.feerate, balancesMsat: next.balancesMsat, htlcs: htlcs)
    }

    /// HTLC outputs of the commitment `signer` is about to sign for its peer, less the
    /// HTLCs trimmed as dust at its feerate (BOLT #3 §"Trimmed Outputs"), when the commitment
    /// cannot be built.
    func htlcsInNextCommitment(signedBy signer: Side) -> [CommitmentLedger.HTLC] {
        let owner = signer.other
        let next = ledger.commitmentContents(signedBy: signer)
        let feerate = next.feerate ?? 0
        return next.htlcs.filter { htlc in
            !Trimming.isTrimmed(
                amountMsat: htlc.amountMsat ?? 0, dustLimit: dustLimit[owner], feeratePerKw: feerate,
                offered: htlc.offerer == owner, anchors: anchors)
        }
    }

    /// The preimage of an HTLC, if its add was filled with one.
    func preimage(of htlc: CommitmentLedger.HTLC) -> [UInt8]? { htlc.paymentHash.flatMap { preimages[$0] } }

    // MARK: Recording what was sent

    func recordAdd(from side: Side, _ message: UpdateAddHTLC, preimage: [UInt8]?) {
        ledger.recordAdd(
            from: side, id: message.id, amountMsat: message.amountMsat, paymentHash: message.paymentHash.bytes,
            cltvExpiry: UInt64(message.cltvExpiry), onion: message.onionRoutingPacket)
        if let preimage { preimages[message.paymentHash.bytes] = preimage }
    }

    func recordRemove(from side: Side, id: UInt64, fulfilled: Bool) {
        ledger.recordRemove(from: side, id: id, fulfilled: fulfilled)
    }

    func recordFee(from side: Side, _ feerate: UInt32) {
        ledger.recordFee(from: side, feerate)
    }

    func recordCommitmentSigned(from side: Side) {
        ledger.recordSigning(from: side)
    }

    /// A `revoke_and_ack`: its secret is the peer's latest, and it revokes a commitment when
    /// it answers a signing (one that answers none revokes nothing, as the rules read it).
    func recordRevokeAndAck(from side: Side, secret: [UInt8]) {
        lastSecretReceived[side.other] = secret
        guard ledger.revocations[side] < ledger.signings[side.other].count else { return }
        ledger.recordRevocation(from: side)
        ledger.compactIfLong()
    }
}
