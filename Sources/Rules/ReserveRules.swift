import Basics
import Ledger
import Transactions
import Wire

/// BOLT #2 §"Adding an HTLC: update_add_htlc" and §"Updating Fees: update_fee": what a
/// node may offer or set while each side keeps its channel reserve and the opener can pay
/// the commitment fee (BOLT #3 §"Fee Calculation", §"Fee Payment"). Judged on the
/// commitment the sender signs next for its peer (Documentation/channel-model.md, "The
/// ledger"), which is where an add or a new feerate goes first.
enum ReserveRules {
    static let all: [Rule] = [addFeeReserve, addFeeSpike, feeAfford, addSpliceAll, feeSpliceAll]

    static let feeSection = "BOLT #2 §\"Updating Fees: update_fee\" Requirements"

    /// The balances of `contents` (the commitment `c.sender` signs next for its peer,
    /// ``nextCommitment(_:_:)``), with the fee at `feerate` taken from the opener and, when
    /// given, `extra` added: an HTLC the sender offers. `extraOutputs` counts further HTLC
    /// outputs the fee must pay for (the fee spike buffer's one more HTLC). `nil` (and "not
    /// evaluated") when a balance, amount, dust limit or the feerate is not in the trace.
    static func balancesAfterFee(
        _ c: inout Check, _ ch: ChannelModel, _ contents: ChannelModel.Contents, feerate rate: UInt32? = nil, adding extra: UInt64? = nil,
        extraOutputs: Int = 0
    ) -> (balances: PerSide<Int64>, feeSatoshis: UInt64)? {
        guard let feerate = rate ?? contents.feerate else {
            c.notEvaluated("the commitment's feerate is not known")
            return nil
        }
        guard let opener = ch.opener, var balances = contents.balances else {
            c.notEvaluated("the balances are not known: an HTLC amount or the opening balances are not in the trace")
            return nil
        }
        guard var untrimmed = ch.untrimmedCount(contents.htlcs, in: c.peer, feerate: feerate) else {
            c.notEvaluated("an HTLC amount or the dust limit is not known")
            return nil
        }
        untrimmed += extraOutputs
        if let amount = extra {
            guard let dust = ch.params[c.peer].dustLimit else {
                c.notEvaluated("the peer's dust limit is not known")
                return nil
            }
            // Bounded by 21 million bitcoin (the add is judged by its own rules above that).
            balances[c.sender] = lessening(balances[c.sender], by: min(amount, CommitmentLedger.maximumMoney * 1000))
            // The sender offers it, so in the peer's commitment it is a received HTLC.
            if !Trimming.isTrimmed(amountMsat: amount, dustLimit: dust, feeratePerKw: feerate, offered: false, anchors: ch.anchors) {
                untrimmed += 1
            }
        }
        let fee =
            Trimming.commitmentFee(untrimmedHTLCs: untrimmed, feeratePerKw: feerate, anchors: ch.anchors)
            + (ch.anchors ? 2 * Trimming.anchorSatoshis : 0)
        // In millisatoshis, checked: a hostile feerate times many HTLC outputs is large.
        let (feeMsat, overflow) = fee.multipliedReportingOverflow(by: 1000)
        balances[opener] = lessening(balances[opener], by: overflow ? UInt64.max : feeMsat)
        return (balances, fee)
    }

    /// The commitment the sender of `c` signs next for its peer, where an add or a new feerate
    /// goes first: worked out once per rule (its HTLCs are summed).
    static func nextCommitment(_ c: Check, _ ch: ChannelModel) -> ChannelModel.Contents {
        ch.ledger.commitmentContents(signedBy: c.sender)
    }

    /// `balance` less `amount` millisatoshis, at `Int64.min` rather than trap (the balances of
    /// a hostile trace can be anything a ledger of 21-million-bitcoin amounts sums to).
    static func lessening(_ balance: Int64, by amount: UInt64) -> Int64 {
        guard amount <= UInt64(Int64.max) else { return Int64.min }
        let (difference, overflow) = balance.subtractingReportingOverflow(Int64(amount))
        return overflow ? Int64.min : difference
    }

    /// The reserve `side` must keep, or `nil` (and "not evaluated").
    static func reserve(_ c: inout Check, _ ch: ChannelModel, keptBy side: ChannelModel.Side) -> UInt64? {
        guard let reserve = ch.reserve(keptBy: side) else {
            c.notEvaluated(
                ch.spliced
                    ? "the reserve after a splice is not modelled"
                    : ch.dualFunded
                        ? "the reserve of a v2 channel needs both contributions and dust limits" : "the channel reserve is not in the trace")
            return nil
        }
        return reserve
    }

