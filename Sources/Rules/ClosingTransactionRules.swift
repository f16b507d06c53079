import Basics
import Secp256k1
import Transactions
import Wire

/// The closing transactions rebuilt from the trace (BOLT #3 §"Closing Transaction" and
/// §"Legacy Closing Transaction"): the fee and outputs a `closing_complete` proposes, the
/// signature records it must carry, and every closing signature verified
/// (Documentation/closing.md).
enum ClosingTransactionRules {
    static let all: [Rule] = [
        feeBalance, notAllDust, lesserRecords, greaterRecords, completeSignatures, sigSignature, legacySignature, legacyDust,
    ]

    static let simpleSection = CloseRules.simpleSection
    static let legacySection = CloseRules.legacySection

    /// A simple close as one `closing_complete` (or the `closing_sig` answering it) describes it.
    struct SimpleClose {
        var closer: Side
        var balancesMsat: PerSide<UInt64>
        var closerScript: [UInt8]
        var closeeScript: [UInt8]
        var fee: UInt64
        var locktime: UInt32

        var closerMsat: UInt64 { balancesMsat[closer] }
        var closeeMsat: UInt64 { balancesMsat[closer.other] }
        /// The closer's output: `nil` when the fee is more than its balance.
        var closerAmount: UInt64? {
            ClosingTransaction.simpleCloserAmount(closerScript: closerScript, closerMsat: closerMsat, fee: fee)
        }
        var closeeAmount: UInt64 { ClosingTransaction.isOpReturn(closeeScript) ? 0 : closeeMsat / 1000 }
        func closerIsDust(_ amount: UInt64) -> Bool { amount < ClosingTransaction.dustThreshold(closerScript) }
        var closeeIsDust: Bool { closeeAmount < ClosingTransaction.dustThreshold(closeeScript) }
    }

    /// The message's close, `closer` being its sender (`closing_complete`) or its peer
    /// (`closing_sig`); `nil` (and "not evaluated") when the trace does not give it.
    static func simpleClose(_ c: inout Check, closer: Side) -> SimpleClose? {
        guard let ch = c.channel else {
            c.notEvaluated("the message's channel is not known")
            return nil
        }
        let balances: PerSide<UInt64>
        do throws(MissingEvidence) {
            balances = try ch.finalBalances()
        } catch {
            c.notEvaluated(error.reason)
            return nil
        }
        guard let closerScript = c.needBytes(\.closerScriptpubkey), let closeeScript = c.needBytes(\.closeeScriptpubkey),
            let fee = c.need(\.feeSatoshis), let locktime = c.need(\.locktime)
        else { return nil }
        return SimpleClose(
            closer: closer, balancesMsat: balances, closerScript: closerScript, closeeScript: closeeScript, fee: fee,
            locktime: UInt32(truncatingIfNeeded: locktime))
    }

    /// The signature records a `closing_complete` or `closing_sig` carries, by variant.
    static func signatures(_ typed: TypedMessage) -> [(variant: ClosingTransaction.Variant, signature: [UInt8])] {
        var out: [(variant: ClosingTransaction.Variant, signature: [UInt8])] = []
        if let s = typed.closerOutputOnlyRecord { out.append((.closerOutputOnly, s.bytes)) }
        if let s = typed.closeeOutputOnlyRecord { out.append((.closeeOutputOnly, s.bytes)) }
        if let s = typed.closerAndCloseeOutputsRecord { out.append((.closerAndCloseeOutputs, s.bytes)) }
        return out
    }

    static let feeBalance = Rule(
        RuleInfo(
            "cc-fee-balance", "the closer pays the fee from its own balance", section: simpleSection,
            severity: .error,
            spec:
                "The sender of `closing_complete`: MUST set `fee_satoshis` to a fee less than or equal to its outstanding balance, rounded down to whole satoshis. The receiver: if `fee_satoshis` is greater than the closer's outstanding balance: MUST either send a `warning` and close the connection, or send an `error` and fail the channel.",
            explanation:
                "In a simple close each node pays the fee of its own closing transaction from its own output; the channel's final balances follow from its opening and every HTLC settled in the trace.",
            example: "(final balances: carol 10 000 sat) → closing_complete fee_satoshis=20000"),
        on: [.closingComplete]
    ) { c in
        guard let close = simpleClose(&c, closer: c.sender) else { return }
        let balance = close.closerMsat / 1000
        if close.fee > balance {
            c.violation(
                "fee_satoshis \(close.fee) is more than the closer's final balance of \(balance) sat", field: \TypedMessage.feeSatoshis,
                actual: close.fee, maximum: balance)
        }
    }

