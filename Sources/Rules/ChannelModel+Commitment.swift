import Transactions
import Wire

/// Why a commitment transaction cannot be rebuilt from the trace.
struct MissingEvidence: Error {
    var reason: String
}

extension ChannelModel {
    /// What BOLT #3 needs from the opening to build the channel's commitment transactions,
    /// with the funding outpoint given (or the one from `funding_created`).
    func channelParameters(fundingTxid txid: [UInt8]? = nil, fundingOutputIndex index: UInt16? = nil) throws(MissingEvidence) -> ChannelParameters {
        guard origin == .opened, let opener else { throw MissingEvidence(reason: "the channel was not opened in the trace") }
        guard let txid = txid ?? fundingTxid?.bytes, let index = index ?? fundingOutputIndex else {
            throw MissingEvidence(reason: "the funding outpoint is not in the trace")
        }
        // A v2 channel's funding output holds both contributions (replaced by an RBF: not modelled).
        guard let funding = dualFunded ? capacity : fundingSatoshis else {
            throw MissingEvidence(
                reason: dualFunded ? "the funding amount of the v2 opening's fee bump is not modelled" : "the funding amount is not in the trace")
        }
        guard let type = channelType else { throw MissingEvidence(reason: "the channel type is not known") }
        func party(_ p: Params) throws(MissingEvidence) -> ChannelParameters.Party {
            guard let fundingKey = p.fundingPubkey, let revocation = p.revocationBasepoint, let payment = p.paymentBasepoint,
                let delayed = p.delayedPaymentBasepoint, let htlc = p.htlcBasepoint, let delay = p.toSelfDelay, let dust = p.dustLimit
            else { throw MissingEvidence(reason: "the source does not give the keys of `open_channel` and `accept_channel`") }
            return ChannelParameters.Party(
                fundingPubkey: fundingKey.bytes, revocationBasepoint: revocation.bytes, paymentBasepoint: payment.bytes,
                delayedPaymentBasepoint: delayed.bytes, htlcBasepoint: htlc.bytes, toSelfDelay: UInt16(truncatingIfNeeded: delay), dustLimit: dust)
        }
        let sides = PerSide(try party(params.first), try party(params.second))
        return ChannelParameters(
            sides: sides, opener: opener, fundingTxid: txid, fundingOutputIndex: UInt32(index), fundingSatoshis: funding,
            staticRemoteKey: ConnectionModel.isSet(type, 12), anchors: anchors)
    }

    /// What `owner`'s commitment `number` with the given contents needs from the model, found
    /// on the ordered path (cheap); ``CommitmentInputs/transaction(_:)`` builds it anywhere.
    func commitmentInputs(owner: Side, number: UInt64, contents: Contents) throws(MissingEvidence) -> CommitmentInputs {
        guard let point = points[owner][number] else {
            throw MissingEvidence(reason: "the per-commitment point of commitment \(number) is not in the trace")
        }
        guard let feerate = contents.feerate else { throw MissingEvidence(reason: "the commitment's feerate is not known") }
        guard let balances = contents.balancesMsat else {
            if let signed = contents.balances, let overdrawn = Side.allCases.first(where: { signed[$0] < 0 }) {
                let side = overdrawn == owner ? "the commitment's owner" : "its signer"
                throw MissingEvidence(
                    reason: "the balances are not known: \(side) would pay more than it has (\(signed[overdrawn]) msat after the HTLCs in flight)")
            }
            throw MissingEvidence(reason: "the balances are not known: an HTLC amount or the opening balances are not in the trace")
        }
        var htlcs: [ChannelParameters.HTLC] = []
        for h in contents.htlcs {
            guard let amount = h.amountMsat, let hash = h.paymentHash, let cltv = h.cltvExpiry else {
                throw MissingEvidence(reason: "an HTLC's amount, payment_hash or cltv_expiry is not known")
            }
            htlcs.append(
                ChannelParameters.HTLC(
                    offerer: h.offerer, amountMsat: amount, paymentHash: hash,
                    cltvExpiry: UInt32(truncatingIfNeeded: cltv)))
        }
        return CommitmentInputs(owner: owner, number: number, point: point, feerate: feerate, balances: balances, htlcs: htlcs)
    }
}

/// A commitment as the trace gives it (BOLT #3 §"Commitment Transaction"): whose, which
/// number, its per-commitment point, feerate, balances and HTLCs. A value, so that the
/// transaction can be built (and its signatures verified) on another core.
struct CommitmentInputs: Sendable {
    let owner: ChannelModel.Side
    let number: UInt64
    let point: Point
    let feerate: UInt32
    let balances: PerSide<UInt64>
    let htlcs: [ChannelParameters.HTLC]

    /// The transaction, with its keys derived (libsecp256k1); `nil` when a key of the
    /// channel is not a valid point.
    func transaction(_ parameters: ChannelParameters) -> CommitmentTransaction? {
        parameters.commitment(
            owner: owner, number: number, perCommitmentPoint: point.bytes, feeratePerKw: feerate, balancesMsat: balances, htlcs: htlcs)
    }
}

extension ChannelModel {
    /// The funding output a closing transaction spends (BOLT #3 §"Closing Transaction").
    func closingFunding() throws(MissingEvidence) -> ClosingTransaction.Funding {
        guard !spliced else { throw MissingEvidence(reason: "the channel was spliced: its funding output is not modelled") }
        let parameters = try channelParameters()
        return ClosingTransaction.Funding(
            txid: parameters.fundingTxid, outputIndex: parameters.fundingOutputIndex, satoshis: parameters.fundingSatoshis,
            pubkeys: parameters.sides.map(\.fundingPubkey))
    }

    /// Each side's final balance once the channel is clean: every update signed and revoked
    /// on both commitments and no HTLC left (BOLT #2 §"Channel Close").
    func finalBalances() throws(MissingEvidence) -> PerSide<UInt64> {
        guard origin == .opened, !spliced else { throw MissingEvidence(reason: "the channel's balances are not all in the trace") }
        guard !htlcIDsUnknown else { throw MissingEvidence(reason: "the source does not give HTLC ids, so balances cannot be followed") }
        guard ledger.everythingCommitted, !ledger.htlcs.contains(where: { $0.removeIndex == nil }) else {
            throw MissingEvidence(reason: "the channel is not clean: its final balances are not settled")
        }
        guard let balances = ledger.contentsWithAllUpdates.balancesMsat else {
            throw MissingEvidence(reason: "the balances are not known: an HTLC amount or the opening balances are not in the trace")
        }
        return balances
    }
}

extension ChannelModel {
    /// The channel's capacity before any splice, when the trace gives it: a v1 opening's
    /// `funding_satoshis`, or both contributions of a v2 opening not replaced by an RBF.
    var capacity: UInt64? {
        guard !spliced, origin == .opened, let opened = fundingSatoshis else { return nil }
        guard dualFunded else { return opened }
        guard !v2FundingReplaced, let accepted = acceptFundingSatoshis else { return nil }
        let (sum, overflow) = opened.addingReportingOverflow(accepted)
        return overflow ? nil : sum
    }
}