    static func msat(_ value: Int64) -> String { value < 0 ? "−\(value.magnitude) msat" : "\(value) msat" }

    /// A reserve in millisatoshis, for comparing with balances: a hostile trace's reserve
    /// beyond what `Int64` holds in millisatoshis stays at its largest value rather than trap.
    static func floor(_ reserve: UInt64) -> Int64 {
        reserve > UInt64(Int64.max / 1000) ? Int64.max : Int64(reserve) * 1000
    }

    static let addFeeReserve = Rule(
        RuleInfo(
            "add-fee-reserve", "the sender can pay for the HTLC and the fee above its reserve",
            section: "\(UpdateRules.addSection); BOLT #3 §\"Fee Calculation\"", severity: .error,
            spec:
                "A sending node: if it is _responsible_ for paying the Bitcoin fee: MUST NOT offer `amount_msat` if, after adding that HTLC to its commitment transaction, it cannot pay the fee for either the local or remote commitment transaction at the current `feerate_per_kw` while maintaining its channel reserve; if `option_anchors` applies to this commitment transaction and the sending node is the funder: MUST be able to additionally pay for `to_local_anchor` and `to_remote_anchor` above its reserve. A receiving node: receiving an `amount_msat` that the sending node cannot afford at the current `feerate_per_kw` (while maintaining its channel reserve and any `to_local_anchor` and `to_remote_anchor` costs): SHOULD send a `warning` and close the connection, or send an `error` and fail the channel.",
            explanation:
                "In the commitment the sender signs next for its peer, with the HTLC added, the sender's balance (less the commitment fee for every untrimmed HTLC output and both anchors, when it opened the channel) must stay at or above the reserve it must keep: the peer's `channel_reserve_satoshis`, or for a v2 channel 1% of the capacity and at least both dust limits (BOLT #2 §\"The open_channel2 Message\" Rationale).",
            example: "→ open_channel funding_satoshis=100000 channel_reserve_satoshis=1000, → update_add_htlc amount_msat=98000000"),
        on: [.updateAddHTLC]
    ) { c in
        guard let ch = c.htlcTable(), let amount = c.need(\.amountMsat), let reserve = reserve(&c, ch, keptBy: c.sender),
            let after = balancesAfterFee(&c, ch, nextCommitment(c, ch), adding: amount)
        else { return }
        let (left, fee) = (after.balances[c.sender], after.feeSatoshis)
        if left < floor(reserve) {
            let paying = ch.opener == c.sender ? ", after the commitment fee of \(fee) sat\(ch.anchors ? " and both anchors" : "")," : ""
            c.violation(
                "with this HTLC the sender would hold \(msat(left))\(paying) in the peer's next commitment: below its channel reserve of \(reserve) sat",
                field: "balance_msat", actual: UInt64(max(left, 0)), minimum: UInt64(floor(reserve)))
        }
    }

    static let addFeeSpike = Rule(
        RuleInfo(
            "add-fee-spike", "the opener keeps room for the fee to rise", section: UpdateRules.addSection, severity: .warning,
            spec:
                "A sending node: if it is _responsible_ for paying the Bitcoin fee: SHOULD NOT offer `amount_msat` if, after adding that HTLC to its commitment transaction, its remaining balance doesn't allow it to pay the commitment transaction fee when receiving or sending a future additional non-dust HTLC while maintaining its channel reserve. It is recommended that this \"fee spike buffer\" can handle twice the current `feerate_per_kw` to ensure predictability between implementations. If it is _not responsible_ for paying the Bitcoin fee: SHOULD NOT offer `amount_msat` if, once the remote node adds that HTLC to its commitment transaction, it cannot pay the fee for the updated local or remote transaction at the current `feerate_per_kw` while maintaining its channel reserve.",
            explanation:
                "An opener's add must leave it able to pay, above its reserve, the fee of the commitment with one more HTLC output at twice the feerate. A non-opener's add must not leave the opener unable to pay the fee its HTLC output adds (judged only when the opener could pay before the add: a reserve not yet reached is no fault of the add).",
            example: "→ open_channel funding_satoshis=100000, → update_add_htlc leaving 1500 sat above the reserve at feerate 2500"),
        on: [.updateAddHTLC]
    ) { c in
        guard let ch = c.htlcTable(), let opener = ch.opener, let amount = c.need(\.amountMsat),
            let reserve = reserve(&c, ch, keptBy: opener)
        else { return }
        let floor = ReserveRules.floor(reserve)
        let contents = nextCommitment(c, ch)
        if c.sender == opener {
            guard let current = contents.feerate else { return c.notEvaluated("the commitment's feerate is not known") }
            let doubled = UInt32(min(UInt64(current) * 2, UInt64(UInt32.max)))
            guard let after = balancesAfterFee(&c, ch, contents, feerate: doubled, adding: amount, extraOutputs: 1) else { return }
            let left = after.balances[opener]
            if left < floor {
                c.violation(
                    "after this HTLC and \(after.feeSatoshis) sat, the fee with one more HTLC output at twice the feerate (\(doubled) per kw), the opener would hold \(msat(left)): below its reserve of \(reserve) sat",
                    field: "balance_msat", actual: UInt64(max(left, 0)), minimum: UInt64(floor))
            }
        } else {
            guard let before = balancesAfterFee(&c, ch, contents), let after = balancesAfterFee(&c, ch, contents, adding: amount) else { return }
            let left = after.balances[opener]
            if before.balances[opener] >= floor, left < floor {
                c.violation(
                    "with this HTLC in the peer's commitment the opener would hold \(msat(left)) after the commitment fee of \(after.feeSatoshis) sat: below its reserve of \(reserve) sat",
                    field: "opener_balance_msat", actual: UInt64(max(left, 0)), minimum: UInt64(floor))
            }
        }
    }