    static let notAllDust = Rule(
        RuleInfo(
            "cc-not-all-dust", "a closing transaction keeps one output above dust",
            section: "\(simpleSection); BOLT #3 §\"Dust Limits\"", severity: .error,
            spec:
                "The sender of `closing_complete`: MUST set `fee_satoshis` so that at least one output is not dust. (An output is dust below Bitcoin Core's threshold for its script: p2pkh 546, p2sh 540, p2wpkh 294, p2wsh 330, p2a 240, unknown segwit versions 354 satoshis; `OP_RETURN` outputs are never dust.)",
            explanation:
                "A transaction whose every output is dust does not relay. The closer's output is its balance minus the fee, the closee's its balance, both rounded down to whole satoshis; an `OP_RETURN` output carries 0 and counts as not dust.",
            example: "(final balances: carol 1 000 sat, dave 200 sat) → closing_complete fee_satoshis=900"),
        on: [.closingComplete]
    ) { c in
        guard let close = simpleClose(&c, closer: c.sender) else { return }
        guard let closerAmount = close.closerAmount else { return c.notEvaluated("the fee is more than the closer's balance (cc-fee-balance)") }
        if close.closerIsDust(closerAmount) && close.closeeIsDust {
            c.violation(
                "both outputs are dust: the closer's \(closerAmount) sat (threshold \(ClosingTransaction.dustThreshold(close.closerScript))) and the closee's \(close.closeeAmount) sat (threshold \(ClosingTransaction.dustThreshold(close.closeeScript)))"
            )
        }
    }

    static let lesserRecords = Rule(
        RuleInfo(
            "cc-tlv-lesser", "the lesser-paid closer's signature records", section: simpleSection,
            severity: .error,
            spec:
                "If the local outstanding balance (in millisatoshi) is less than the remote outstanding balance: MUST NOT set `closer_output_only`. MUST set `closee_output_only` if the local output amount is dust. MAY set `closee_output_only` if it considers the local output amount uneconomical AND its `closer_scriptpubkey` is not `OP_RETURN`.",
            explanation:
                "Only the node with the smaller balance may leave its own output out, and it must when that output is dust: the closee then picks the variant it can accept.",
            example: "(final balances: carol 100 sat, dave 900 000 sat) → closing_complete closer_and_closee_outputs=… (no closee_output_only)"),
        on: [.closingComplete]
    ) { c in
        guard c.needTLVs(), let close = simpleClose(&c, closer: c.sender) else { return }
        guard close.closerMsat < close.closeeMsat else { return }
        let records = Set(signatures(c.typed).map(\.0))
        if records.contains(.closerOutputOnly) {
            return c.violation(
                "closer_output_only is set, but the closer's balance (\(close.closerMsat) msat) is less than the closee's (\(close.closeeMsat) msat)")
        }
        guard let closerAmount = close.closerAmount else { return c.notEvaluated("the fee is more than the closer's balance (cc-fee-balance)") }
        if close.closerIsDust(closerAmount) && !records.contains(.closeeOutputOnly) {
            c.violation(
                "the closer's output of \(closerAmount) sat is dust (threshold \(ClosingTransaction.dustThreshold(close.closerScript))), but closee_output_only is not set"
            )
        }
    }

