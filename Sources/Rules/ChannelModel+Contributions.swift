import Basics
import Transactions
import Wire

extension ChannelModel {
    /// What each side put into and took out of a constructed interactive transaction
    /// (BOLT #2 §"The tx_complete Message", BOLT #3 §"Calculating Fees for Collaborative
    /// Transactions"), in satoshis.
    struct Contributions: Sendable, Equatable {
        /// The amounts of the inputs each side added; a splice's shared input counts as the
        /// previous capacity, for the splice's initiator.
        var inputs = PerSide<UInt64>(0, 0)
        /// The outputs each side added, the funding output replaced by each side's share of it.
        var outputs = PerSide<UInt64>(0, 0)
        /// A lower bound of the weight each side pays for: the inputs and outputs it added,
        /// and for the initiator the fields every transaction has.
        var weight = PerSide<UInt64>(0, 0)

        /// What `side` pays in fees, or `nil` when it takes out more than it put in.
        func fee(of side: Side) -> UInt64? { inputs[side] >= outputs[side] ? inputs[side] - outputs[side] : nil }

        /// Why the receiver of `side`'s contributions must fail the construction, if it must:
        /// `side` takes out more than it puts in, or pays less than `feerate` (when known) over
        /// the least its inputs and outputs weigh.
        func failure(of side: Side, feerate: UInt32?) -> Failure? {
            guard let fee = fee(of: side) else { return .unbalanced(inputs: inputs[side], outputs: outputs[side]) }
            guard let feerate else { return nil }
            let (product, overflow) = UInt64(feerate).multipliedReportingOverflow(by: weight[side])
            guard !overflow else { return nil }
            let minimum = product / 1000
            return fee < minimum ? .underpaid(fee: fee, minimum: minimum, weight: weight[side], feerate: feerate) : nil
        }
    }

    /// Weight of the fields of every transaction (version, segwit marker and flag, input
    /// and output counts of one byte each, locktime), which the initiator pays for.
    static let commonFieldsWeight: UInt64 = (4 + 1 + 1 + 4) * 4 + 2
    /// Weight of an input without its witness (outpoint, empty scriptSig, sequence), plus
    /// the smallest witness (its item count): no input weighs less.
    static let minimumInputWeight: UInt64 = (32 + 4 + 1 + 4) * 4 + 1

    /// Each side's contributions to `session`'s transaction; throws when the trace does not
    /// give every amount, or the funding output and each side's share of it.
    func contributions(of session: InteractiveTx) throws(MissingEvidence) -> Contributions {
        guard session.whole, let inputs = session.inputs, let outputs = session.outputs, let built = session.built else {
            throw MissingEvidence(reason: "the session's inputs and outputs are not all in the trace")
        }
        if session.kind == .splice, !session.spends.values.contains(where: \.shared) {
            throw MissingEvidence(reason: "the splice spends no shared input, so the previous capacity is in no input")
        }
        let (script, shares) = try fundingShares(of: session)
        guard let funding = built.firstOutput(paying: script) else { throw MissingEvidence(reason: "the transaction has no funding output") }
        var result = Contributions()
        for (serial, adder) in inputs {
            try add(Self.minimumInputWeight, to: &result.weight[adder])
            if let value = session.inputValues[serial] {
                try add(value, to: &result.inputs[adder])
            } else if session.spends[serial]?.shared == true, let capacity = session.capacityBefore {
                try add(capacity, to: &result.inputs[session.initiator])
            } else {
                throw MissingEvidence(reason: "the amount of input serial_id \(serial) is not known (its prevtx)")
            }
        }
        for (serial, adder) in outputs {
            guard let output = built.outputs[serial] else { continue }
            // The amount, the script's CompactSize length (1, 3 or 5 bytes here) and the script.
            let length = UInt64(output.script.count)
            let size = 8 + (length < 0xfd ? 1 : length <= 0xffff ? 3 : 5) + length
            try add(size * 4, to: &result.weight[adder])
            if serial != funding.serial { try add(output.value, to: &result.outputs[adder]) }
        }
        for side in Side.allCases { try add(shares[side], to: &result.outputs[side]) }
        try add(Self.commonFieldsWeight, to: &result.weight[session.initiator])
        return result
    }