    static let feeAfford = Rule(
        RuleInfo(
            "fee-afford", "the opener can afford the new feerate", section: feeSection, severity: .warning,
            spec:
                "A receiving node: if the sender cannot afford the new fee rate on the receiving node's current commitment transaction: SHOULD send a `warning` and close the connection, or send an `error` and fail the channel, but MAY delay this check until the `update_fee` is committed.",
            explanation:
                "At the new feerate, the commitment the opener signs next for its peer must leave the opener its reserve after the fee (every untrimmed HTLC output, trimming redone at that feerate, and both anchors). Judged only when the opener could afford the feerate it replaces.",
            example: "→ open_channel funding_satoshis=100000 push_msat=95000000, → update_fee feerate_per_kw=50000"),
        on: [.updateFee]
    ) { c in
        guard let ch = c.htlcTable(), let opener = ch.opener, c.sender == opener, let rate = c.need(\.feeratePerKw),
            let reserve = reserve(&c, ch, keptBy: opener)
        else { return }
        let floor = ReserveRules.floor(reserve)
        let contents = nextCommitment(c, ch)
        guard let before = balancesAfterFee(&c, ch, contents),
            let after = balancesAfterFee(&c, ch, contents, feerate: UInt32(truncatingIfNeeded: rate))
        else { return }
        let left = after.balances[opener]
        if before.balances[opener] >= floor, left < floor {
            c.violation(
                "at feerate_per_kw \(rate) the commitment fee is \(after.feeSatoshis) sat: the opener would hold \(msat(left)), below its reserve of \(reserve) sat",
                field: "opener_balance_msat", actual: UInt64(max(left, 0)), minimum: UInt64(floor))
        }
    }
}

extension ReserveRules {
    /// The pending splices' fundings, each with the reserve its commitments ask of either
    /// side (BOLT #2 §"Splice tx_complete": "the channel reserve that matches the new channel
    /// capacity"), or `nil` (and "not evaluated", or nothing pending).
    static func pendingFundings(_ c: inout Check, _ ch: ChannelModel) -> [(funding: ChannelModel.PendingFunding, reserve: UInt64)]? {
        guard ch.pendingSplices > 0 else { return nil }
        guard let fundings = ch.pendingFundings, fundings.count == ch.pendingSplices else {
            c.notEvaluated("the capacity or the contributions of a pending splice are not known")
            return nil
        }
        var out: [(funding: ChannelModel.PendingFunding, reserve: UInt64)] = []
        for funding in fundings {
            guard let reserve = ch.reserve(ofCapacity: funding.capacity) else {
                c.notEvaluated("the dust limits are not known")
                return nil
            }
            out.append((funding, reserve))
        }
        return out
    }

    /// `balance` plus `contribution` satoshis, in millisatoshis, saturating.
    static func shifted(_ balance: Int64, by contribution: Int64) -> Int64 {
        let (msat, overflow) = contribution.multipliedReportingOverflow(by: 1000)
        guard !overflow else { return contribution < 0 ? Int64.min : Int64.max }
        return balance.addingReportingOverflow(msat).overflow ? (msat < 0 ? Int64.min : Int64.max) : balance + msat
    }