    static let greaterRecords = Rule(
        RuleInfo(
            "cc-tlv-greater", "the greater-paid closer's signature records", section: simpleSection,
            severity: .error,
            spec:
                "Otherwise (not lesser amount, cannot remove its own output): MUST NOT set `closee_output_only`. If the closee's output amount is dust: MUST set `closer_output_only`. MUST NOT set `closer_and_closee_outputs`. Otherwise: MUST set both `closer_output_only` and `closer_and_closee_outputs`.",
            explanation:
                "A closer whose balance is not the smaller one keeps its own output; it offers the variant without the closee's output, and the one with both unless the closee's output is dust.",
            example: "(final balances: carol 900 000 sat, dave 100 000 sat) → closing_complete closer_and_closee_outputs=… (no closer_output_only)"),
        on: [.closingComplete]
    ) { c in
        guard c.needTLVs(), let close = simpleClose(&c, closer: c.sender) else { return }
        guard close.closerMsat >= close.closeeMsat else { return }
        let records = Set(signatures(c.typed).map(\.0))
        var problems: [String] = []
        if records.contains(.closeeOutputOnly) { problems.append("closee_output_only is set") }
        if close.closeeIsDust {
            if !records.contains(.closerOutputOnly) { problems.append("closer_output_only is missing") }
            if records.contains(.closerAndCloseeOutputs) { problems.append("closer_and_closee_outputs is set for a dust closee output") }
        } else {
            if !records.contains(.closerOutputOnly) { problems.append("closer_output_only is missing") }
            if !records.contains(.closerAndCloseeOutputs) { problems.append("closer_and_closee_outputs is missing") }
        }
        if !problems.isEmpty {
            let closee = "the closee's output is \(close.closeeAmount) sat\(close.closeeIsDust ? " (dust)" : "")"
            c.violation(
                "\(problems.joined(separator: "; ")): the closer's balance (\(close.closerMsat) msat) is not the smaller, and \(closee)")
        }
    }

    /// Verifies each of `records` over the simple-close transaction of its variant with
    /// `signer`'s funding key (offloaded).
    static func verifySimple(
        _ c: inout Check, _ close: SimpleClose, records: [(variant: ClosingTransaction.Variant, signature: [UInt8])], signer: Side
    ) {
        guard let ch = c.channel else { return }
        let funding: ClosingTransaction.Funding
        do throws(MissingEvidence) {
            funding = try ch.closingFunding()
        } catch {
            return c.notEvaluated(error.reason)
        }
        guard close.closerAmount != nil else { return c.notEvaluated("the fee is more than the closer's balance (cc-fee-balance)") }
        guard !records.isEmpty else { return c.notEvaluated("the message carries no signature record") }
        let key = funding.pubkeys[signer]
        c.offload {
            for (variant, signature) in records {
                guard
                    let tx = ClosingTransaction.simple(
                        funding: funding, closerScript: close.closerScript, closeeScript: close.closeeScript, closerMsat: close.closerMsat,
                        closeeMsat: close.closeeMsat, fee: close.fee, locktime: close.locktime, variant: variant)
                else { continue }
                let sighash = funding.sighash(tx)
                if !Secp256k1.verify(signature: signature, digest: sighash, point: key) {
                    return Verdict(
                        outcome: .violation(
                            "the \(variant) signature does not verify for its closing transaction (txid \(short(Hex.encode(tx.txid.reversed()))), \(tx.outputs.count) output\(tx.outputs.count == 1 ? "" : "s")) with the sender's funding_pubkey",
                            crossing: false),
                        evidence: evidence(tx, sighash: sighash, key: key))
                }
            }
            return .passed
        }
    }

    /// The rebuilt closing transaction a signature was checked against.
    static func evidence(_ tx: Transaction, sighash: [UInt8], key: [UInt8]) -> Evidence {
        var e = Evidence()
        e.add("txid", .text(Hex.encode(tx.txid.reversed())))
        e.add("transaction", .hex(tx.serialized))
        e.add("sighash", .hex(sighash))
        e.add("funding_pubkey", .hex(key))
        e.add("outputs", .list(tx.outputs.map { "\($0.value) sat to \(Hex.encode($0.script))" }))
        return e
    }