    /// The funding output's script and each side's share of it: a v2 opening's
    /// `funding_satoshis` of `open_channel2` and `accept_channel2` (or an RBF's
    /// `funding_output_contribution`s), or a splice's previous capacity (the initiator's) plus
    /// each `funding_contribution_satoshis`.
    func fundingShares(of session: InteractiveTx) throws(MissingEvidence) -> (script: [UInt8], shares: PerSide<UInt64>) {
        switch session.kind {
        case .open, .rbf:
            guard !spliced else { throw MissingEvidence(reason: "the funding shares of a splice's fee bump are not modelled") }
            guard let first = params.first.fundingPubkey, let second = params.second.fundingPubkey, let opener else {
                throw MissingEvidence(reason: "the funding keys of `open_channel2` and `accept_channel2` are not in the trace")
            }
            var shares = PerSide<UInt64>(0, 0)
            if session.kind == .open {
                guard let opened = fundingSatoshis, let accepted = acceptFundingSatoshis else {
                    throw MissingEvidence(reason: "the funding amounts of `open_channel2` and `accept_channel2` are not in the trace")
                }
                (shares[opener], shares[opener.other]) = (opened, accepted)
            } else {
                guard let mine = session.contributions.first, let theirs = session.contributions.second, mine >= 0, theirs >= 0 else {
                    throw MissingEvidence(reason: "the contributions of `tx_init_rbf` and `tx_ack_rbf` are not in the trace")
                }
                shares = PerSide(UInt64(mine), UInt64(theirs))
            }
            return (Script.fundingOutput(first.bytes, second.bytes), shares)
        case .splice:
            guard let first = session.spliceKeys.first, let second = session.spliceKeys.second, let capacity = session.capacityBefore,
                let mine = session.contributions.first, let theirs = session.contributions.second
            else { throw MissingEvidence(reason: "the keys, capacity or contributions of the splice are not in the trace") }
            var signed = PerSide(mine, theirs)
            signed[session.initiator] = signed[session.initiator].addingReportingOverflow(Int64(clamping: capacity)).partialValue
            guard signed.allSatisfy({ $0 >= 0 }) else { throw MissingEvidence(reason: "a side's share of the new funding output is negative") }
            return (Script.fundingOutput(first.bytes, second.bytes), signed.map { UInt64($0) })
        }
    }

    /// Why the receiver of `side`'s contributions to a completed construction must fail it
    /// (BOLT #2 §"The tx_complete Message"): `side` takes out more than it puts in, or pays
    /// less than the agreed feerate over the least its inputs and outputs weigh.
    func contributionFailure(_ session: InteractiveTx, of side: Side) -> Failure? {
        (try? contributions(of: session))?.failure(of: side, feerate: session.feerate)
    }

    /// Whether `side` added an output other than the new funding output to a completed
    /// splice and its balance after the splice (its balance now plus its
    /// `funding_contribution_satoshis`) is below the reserve of the new capacity: 1% of it,
    /// and at least both dust limits (BOLT #2 §"Splice tx_complete"). `nil` also when the
    /// trace does not give an amount (the channel's first splice of an opening in the trace).
    func spliceReserveFailure(_ session: InteractiveTx, of side: Side) -> Failure? {
        guard session.kind == .splice, session.whole, origin == .opened, !spliced, !htlcIDsUnknown,
            let capacity = session.newCapacity, let outputs = session.outputs, let built = session.built,
            let keyFirst = session.spliceKeys.first, let keySecond = session.spliceKeys.second,
            let funding = built.firstOutput(paying: Script.fundingOutput(keyFirst.bytes, keySecond.bytes)),
            let balances = ledger.contentsWithAllUpdates.balances, let reserve = reserve(ofCapacity: capacity)
        else { return nil }
        guard outputs.contains(where: { $0.value == side && $0.key != funding.serial }) else { return nil }
        let balance = (balances[side] / 1000).addingReportingOverflow(session.contributions[side] ?? 0)
        guard !balance.overflow, balance.partialValue < Int64(clamping: reserve) else { return nil }
        return .belowReserve(balance: balance.partialValue, reserve: reserve)
    }

    /// `value` added to `sum`; throws rather than overflow (a hostile trace's amounts).
    private func add(_ value: UInt64, to sum: inout UInt64) throws(MissingEvidence) {
        let (total, overflow) = sum.addingReportingOverflow(value)
        guard !overflow else { throw MissingEvidence(reason: "the amounts overflow") }
        sum = total
    }

    /// The funding outpoint a v2 opening's construction built: its txid, and the position of
    /// the output paying both `funding_pubkey`s (outputs in `serial_id` order).
    func v2FundingOutpoint(_ session: InteractiveTx) -> (SHA256Hash, UInt16)? {
        guard let built = session.built, let first = params.first.fundingPubkey, let second = params.second.fundingPubkey,
            let funding = built.firstOutput(paying: Script.fundingOutput(first.bytes, second.bytes)),
            let index = built.outputs.keys.sorted().firstIndex(of: funding.serial), index <= Int(UInt16.max)
        else { return nil }
        return (SHA256Hash(unchecked: built.txid), UInt16(index))
    }

    /// The fees `session`'s transaction pays (all inputs less all outputs), in satoshis.
    func totalFee(of session: InteractiveTx) throws(MissingEvidence) -> Int64 {
        guard session.whole, let inputs = session.inputs, let built = session.built else {
            throw MissingEvidence(reason: "the session's inputs and outputs are not all in the trace")
        }
        var (paid, spent): (UInt64, UInt64) = (0, 0)
        for serial in inputs.keys {
            if let value = session.inputValues[serial] {
                try add(value, to: &paid)
            } else if session.spends[serial]?.shared == true, let capacity = session.capacityBefore {
                try add(capacity, to: &paid)
            } else {
                throw MissingEvidence(reason: "the amount of input serial_id \(serial) is not known (its prevtx)")
            }
        }
        for output in built.outputs.values { try add(output.value, to: &spent) }
        guard paid <= UInt64(Int64.max), spent <= UInt64(Int64.max) else { throw MissingEvidence(reason: "the amounts overflow") }
        return Int64(paid) - Int64(spent)
    }
}