    /// Judges `side`'s balance in each pending splice's version of the next commitment:
    /// `before` and `after` the message (the same HTLCs and fee, shifted by the splice's
    /// contributions), reported when the message takes it from at or above that funding's
    /// reserve to below it.
    static func judgeFundings(
        _ c: inout Check, _ fundings: [(funding: ChannelModel.PendingFunding, reserve: UInt64)], side: ChannelModel.Side,
        before: PerSide<Int64>, after: PerSide<Int64>, what: String
    ) {
        for (funding, reserve) in fundings {
            let floor = floor(reserve)
            let (was, now) = (shifted(before[side], by: funding.contributions[side]), shifted(after[side], by: funding.contributions[side]))
            if was >= floor, now < floor {
                return c.violation(
                    "\(what) in the commitment of the pending splice of \(funding.capacity) sat the sender would hold \(msat(now)): below the reserve of \(reserve) sat that capacity asks",
                    field: "balance_msat", actual: UInt64(max(now, 0)), minimum: UInt64(floor))
            }
        }
    }

    static let addSpliceAll = Rule(
        RuleInfo(
            "add-splice-all", "an HTLC fits every pending splice's commitment", section: UpdateRules.addSection, severity: .error,
            spec:
                "A sending node: … if a splice is pending: MUST ensure that requirements are met for all commitment transactions.",
            explanation:
                "While a splice is signed but not locked, an HTLC goes into the commitment of each funding. In each pending splice's, the sender's balance is the one in the current commitment plus its `funding_contribution_satoshis`, and its reserve is 1% of the new capacity (at least both dust limits); after the HTLC and the commitment fee it must stay at or above that reserve. Judged when the sender was at or above it before the HTLC (a side left below the reserve by the peer's splice-in is allowed), for a channel's first splice whose contributions are in the trace.",
            example:
                "→ splice_init funding_contribution_satoshis=-900000, …, → tx_signatures, ← tx_signatures, → update_add_htlc (fits the old funding only)"
        ),
        on: [.updateAddHTLC]
    ) { c in
        guard let ch = c.htlcTable(), let fundings = pendingFundings(&c, ch), let amount = c.need(\.amountMsat) else { return }
        let contents = nextCommitment(c, ch)
        guard let before = balancesAfterFee(&c, ch, contents), let after = balancesAfterFee(&c, ch, contents, adding: amount) else { return }
        judgeFundings(&c, fundings, side: c.sender, before: before.balances, after: after.balances, what: "with this HTLC")
    }

    static let feeSpliceAll = Rule(
        RuleInfo(
            "fee-splice-all", "a new feerate fits every pending splice's commitment", section: feeSection, severity: .error,
            spec: "A sending node: … if a splice is pending: MUST ensure that requirements are met for all commitment transactions.",
            explanation:
                "While a splice is signed but not locked, a new feerate applies to the commitment of each funding. In each pending splice's, the opener's balance (its current one plus its `funding_contribution_satoshis`) less the fee at the new feerate must stay at or above 1% of the new capacity (at least both dust limits). Judged when the opener could pay the feerate it replaces there.",
            example: "→ splice_init funding_contribution_satoshis=-900000, …, → update_fee feerate_per_kw=20000"),
        on: [.updateFee]
    ) { c in
        guard let ch = c.htlcTable(), let opener = ch.opener, c.sender == opener, let fundings = pendingFundings(&c, ch),
            let rate = c.need(\.feeratePerKw)
        else { return }
        let contents = nextCommitment(c, ch)
        guard let before = balancesAfterFee(&c, ch, contents),
            let after = balancesAfterFee(&c, ch, contents, feerate: UInt32(truncatingIfNeeded: rate))
        else { return }
        judgeFundings(&c, fundings, side: opener, before: before.balances, after: after.balances, what: "at feerate_per_kw \(rate),")
    }
}

extension ChannelModel {
    /// The channel reserve `side` must keep, in satoshis: the `channel_reserve_satoshis`
    /// the other node asked for (BOLT #2 §"The open_channel Message"), or for a v2 opening
    /// 1% of the capacity rounded down, and at least the dust limit (BOLT #2 §"The
    /// open_channel2 Message" Rationale; both sides' limits, as v1 reserves are never below
    /// either). `nil` when the trace does not give it, or the channel was spliced.
    func reserve(keptBy side: Side) -> UInt64? {
        guard !spliced else { return nil }
        guard dualFunded else { return params[side.other].reserve }
        return capacity.flatMap(reserve(ofCapacity:))
    }

    /// The reserve of a channel whose capacity is set by both sides (a v2 opening, a splice):
    /// 1% of `capacity` rounded down, and at least both dust limits; `nil` when a dust limit
    /// is not in the trace.
    func reserve(ofCapacity capacity: UInt64) -> UInt64? {
        guard let first = params.first.dustLimit, let second = params.second.dustLimit else { return nil }
        return Swift.max(capacity / 100, first, second)
    }
}