    static let completeSignatures = Rule(
        RuleInfo(
            "cc-sig-valid", "closing_complete signatures verify", section: "\(simpleSection); BOLT #3 §\"Closing Transaction\"",
            severity: .error,
            spec:
                "The sender of `closing_complete`: MUST generate its closing transaction as specified in BOLT #3. MUST set `signature` fields as valid signature using its `funding_pubkey` of: `closer_output_only`: closing transaction with only the local (\"closer\") output. `closee_output_only`: closing transaction with only the remote (\"closee\") output. `closer_and_closee_outputs`: closing transaction with both the closer and closee outputs. The receiver: if the signature field is not valid for the corresponding closing transaction, or non-compliant with LOW-S-standard rule: MUST either send a `warning` and close the connection, or send an `error` and fail the channel.",
            explanation:
                "lntrace rebuilds each variant (version 2, the message's locktime, the funding output spent with sequence 0xFFFFFFFD, the closer's balance minus the fee and the closee's balance, rounded down, `OP_RETURN` outputs at 0, ordered by value then script) and verifies its signature with the closer's funding_pubkey (libsecp256k1, which rejects high-S).",
            example: "→ closing_complete fee_satoshis=1000 closer_and_closee_outputs=(signed with fee 900)"),
        on: [.closingComplete], offloads: true
    ) { c in
        guard c.needTLVs(), let close = simpleClose(&c, closer: c.sender) else { return }
        verifySimple(&c, close, records: signatures(c.typed), signer: c.sender)
    }

    static let sigSignature = Rule(
        RuleInfo(
            "cs-sig-valid", "closing_sig's signature verifies", section: "\(simpleSection); BOLT #3 §\"Closing Transaction\"",
            severity: .error,
            spec:
                "The closee: MUST send `closing_sig` with a single valid signature in the same TLV field as the `closing_complete`. The receiver of `closing_sig`: if the signature field is not valid for the corresponding closing transaction specified in BOLT #3: MUST either send a `warning` and close the connection, or send an `error` and fail the channel.",
            explanation:
                "The closee signs the closer's transaction (the scripts, fee and locktime it repeats) in the variant it chose; lntrace rebuilds that transaction and verifies the signature with the closee's funding_pubkey.",
            example: "← closing_sig closer_and_closee_outputs=(over another fee)"),
        on: [.closingSig], offloads: true
    ) { c in
        guard c.needTLVs(), let close = simpleClose(&c, closer: c.peer) else { return }
        verifySimple(&c, close, records: signatures(c.typed), signer: c.sender)
    }

    /// What a `closing_signed` signs, as far as the trace gives it.
    struct LegacyClose {
        var funding: ClosingTransaction.Funding
        var scripts: PerSide<[UInt8]>
        var balancesMsat: PerSide<UInt64>
        var opener: Side
        var fee: UInt64
        var dustLimits: PerSide<UInt64?>
        var signer: Side
        var signature: [UInt8]

        /// The transactions the signer may have signed: outputs below the signer's (or the
        /// receiver's) dust limit removed, each with or without the signer's own output.
        var candidates: [Transaction] {
            var amounts = balancesMsat.map { $0 / 1000 }
            amounts[opener] -= fee
            var variants: [PerSide<Bool>] = []
            for limit in [dustLimits[signer], dustLimits[signer.other]] {
                func keeps(_ side: Side) -> Bool { amounts[side] >= (limit ?? 0) && amounts[side] > 0 }
                let kept = PerSide<Bool>(keeps(.first), keeps(.second))
                var withoutOwn = kept
                withoutOwn[signer] = false
                for v in [kept, withoutOwn]
                where v.contains(where: { $0 }) && !variants.contains(where: { $0.first == v.first && $0.second == v.second }) {
                    variants.append(v)
                }
            }
            return variants.compactMap {
                ClosingTransaction.legacy(funding: funding, scripts: scripts, balancesMsat: balancesMsat, opener: opener, fee: fee, include: $0)
            }
        }

        /// The candidate the signature verifies for.
        var signed: Transaction? {
            candidates.first { Secp256k1.verify(signature: signature, digest: funding.sighash($0), point: funding.pubkeys[signer]) }
        }
    }

    static func legacyClose(_ c: inout Check) -> LegacyClose? {
        guard let ch = c.channel else {
            c.notEvaluated("the message's channel is not known")
            return nil
        }
        let balances: PerSide<UInt64>
        let funding: ClosingTransaction.Funding
        do throws(MissingEvidence) {
            balances = try ch.finalBalances()
            funding = try ch.closingFunding()
        } catch {
            c.notEvaluated(error.reason)
            return nil
        }
        guard let opener = ch.opener else {
            c.notEvaluated("the channel's opener is not known")
            return nil
        }
        guard let first = ch.shutdownScript.first, let second = ch.shutdownScript.second else {
            c.notEvaluated("both `shutdown` scripts are not in the trace")
            return nil
        }
        guard let fee = c.need(\.feeSatoshis), let signature = c.needBytes(\.signature) else { return nil }
        guard fee <= balances[opener] / 1000 else {
            c.notEvaluated("fee_satoshis is more than the opener's final balance")
            return nil
        }
        return LegacyClose(
            funding: funding, scripts: PerSide(first, second), balancesMsat: balances, opener: opener, fee: fee,
            dustLimits: ch.params.map(\.dustLimit), signer: c.sender, signature: signature)
    }

    static let legacySignature = Rule(
        RuleInfo(
            "lcs-sig-valid", "closing_signed's signature verifies", section: "\(legacySection); BOLT #3 §\"Legacy Closing Transaction\"",
            severity: .error,
            spec:
                "The sending node: MUST set `signature` to the Bitcoin signature of the close transaction, as specified in BOLT #3. The receiving node: if the `signature` is not valid for either variant of closing transaction specified in BOLT #3 OR non-compliant with LOW-S-standard rule: MUST send a `warning` and close the connection, or send an `error` and fail the channel. (BOLT #3: each node offering a signature MUST round each output down to whole satoshis, MUST subtract `fee_satoshis` from the output to the funder, MUST remove any output below its own `dust_limit_satoshis`, MAY eliminate its own output.)",
            explanation:
                "lntrace rebuilds the legacy closing transaction (version 2, locktime 0, sequence 0xFFFFFFFF, each side's final balance to its `shutdown` script, the fee from the opener's output, ordered by value then script) in the variants a signer may choose (outputs below either node's dust limit removed, or the signer's own output left out) and verifies the signature with the sender's funding_pubkey.",
            example: "→ closing_signed fee_satoshis=1000 signature=(over a transaction with fee 800)"),
        on: [.closingSigned], offloads: true
    ) { c in
        guard let close = legacyClose(&c) else { return }
        c.offload {
            let candidates = close.candidates
            guard let tx = candidates.first else { return .passed }
            if close.signed != nil { return .passed }
            return Verdict(
                outcome: .violation(
                    "the signature does not verify for the closing transaction with fee \(close.fee) sat (txid \(short(Hex.encode(tx.txid.reversed()))), or any variant without a dust or the signer's own output) with the sender's funding_pubkey",
                    crossing: false),
                evidence: evidence(tx, sighash: close.funding.sighash(tx), key: close.funding.pubkeys[close.signer]))
        }
    }

    static let legacyDust = Rule(
        RuleInfo(
            "lcs-dust", "a legacy closing transaction has no dust output", section: "\(legacySection); BOLT #3 §\"Dust Limits\"",
            severity: .error,
            spec:
                "The receiving node: if one of the outputs in the closing transaction is below the dust limit for its `scriptpubkey` (see BOLT 3): MUST fail the channel. (Dust limits: p2pkh 546, p2sh 540, p2wpkh 294, p2wsh 330, p2a 240, unknown segwit versions 354 satoshis; `OP_RETURN` outputs are never dust.)",
            explanation:
                "A `dust_limit_satoshis` as low as 354 still lets a p2pkh or p2sh output below Bitcoin Core's threshold into the closing transaction, which then does not relay. lntrace finds the variant the signature verifies for and checks each of its outputs against the threshold of its script.",
            example:
                "(accept_channel dust_limit_satoshis=354; bob's shutdown script is p2pkh, his balance 400 sat) ← closing_signed (signed with his 400 sat output)"
        ),
        on: [.closingSigned], offloads: true
    ) { c in
        guard let close = legacyClose(&c) else { return }
        c.offload {
            guard let tx = close.signed else {
                return Verdict(outcome: .notEvaluated("the signature verifies for no variant (lcs-sig-valid)"), evidence: nil)
            }
            for output in tx.outputs where output.value < ClosingTransaction.dustThreshold(output.script) {
                return Verdict(
                    outcome: .violation(
                        "the signed closing transaction pays \(output.value) sat to \(short(Hex.encode(output.script))), below its dust threshold of \(ClosingTransaction.dustThreshold(output.script)) sat: the receiver must fail the channel",
                        crossing: false),
                    evidence: evidence(tx, sighash: close.funding.sighash(tx), key: close.funding.pubkeys[close.signer]))
            }
            return .passed
        }
    }
}
