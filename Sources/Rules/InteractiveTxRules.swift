import Basics
import Transactions
import Wire

/// BOLT #2 §"Interactive Transaction Construction": the turn-based protocol behind v2
/// opening, RBF and splicing.
enum InteractiveTxRules {
    static let all: [Rule] = [
        start, turn, end, serialParity, serialUnique, removeOwn, sequence, signaturesAfterCommit, abortAfterSignatures,
        abortEcho, rbfResponse, v2TemporaryID, v2CommitZeroHTLCs, v2RBFBeforeReady, v2ChannelID, noEcho, duplicateInput,
        previousTransaction, outputAmount, signaturesCount, signaturesOrder, spliceSignaturesOrder, signaturesTxid, rbfFeerate, completeLimits,
        signaturesWitness, signaturesReply, v2FundingOutput, maxMessages, v2Sequence, commitExchange,
        sharedInput, rbfDoubleSpend, rbfContribution, rbfAccepterInitiator, completeBalance, completeFeerate, rbfFees,
    ]

    static let section = "BOLT #2 §\"Interactive Transaction Construction\""

    static func session(_ c: inout Check) -> ChannelModel.InteractiveTx? {
        guard let session = c.channel?.itx, !session.aborted else {
            c.notEvaluated("no interactive-tx session of the channel is in the trace")
            return nil
        }
        return session
    }

    static let start = Rule(
        RuleInfo(
            "itx-start", "the initiator starts with tx_add_input", section: "\(section) §Overview",
            severity: .error,
            spec: "The *initiator* initiates the interactive transaction construction protocol with `tx_add_input`.",
            explanation: "The first move of a session (after `accept_channel2`, `tx_ack_rbf` or `splice_ack`) is the initiator's `tx_add_input`.",
            example: "→ open_channel2, ← accept_channel2, ← tx_add_output"),
        on: interactiveTxMoves
    ) { c in
        guard let session = session(&c), session.moves == 0 else { return }
        if c.sender != session.initiator {
            c.violation("the \(session.kind.rawValue) session starts with `\(c.name)` from the non-initiator")
        } else if c.kind != .txAddInput {
            c.violation("the \(session.kind.rawValue) session starts with `\(c.name)`, not `tx_add_input`")
        }
    }

    static let turn = Rule(
        RuleInfo(
            "itx-turn", "interactive-tx moves alternate", section: "\(section) §Overview",
            severity: .error,
            spec: "This protocol is a synchronous exchange of interactive transaction protocol messages … This is a turn-based protocol.",
            explanation:
                "After a node sends `tx_add_input`, `tx_add_output`, `tx_remove_input`, `tx_remove_output` or `tx_complete`, it sends no other such message before receiving one from the peer.",
            example: "→ tx_add_input, → tx_add_output (before any ← tx_*)"),
        on: interactiveTxMoves
    ) { c in
        guard let session = session(&c), !session.constructed else { return }
        if session.lastMover == c.sender { c.violation("`\(c.name)` although the sender made the last move and the peer has not answered") }
    }

    static let end = Rule(
        RuleInfo(
            "itx-end", "no moves after both tx_complete", section: "\(section) §\"The tx_complete Message\"",
            severity: .error,
            spec:
                "The nodes … until both nodes have sent and received a consecutive `tx_complete`. (After that, the transaction is final: no `tx_add_*` or `tx_remove_*`.)",
            explanation:
                "Consecutive `tx_complete` from both sides end construction; any later move for the session changes a transaction both sides have started to sign.",
            example: "→ tx_complete, ← tx_complete, → tx_add_output"),
        on: interactiveTxMoves
    ) { c in
        guard let session = session(&c) else { return }
        if session.constructed { c.violation("`\(c.name)` after both sides sent consecutive `tx_complete`") }
    }

    static let serialParity = Rule(
        RuleInfo(
            "itx-serial-parity", "serial_id parity follows the role",
            section: "\(section) §\"The tx_add_input Message\", §\"The tx_add_output Message\"",
            severity: .error,
            spec: "The sending node: if is the *initiator*: MUST send even `serial_id`s; if is the *non-initiator*: MUST send odd `serial_id`s.",
            explanation: "Parity keeps the two sides' serial ids apart; note that whoever sends `tx_init_rbf` is the initiator of that session.",
            example: "→ open_channel2, ← accept_channel2, → tx_add_input serial_id=1"),
        on: [.txAddInput, .txAddOutput]
    ) { c in
        guard let session = session(&c), let serial = c.need(\.serialID) else { return }
        let initiator = c.sender == session.initiator
        if initiator && serial % 2 != 0 { c.violation("serial_id \(serial) is odd but the sender is the initiator") }
        if !initiator && serial % 2 == 0 { c.violation("serial_id \(serial) is even but the sender is the non-initiator") }
    }

    static let sequence = Rule(
        RuleInfo(
            "itx-sequence", "input sequence at most 0xFFFFFFFD", section: "\(section) §\"The tx_add_input Message\"",
            severity: .error,
            spec: "The sending node: MUST set `sequence` to be less than or equal to 4294967293 (`0xFFFFFFFD`).",
            explanation: "The transaction must signal replaceability so that RBF works.",
            example: "→ tx_add_input sequence=4294967295"),
        on: [.txAddInput]
    ) { c in
        guard let value = c.need(\.sequence) else { return }
        if value > 0xFFFF_FFFD { c.violation("sequence 0x\(String(value, radix: 16)) is above 0xfffffffd") }
    }

    static let signaturesAfterCommit = Rule(
        RuleInfo(
            "itx-sigs-after-commit", "tx_signatures only after the peer's commitment_signed",
            section: "BOLT #2 §\"Sharing funding signatures: tx_signatures\" Requirements",
            severity: .error,
            spec: "A sending node: if it has NOT received a valid `commitment_signed` message: MUST NOT send a `tx_signatures` message.",
            explanation:
                "Signing the funding (or splice) transaction before holding a signed commitment that spends it would let the peer hold the funds hostage.",
            example: "→ tx_complete, ← tx_complete, → tx_signatures (before ← commitment_signed)"),
        on: [.txSignatures]
    ) { c in
        guard let session = session(&c) else { return }
        if !session.constructed { return c.violation("`tx_signatures` before both sides sent consecutive `tx_complete`") }
        if !session.commitmentSignedSent[c.peer] { c.violation("`tx_signatures` before the peer's `commitment_signed` arrived") }
    }

    static let abortAfterSignatures = Rule(
        RuleInfo(
            "itx-abort-after-sigs", "no tx_abort after own tx_signatures", section: "BOLT #2 §\"The tx_abort Message\" Requirements",
            severity: .error,
            spec: "A sending node: MUST NOT have already transmitted `tx_signatures`.",
            explanation: "Once a node has sent its signatures the peer can broadcast the transaction; aborting no longer undoes it.",
            example: "→ tx_signatures, → tx_abort"),
        on: [.txAbort]
    ) { c in
        guard let session = c.channel?.itx else { return }
        if session.signaturesSent[c.sender] { c.violation("`tx_abort` after the sender's own `tx_signatures`") }
    }

    /// The session's inputs or outputs by `serial_id`; `nil`, and not evaluated, past the
    /// bound the model keeps.
    static func serials(_ session: ChannelModel.InteractiveTx, input: Bool, _ c: inout Check) -> [UInt64: ChannelModel.Side]? {
        guard let serials = input ? session.inputs : session.outputs else {
            c.notEvaluated("the session has more than \(ChannelModel.InteractiveTx.maximumSerials) inputs or outputs")
            return nil
        }
        return serials
    }

    static let serialUnique = Rule(
        RuleInfo(
            "itx-serial-unique", "serial_id unique in the transaction",
            section: "\(section) §\"The tx_add_input Message\", §\"The tx_add_output Message\"",
            severity: .error,
            spec:
                "The sending node: MUST use a unique `serial_id` for each input currently added to the transaction. (And for each output.) The receiving node: MUST fail the negotiation if: the `serial_id` is already included in the transaction.",
            explanation:
                "A serial id names one input (or one output) for the whole session, until it is removed; a second one with the same id is ambiguous.",
            example: "→ tx_add_input serial_id=0, ← tx_complete, → tx_add_input serial_id=0"),
        on: [.txAddInput, .txAddOutput]
    ) { c in
        guard let session = session(&c), let serial = c.need(\.serialID) else { return }
        let input = c.kind == .txAddInput
        guard let serials = serials(session, input: input, &c) else { return }
        if serials[serial] != nil { c.violation("serial_id \(serial) is already an \(input ? "input" : "output") of the transaction") }
    }

    static let removeOwn = Rule(
        RuleInfo(
            "itx-remove-own", "remove only what the sender added",
            section: "\(section) §\"The tx_remove_input and tx_remove_output Messages\"",
            severity: .error,
            spec:
                "The sending node: MUST NOT send a `tx_remove` with a `serial_id` it did not add to the transaction or has already been removed. The receiving node: MUST fail the negotiation if: the input or output identified by the `serial_id` was not added by the sender, or was already removed.",
            explanation: "Each side removes only its own contributions, and each of them once.",
            example: "← tx_add_input serial_id=1, → tx_remove_input serial_id=1"),
        on: [.txRemoveInput, .txRemoveOutput]
    ) { c in
        guard let session = session(&c), let serial = c.need(\.serialID) else { return }
        let input = c.kind == .txRemoveInput
        guard let serials = serials(session, input: input, &c) else { return }
        let what = input ? "input" : "output"
        switch serials[serial] {
        case nil: c.violation("no \(what) with serial_id \(serial) is in the transaction (never added, or removed already)")
        case let adder? where adder != c.sender: c.violation("the \(what) with serial_id \(serial) was added by the peer")
        default: break
        }
    }

    static let v2CommitZeroHTLCs = Rule(
        RuleInfo(
            "v2-commit-zero-htlcs", "the opening's commitment has no HTLC",
            section: "BOLT #2 §\"Channel Establishment v2\" §\"The commitment_signed Message\"",
            severity: .error,
            spec:
                "The sending node: MUST send zero HTLCs. The receiving node: if the message has one or more HTLCs: MUST fail the negotiation.",
            explanation: "The first commitment of a dual-funded channel holds only the two balances: no HTLC can exist before the channel does.",
            example: "← tx_complete, → commitment_signed num_htlcs=1"),
        on: [.commitmentSigned]
    ) { c in
        guard let ch = c.channel, let session = ch.itx, session.kind == .open, ch.isInitialSigning(c.sender) else { return }
        guard let count = c.typed.numHTLCs.map(Int.init) ?? c.typed.htlcSignature?.count else { return c.notGiven(\.numHTLCs) }
        if count > 0 { c.violation("the v2 opening's `commitment_signed` carries \(count) HTLC signature\(count == 1 ? "" : "s")") }
    }

    static let v2RBFBeforeReady = Rule(
        RuleInfo(
            "v2-rbf-before-ready", "no opening RBF after channel_ready",
            section: "BOLT #2 §\"Channel Establishment v2\" §\"Fee bumping: tx_init_rbf and tx_ack_rbf\"",
            severity: .error,
            spec:
                "The sender of `tx_init_rbf`: MUST NOT have sent or received a `channel_ready` message. The recipient: MUST fail the negotiation if they have already sent or received `channel_ready`.",
            explanation:
                "Once `channel_ready` is exchanged the funding transaction is the one in use: a dual-funded opening can no longer be fee-bumped. A splice is bumped with `tx_init_rbf` too, but only under quiescence, which tells the two apart.",
            example: "→ channel_ready, → tx_init_rbf", vantageDependent: true),
        on: [.txInitRBF]
    ) { c in
        guard let ch = c.channel else { return c.notEvaluated("the message's channel is not known") }
        // A splice's RBF, which comes after channel_ready, is judged by spl-rbf.
        guard !ch.spliced, !(ch.stfuSent[c.sender] && ch.stfuSent[c.peer]) else { return }
        if ch.readySent[c.sender] {
            c.violation("`tx_init_rbf` after the sender's `channel_ready`")
        } else if ch.readySent[c.peer] {
            c.crossingViolation("`tx_init_rbf` after the peer's `channel_ready`")
        }
    }

    static let abortEcho = Rule(
        RuleInfo(
            "itx-abort-echo", "tx_abort is echoed, not answered", section: "\(section) §\"The tx_abort Message\"",
            severity: .error,
            spec:
                "A receiving node: if they have not sent `tx_signatures`: SHOULD forget the current negotiation and reset their state. If they have not sent `tx_abort`: MUST echo back `tx_abort`.",
            explanation:
                "After the peer's `tx_abort` the session is over: the next message about it is the echoed `tx_abort`; a node that goes on negotiating (a move, `tx_signatures`, a new `tx_init_rbf`) before echoing has not answered it. A message that crossed the abort on the wire is certain only when the trace was recorded at its sender.",
            example: "← tx_abort, → tx_add_output", vantageDependent: true),
        on: interactiveTxMoves.union([.txSignatures, .txInitRBF, .txAckRBF])
    ) { c in
        guard let session = c.channel?.itx, session.aborted else { return }
        if session.abortSent[c.peer] && !session.abortSent[c.sender] {
            c.crossingViolation("`\(c.name)` after the peer's `tx_abort`, which was not echoed")
        }
    }

    static let rbfResponse = Rule(
        RuleInfo(
            "itx-rbf-response", "tx_init_rbf answered by tx_ack_rbf or tx_abort", section: "\(section) §\"The tx_init_rbf Message\"",
            severity: .error,
            spec: "The recipient: MUST respond either with `tx_abort` or with `tx_ack_rbf`.",
            explanation:
                "The node asked to fee-bump either accepts (`tx_ack_rbf`, then the initiator's first move) or refuses (`tx_abort`); anything else from it leaves the request unanswered.",
            example: "→ tx_init_rbf, ← tx_add_input"),
        on: interactiveTxMoves.union([.txSignatures, .txInitRBF])
    ) { c in
        guard let session = c.channel?.itx, session.kind == .rbf, session.awaitingAnswer else { return }
        if c.sender != session.initiator { c.violation("`\(c.name)` in answer to `tx_init_rbf`, not `tx_ack_rbf` or `tx_abort`") }
    }

    static let v2ChannelID = Rule(
        RuleInfo(
            "v2-channel-id", "the v2 channel_id after accept_channel2",
            section: "BOLT #2 §\"Channel Establishment v2\"; §\"Definition of channel_id\"",
            severity: .error,
            spec:
                "For channels established using the v2 protocol, the `channel_id` is the `SHA256(lesser-revocation-basepoint || greater-revocation-basepoint)`, where the lesser and greater is based off the order of the basepoint.",
            explanation:
                "Once `accept_channel2` has given both revocation basepoints, the channel is named by their hash: the interactive-transaction messages that follow no longer use the temporary id (an `error` or `warning` may).",
            example: "← accept_channel2, → tx_add_input channel_id=<the temporary id>"),
        on: everyMessage.subtracting([.openChannel2, .acceptChannel2, .error, .warning])
    ) { c in
        guard let ch = c.channel, ch.dualFunded, ch.acceptSeen, let temporary = ch.temporaryID, let id = ch.channelID, id != temporary else { return }
        if c.typed.channelID == temporary {
            c.violation("`\(c.name)` names the channel by its temporary id \(short(temporary.hex)), not \(short(id.hex))")
        }
    }

    static let v2TemporaryID = Rule(
        RuleInfo(
            "v2-temp-id", "the v2 temporary id from a zeroed basepoint",
            section: "BOLT #2 §\"Definition of channel_id\" §\"channel_id, v2\"",
            severity: .error,
            spec:
                "When sending `open_channel2`, the peer's revocation basepoint is unknown. A `temporary_channel_id` must be computed by using a zeroed out basepoint for the non-initiator.",
            explanation:
                "The temporary id is the v2 channel_id, SHA256(lesser-revocation-basepoint || greater-revocation-basepoint), with 33 zero bytes for the accepter's basepoint (they sort first): SHA256(33 zero bytes || the opener's revocation_basepoint).",
            example: "→ open_channel2 temporary_channel_id=<random>"),
        on: [.openChannel2]
    ) { c in
        guard let temporary = c.needBytes(\.temporaryChannelID), let basepoint = c.needBytes(\.revocationBasepoint) else { return }
        let expected = sha256([UInt8](repeating: 0, count: 33) + basepoint)
        if temporary != expected {
            c.violation(
                "temporary_channel_id \(short(Hex.encode(temporary))) is not SHA256(zero basepoint || revocation_basepoint) = \(short(Hex.encode(expected)))"
            )
        }
    }

    // MARK: Inputs, outputs and the receiver's duty to fail

    static let noEcho = Rule(
        RuleInfo(
            "itx-no-echo", "inputs the peer added are not sent back", section: "\(section) §\"The tx_add_input Message\"",
            severity: .error,
            spec: "The sending node: MUST NOT re-transmit inputs it has received from the peer.",
            explanation:
                "Each side adds its own inputs once; what the peer added is already in the transaction. The input is the output it spends: the txid of `prevtx` (or `shared_input_txid`) and `prevtx_vout`.",
            example: "← tx_add_input prevtx=<tx> prevtx_vout=0, → tx_add_input prevtx=<the same tx> prevtx_vout=0"),
        on: [.txAddInput]
    ) { c in
        guard let session = session(&c), let vout = c.need(\.prevtxVout), let prevtx = c.needBytes(\.prevtx) else { return }
        let txid = prevtx.isEmpty ? c.typed.sharedInputTxidRecord?.bytes : Hash.sha256d(prevtx)
        guard let txid else { return c.notGiven(\TypedMessage.sharedInputTxidRecord) }
        let outpoint = ChannelModel.Outpoint(txid: txid, vout: UInt32(truncatingIfNeeded: vout), shared: prevtx.isEmpty)
        if let earlier = session.spenders[outpoint], session.inputs?[earlier] == c.peer {
            c.violation("the input spends \(short(Hex.encode(txid.reversed()))):\(vout), which the peer added as serial_id \(earlier)")
        }
    }

    /// The moves that continue a negotiation (rather than fail it with `tx_abort`). The
    /// receiver of a move answers with a move of its own, so its `commitment_signed` never
    /// comes first.
    static let continuing = interactiveTxMoves.union([.txSignatures])

    /// Judges a side's next message in the session after a move it had to fail the
    /// negotiation for: anything but `tx_abort` (or `error`) goes on with it.
    static func mustHaveFailed(_ c: inout Check, _ reason: (ChannelModel.Failure) -> String?) {
        guard let session = c.channel?.itx, !session.aborted, let failure = session.mustFail[c.sender], let reason = reason(failure) else { return }
        c.violation("`\(c.name)` goes on with the negotiation after \(reason), which must fail it (`tx_abort`)")
    }

    static let duplicateInput = Rule(
        RuleInfo(
            "itx-dup-input", "a duplicate input fails the negotiation", section: "\(section) §\"The tx_add_input Message\"",
            severity: .error,
            spec:
                "The receiving node: MUST fail the negotiation if: … if `prevtx_len` is not `0`: `prevtx` and `prevtx_vout` are identical to a previously added (and not removed) input.",
            explanation:
                "Two inputs spending one output make the transaction invalid. The receiver of the second answers with `tx_abort`; going on with the negotiation (its next move or `tx_signatures`) is the violation, reported at that message.",
            example: "← tx_add_input prevtx=<tx> prevtx_vout=0 serial_id=0, ← tx_add_input prevtx=<tx> prevtx_vout=0 serial_id=2, → tx_complete"),
        on: continuing
    ) { c in
        mustHaveFailed(&c) { failure in
            guard case let .duplicateInput(serial, earlier) = failure else { return nil }
            return "the peer's input serial_id \(serial), which spends what serial_id \(earlier) spends"
        }
    }

    static let previousTransaction = Rule(
        RuleInfo(
            "itx-prevtx", "an unusable prevtx fails the negotiation", section: "\(section) §\"The tx_add_input Message\"",
            severity: .error,
            spec:
                "The receiving node: MUST fail the negotiation if: … if `prevtx_len` is not `0`: … `prevtx` is not a valid transaction; `prevtx_vout` is greater or equal to the number of outputs on `prevtx`; the `scriptPubKey` of the `prevtx_vout` output of `prevtx` is not exactly a 1-byte push opcode (for the numeric values `0` to `16`) followed by a data push between 2 and 40 bytes.",
            explanation:
                "An input's previous transaction must parse as one transaction (legacy or segwit), have the output it names, and that output must be a witness program, so that the new transaction's id cannot be changed by its signatures. The receiver answers anything else with `tx_abort`; going on is the violation, reported at its next message.",
            example: "← tx_add_input prevtx=<a transaction with 1 output> prevtx_vout=3, → tx_complete"),
        on: continuing
    ) { c in
        mustHaveFailed(&c) { failure in
            guard case let .previousTransaction(serial, problem) = failure else { return nil }
            return "the peer's input serial_id \(serial) (\(problem))"
        }
    }

    static let outputAmount = Rule(
        RuleInfo(
            "itx-output-amount", "an output below dust or above MAX_MONEY fails the negotiation",
            section: "\(section) §\"The tx_add_output Message\"",
            severity: .error,
            spec:
                "The receiving node: MUST fail the negotiation if: … the `sats` amount is less than the `dust_limit`; the `sats` amount is greater than 2,100,000,000,000,000 (`MAX_MONEY`).",
            explanation:
                "The dust limit judged is the receiver's own `dust_limit_satoshis` from the opening (the text does not say whose; an output below it would not relay for the receiver). The receiver answers with `tx_abort`; going on is the violation, reported at its next message.",
            example: "← tx_add_output sats=100 (dust_limit_satoshis 546), → tx_complete"),
        on: continuing
    ) { c in
        mustHaveFailed(&c) { failure in
            guard case let .outputAmount(serial, problem) = failure else { return nil }
            return "the peer's output serial_id \(serial) (\(problem))"
        }
    }

    static let signaturesCount = Rule(
        RuleInfo(
            "itx-sigs-count", "a witness for each input the sender added",
            section: "BOLT #2 §\"Sharing funding signatures: tx_signatures\" Requirements",
            severity: .error,
            spec:
                "The sending node: … `num_witnesses`s MUST equal the number of inputs they added. The receiving node: MUST fail the negotiation if: … the number of `witnesses` does not equal the number of inputs they added.",
            explanation:
                "Each side signs the inputs it added, one witness each. The shared input of a splice is signed by `shared_input_signature`; whether its witness is also counted is not spelled out, so either count is accepted for a side that added it.",
            example: "→ tx_add_input, → tx_add_input, …, → tx_signatures num_witnesses=1"),
        on: [.txSignatures]
    ) { c in
        guard let session = session(&c) else { return }
        guard session.whole else { return c.notEvaluated("the session's start, and so the inputs added to it, are before the trace") }
        guard let witnesses = c.typed.witnesses else { return c.notGiven(\TypedMessage.witnesses) }
        guard let added = session.inputCount(of: c.sender) else {
            return c.notEvaluated("the session has more than \(ChannelModel.InteractiveTx.maximumSerials) inputs or outputs")
        }
        if witnesses.count != added.all && witnesses.count != added.all - added.shared {
            c.violation(
                "\(witnesses.count) witnesses for the \(added.all) inputs the sender added", field: \TypedMessage.witnesses,
                actual: UInt64(witnesses.count), expected: UInt64(added.all))
        }
    }

    static let signaturesOrder = Rule(
        RuleInfo(
            "itx-sigs-order", "the smaller contributor sends tx_signatures first",
            section: "BOLT #2 §\"Sharing funding signatures: tx_signatures\" Requirements; §\"Splicing\"",
            severity: .error,
            spec:
                "The sending node: if it has the lowest total satoshis contributed, as defined by total `tx_add_input` values, or both peers have contributed equal amounts but it has the lowest `node_id` (sorted lexicographically): MUST transmit their `tx_signatures` first. (Splicing: 100% of the previous channel capacity is attributed to the initiator.)",
            explanation:
                "The node that puts in less signs first, so that the one with more at stake holds both signatures before giving its own. An input adds the amount of the output its `prevtx` names; in a splice the previous capacity counts for the initiator. Equal contributions are decided by the node ids, which a trace does not always give: not judged.",
            example: "→ tx_add_input (1,000,000 sat), ← tx_add_input (100,000 sat), …, → tx_signatures (first)"),
        on: [.txSignatures]
    ) { c in
        signaturesFirst(&c, splice: false)
    }

    static let spliceSignaturesOrder = Rule(
        RuleInfo(
            "spl-sigs-order", "in a splice, the smaller contributor signs first counting the old capacity as the initiator's",
            section: "BOLT #2 §\"Channel Splicing\" §\"The commitment_signed Message\"; §\"Sharing funding signatures: tx_signatures\" Requirements",
            severity: .error,
            spec:
                "The `tx_signatures` order follows the interactive-tx rule (the node with the lowest total satoshis contributed transmits first), with 100% of the previous channel capacity attributed to the initiator.",
            explanation:
                "A splice's initiator contributes the whole previous capacity besides its new inputs, so the acceptor signs first unless its own inputs exceed that. Equal contributions are decided by the node ids, which a trace does not always give: not judged.",
            example: "→ splice_init, ← splice_ack, …, → tx_signatures (the initiator first)"),
        on: [.txSignatures]
    ) { c in
        signaturesFirst(&c, splice: true)
    }

    /// Whether the sender of the first `tx_signatures` contributed less (`itx-sigs-order` for
    /// an opening or its RBF, `spl-sigs-order` for a splice).
    static func signaturesFirst(_ c: inout Check, splice: Bool) {
        guard let session = session(&c), (session.kind == .splice) == splice else { return }
        guard !session.signaturesSent[c.peer], !session.signaturesSent[c.sender] else { return }
        guard session.whole, let inputs = session.inputs else {
            return c.notEvaluated("the inputs of the session are not all in the trace")
        }
        var contributed = PerSide<UInt64>(0, 0)
        for (serial, adder) in inputs {
            if let value = session.inputValues[serial] {
                contributed[adder] += value
            } else if session.spends[serial]?.shared != true {
                return c.notEvaluated("the amount of input serial_id \(serial) is not known (its prevtx)")
            }
        }
        if session.kind == .splice {
            guard let capacity = session.capacityBefore else { return c.notEvaluated("the capacity before the splice is not known") }
            contributed[session.initiator] += capacity
        }
        let (mine, theirs) = (contributed[c.sender], contributed[c.peer])
        if mine == theirs { return c.notEvaluated("both contributed \(mine) sat: the lower node_id signs first") }
        if mine > theirs {
            c.violation("the sender contributed \(mine) sat and the peer \(theirs) sat: the peer signs first")
        }
    }

    static let signaturesTxid = Rule(
        RuleInfo(
            "itx-sigs-txid", "tx_signatures names the constructed transaction",
            section: "BOLT #2 §\"Sharing funding signatures: tx_signatures\" Requirements",
            severity: .error,
            spec:
                "The receiving node: MUST fail the negotiation if: … the `txid` does not match the txid of the transaction. (The transaction: version 2; `locktime` from `open_channel2`, `splice_init` or `tx_init_rbf`; inputs sorted by `serial_id`, with an empty scriptSig and their `sequence`; outputs sorted by `serial_id`.)",
            explanation:
                "Both nodes build the same transaction from the moves of the session, so both name the same txid (the double SHA-256 of its serialization without witnesses, in internal byte order, as on the wire). A different one means a node missed or reordered a move, or signs another transaction.",
            example: "→ tx_add_input …, ← tx_add_output …, …, → tx_signatures txid=<another transaction's>"),
        on: [.txSignatures]
    ) { c in
        guard let session = session(&c) else { return }
        guard let txid = c.typed.txid else { return c.notGiven(\TypedMessage.txid) }
        guard session.whole, session.constructed, let built = session.built else {
            return c.notEvaluated("the session's locktime, inputs or outputs are not all in the trace")
        }
        let expected = built.txid
        if txid.bytes != expected {
            c.violation(
                "txid \(short(Hex.encode(txid.bytes.reversed()))) is not the constructed transaction's \(short(Hex.encode(expected.reversed()))) (\(built.inputs.count) inputs, \(built.outputs.count) outputs)"
            )
        }
    }

    static let rbfFeerate = Rule(
        RuleInfo(
            "itx-rbf-feerate", "an RBF pays at least 25/24 of the last feerate", section: "\(section) §\"The tx_init_rbf Message\"",
            severity: .error,
            spec:
                "The sender: MUST set `feerate` greater than or equal to 25/24 times the `feerate` of the previously constructed transaction, rounded down. The recipient: MUST respond with `tx_abort` if: the `feerate` is not greater than or equal to 25/24 times `feerate` of the last successfully constructed transaction.",
            explanation:
                "A replacement must pay enough more to relay (BIP 125). The previous feerate is that of the last construction that completed: `open_channel2`'s or `splice_init`'s `funding_feerate_perkw`, or an earlier `tx_init_rbf`'s `feerate`.",
            example: "(open_channel2 funding_feerate_perkw=520) → tx_init_rbf feerate=530 (at least 541)"),
        on: [.txInitRBF]
    ) { c in
        guard let ch = c.channel else { return c.notEvaluated("the message's channel is not known") }
        guard let previous = ch.constructedFeerate else {
            return c.notEvaluated("the feerate of the previously constructed transaction is not in the trace")
        }
        guard let feerate = c.need(\.feerate) else { return }
        let minimum = UInt64(previous) * 25 / 24
        if feerate < minimum {
            c.violation(
                "feerate \(feerate) is below 25/24 of the previous transaction's \(previous)", field: \TypedMessage.feerate, actual: feerate,
                minimum: minimum)
        }
    }

    static let completeLimits = Rule(
        RuleInfo(
            "itx-complete-limits", "a completed transaction within the standard limits", section: "\(section) §\"The tx_complete Message\"",
            severity: .error,
            spec:
                "The receiving node: MUST fail the negotiation if: … there are more than 252 inputs; there are more than 252 outputs; the estimated weight of the tx is greater than 400,000 (`MAX_STANDARD_TX_WEIGHT`).",
            explanation:
                "A node that answers a `tx_complete` with its own `tx_complete` agrees to the transaction; one over the limits would not relay, so it must fail the negotiation instead. The weight lntrace uses is a lower bound: four times the size without witnesses.",
            example: "… (253 inputs), ← tx_complete, → tx_complete"),
        on: [.txComplete]
    ) { c in
        guard let session = session(&c) else { return }
        guard session.completes(with: c.sender) else { return }
        guard session.whole, let inputs = session.inputs, let outputs = session.outputs else {
            return c.notEvaluated("the session's inputs and outputs are not all in the trace")
        }
        var problems: [String] = []
        if inputs.count > 252 { problems.append("\(inputs.count) inputs (more than 252)") }
        if outputs.count > 252 { problems.append("\(outputs.count) outputs (more than 252)") }
        if let built = session.built {
            let weight = built.transaction.serialized.count * 4
            if weight > 400_000 { problems.append("a weight of at least \(weight) (more than 400,000)") }
        }
        if !problems.isEmpty {
            c.violation("the construction completes with \(problems.joined(separator: " and ")): the peer's `tx_complete` must be failed")
        }
    }

    static let signaturesWitness = Rule(
        RuleInfo(
            "itx-sigs-witness", "tx_signatures witnesses are stacks signed with SIGHASH_ALL",
            section: "BOLT #2 §\"Sharing funding signatures: tx_signatures\" Requirements", severity: .error,
            spec:
                "The sending node: MUST use the `SIGHASH_ALL` (0x01) flag on each signature. The receiving node: MUST fail the negotiation if: the message contains an empty `witness`; … a signature uses a flag that is not `SIGHASH_ALL` (0x01). (`witness_data` is encoded as per bitcoin's wire protocol: a CompactSize number of elements, each a CompactSize length and that many bytes.)",
            explanation:
                "Each witness must be a stack of at least one element. A DER signature (BIP 66 form) ends with its sighash flag, which must be 0x01; a lone 65-byte element is a Schnorr key-path signature whose last byte is its flag. Other elements (keys, scripts) are not judged.",
            example: "→ tx_signatures witnesses=[<DER signature>83 <key>] (SIGHASH_ALL|ANYONECANPAY)"),
        on: [.txSignatures]
    ) { c in
        guard let witnesses = c.typed.witnesses else { return c.notGiven(\TypedMessage.witnesses) }
        for (index, witness) in witnesses.enumerated() {
            guard let stack = witnessStack(witness.witnessData) else {
                return c.violation("witness \(index) is not a stack of CompactSize-prefixed elements")
            }
            if stack.isEmpty || stack.allSatisfy(\.isEmpty) { return c.violation("witness \(index) is empty") }
            for element in stack {
                let flag: UInt8?
                if isDERSignature(element) {
                    flag = element.last
                } else if stack.count == 1, element.count == 65 {
                    flag = element.last
                } else {
                    flag = nil
                }
                if let flag, flag != 0x01 {
                    return c.violation("witness \(index) has a signature with sighash flag 0x\(Hex.encode([flag])), not SIGHASH_ALL (0x01)")
                }
            }
        }
    }

    /// A witness stack as bitcoin's wire protocol encodes it; `nil` if the bytes are not one.
    static func witnessStack(_ data: [UInt8]) -> [[UInt8]]? {
        var offset = 0
        func compactSize() -> Int? {
            guard offset < data.count else { return nil }
            let first = data[offset]
            offset += 1
            let width = first == 0xfd ? 2 : first == 0xfe ? 4 : first == 0xff ? 8 : 0
            if width == 0 { return Int(first) }
            guard data.count - offset >= width else { return nil }
            var value: UInt64 = 0
            for i in 0..<width { value |= UInt64(data[offset + i]) << (8 * UInt64(i)) }
            offset += width
            return value <= UInt64(data.count) ? Int(value) : nil
        }
        guard let count = compactSize() else { return nil }
        var stack: [[UInt8]] = []
        for _ in 0..<count {
            guard let length = compactSize(), data.count - offset >= length else { return nil }
            stack.append(Array(data[offset..<offset + length]))
            offset += length
        }
        return offset == data.count ? stack : nil
    }

    /// Whether `element` is a DER signature followed by a sighash byte (BIP 66's form:
    /// `30 len 02 rlen r 02 slen s flag`).
    static func isDERSignature(_ element: [UInt8]) -> Bool {
        let n = element.count
        guard n >= 9, n <= 73, element[0] == 0x30, Int(element[1]) == n - 3, element[2] == 0x02 else { return false }
        let rLength = Int(element[3])
        guard rLength > 0, 5 + rLength < n, element[4 + rLength] == 0x02 else { return false }
        let sLength = Int(element[5 + rLength])
        return sLength > 0 && 6 + rLength + sLength == n - 1
    }

    /// What a side may send after the peer's `tx_signatures` while its own are still due:
    /// its own, its session's `commitment_signed`, a `tx_abort` or an `error`/`warning` failing
    /// the session, or a `channel_reestablish` on a new connection.
    static let beforeOwnSignatures: Set<MessageKind> = ConnectionRules.channelProgress.union([
        .channelReady, .stfu, .spliceLocked, .txInitRBF, .txAckRBF, .announcementSignatures, .updateFee,
    ]).subtracting([.txSignatures, .commitmentSigned])

    static let signaturesReply = Rule(
        RuleInfo(
            "itx-sigs-reply", "tx_signatures is answered with tx_signatures",
            section: "BOLT #2 §\"Sharing funding signatures: tx_signatures\" Requirements", severity: .error,
            spec: "The receiving node: … MUST reply with their `tx_signatures` if not already transmitted.",
            explanation:
                "Once the peer signed the constructed transaction, the other side's next move in the channel is its own `tx_signatures` (or failing the session). Going on with the channel first leaves the transaction without its witnesses.",
            example: "← tx_signatures, → channel_ready (no tx_signatures of its own)"),
        on: beforeOwnSignatures
    ) { c in
        // Fields read through the model: this runs on every channel message.
        guard c.channel?.itx?.aborted == false, c.channel?.itx?.constructed == true else { return }
        guard c.channel?.itx?.signaturesSent[c.peer] == true, c.channel?.itx?.signaturesSent[c.sender] == false else { return }
        // A transaction the trace knows only from a `next_funding`: whether the sender signed
        // it before the trace began is not known.
        guard c.channel?.itx?.whole == true else { return c.notEvaluated("the transaction's signing began before the trace") }
        c.violation(
            "`\(c.name)` before the sender's own `tx_signatures`, which the peer's `tx_signatures` asked for (\(c.channel?.itx?.kind.rawValue ?? ""))"
        )
    }

    static let v2FundingOutput = Rule(
        RuleInfo(
            "v2-funding-output", "a v2 opening builds the channel's funding output",
            section: "BOLT #2 §\"Channel Establishment v2\" §\"Funding Composition\"; \(section) §\"The tx_complete Message\"",
            severity: .error,
            spec:
                "The opener: MUST send at least one `tx_add_output`, which contains the channel's funding output. The accepter, upon receiving consecutive `tx_complete`s: MUST fail the negotiation if: no funding output was received; the value of the funding output is not equal to the sum of `open_channel2`.`funding_satoshis` and `accept_channel2`.`funding_satoshis`; the value of the funding output is less than the `dust_limit`. (The funding output pays P2WSH of `2 <pubkey1> <pubkey2> 2 OP_CHECKMULTISIG`, the two `funding_pubkey`s in lexicographic order.)",
            explanation:
                "The funding output is found by its script, made from the two `funding_pubkey`s of `open_channel2` and `accept_channel2`; its amount is both contributions. A construction that completes without it funds no channel.",
            example:
                "→ open_channel2 funding_satoshis=500000, ← accept_channel2 funding_satoshis=0, → tx_add_output sats=400000 script=<funding script>, …, tx_complete both ways"
        ),
        on: [.txComplete]
    ) { c in
        guard let session = session(&c), session.kind == .open else { return }
        guard session.completes(with: c.sender) else { return }
        guard let ch = c.channel, session.whole, let built = session.built else {
            return c.notEvaluated("the session's outputs are not all in the trace")
        }
        guard let first = ch.params.first.fundingPubkey, let second = ch.params.second.fundingPubkey,
            let opened = ch.fundingSatoshis, let accepted = ch.acceptFundingSatoshis
        else { return c.notEvaluated("the funding keys or amounts of `open_channel2` and `accept_channel2` are not in the trace") }
        guard let output = built.firstOutput(paying: Script.fundingOutput(first.bytes, second.bytes))?.output else {
            return c.violation("the construction completes without the channel's funding output (P2WSH of both funding_pubkeys)")
        }
        let (total, overflow) = opened.addingReportingOverflow(accepted)
        if overflow || output.value != total {
            return c.violation(
                "the funding output pays \(output.value) sat, not the \(opened) + \(accepted) sat of open_channel2 and accept_channel2",
                field: "sats",
                actual: output.value, expected: overflow ? nil : total)
        }
        if let dust = ch.params[c.sender].dustLimit, output.value < dust {
            c.violation("the funding output of \(output.value) sat is below the dust limit \(dust)")
        }
    }

    static let maxMessages = Rule(
        RuleInfo(
            "itx-max-msgs", "4096 inputs or outputs fail the negotiation",
            section: "\(section) §\"The tx_add_input Message\", §\"The tx_add_output Message\"", severity: .error,
            spec:
                "The receiving node: MUST fail the negotiation if: … if has received 4096 `tx_add_input` messages during this negotiation. … it has received 4096 `tx_add_output` messages during this negotiation.",
            explanation:
                "The limit bounds what a peer can make a node store for one negotiation (a transaction may hold at most 252 inputs and outputs anyway). After the peer's 4096th `tx_add_input` (or `tx_add_output`), the receiver's next move must be `tx_abort`; going on is the violation, reported at that message.",
            example: "← tx_add_input (the 4096th of the session), → tx_complete"),
        on: continuing
    ) { c in
        mustHaveFailed(&c) { failure in
            guard case let .tooManyMessages(kind) = failure else { return nil }
            return "the peer's 4096th `\(kind.name)` of the negotiation"
        }
    }

    static let v2Sequence = Rule(
        RuleInfo(
            "v2-sequence", "a v2 channel is ready once its funding is signed both ways",
            section: "BOLT #2 §\"Channel Establishment v2\"", severity: .error,
            spec:
                "The v2 establishment runs: `open_channel2`, `accept_channel2`, the interactive construction of the funding transaction, `commitment_signed` both ways, `tx_signatures` both ways (the smaller contributor first), optional `tx_init_rbf` rounds, then `channel_ready`.",
            explanation:
                "`channel_ready` says the funding transaction reached its depth: before both nodes exchanged `tx_signatures` no funding transaction can be broadcast, so the channel cannot be ready. (Each earlier step has its own rule: itx-start, itx-sigs-after-commit, itx-sigs-order.)",
            example: "→ open_channel2, ← accept_channel2, …, → tx_signatures, → channel_ready (no ← tx_signatures)"),
        on: [.channelReady]
    ) { c in
        guard let ch = c.channel, ch.dualFunded else { return }
        guard ch.origin == .opened else { return c.notEvaluated("the channel's opening is not in the trace") }
        if !ch.v2FundingSigned { c.violation("`channel_ready` before the funding transaction was signed both ways (`tx_signatures`)") }
    }

    /// What a side may not send while it owes its `commitment_signed` for a constructed
    /// interactive transaction (`tx_signatures` before it is itx-sigs-after-commit's).
    static let beforeOwnCommitment: Set<MessageKind> = ReestablishRules.goingOn.subtracting([.commitmentSigned, .txSignatures, .txAbort])

    static let commitExchange = Rule(
        RuleInfo(
            "v2-commit-exchange", "commitment_signed is answered with commitment_signed",
            section: "BOLT #2 §\"Channel Establishment v2\" §\"The commitment_signed Message\"; §\"Splice commitment_signed\"",
            severity: .error,
            spec:
                "The receiving node (of the `commitment_signed` for an interactive transaction): if it has not already transmitted its `commitment_signed`: MUST send `commitment_signed`. (For a splice: the receiver of `commitment_signed`: if it has not already sent its own, MUST send `commitment_signed`.)",
            explanation:
                "Once the transaction is constructed both nodes sign each other's first commitment for it; the receiver of the peer's signature answers with its own before going on (or fails the session with `tx_abort`).",
            example: "→ tx_complete, ← tx_complete, → commitment_signed, ← channel_ready"),
        on: beforeOwnCommitment
    ) { c in
        // Fields read through the model: this runs on every channel message.
        guard c.channel?.itx?.aborted == false, c.channel?.itx?.constructed == true else { return }
        guard c.channel?.itx?.commitmentSignedSent[c.peer] == true, c.channel?.itx?.commitmentSignedSent[c.sender] == false else { return }
        c.violation(
            "`\(c.name)` before the sender's own `commitment_signed`, which the peer's `commitment_signed` for the \(c.channel?.itx?.kind.rawValue ?? "") transaction asked for"
        )
    }

    static let sharedInput = Rule(
        RuleInfo(
            "itx-shared-input", "a shared input spends the channel's funding output", section: "\(section) §\"The tx_add_input Message\"",
            severity: .error,
            spec:
                "The receiving node: MUST fail the negotiation if: … if `prevtx_len` is 0: `shared_input_txid` is not set; `shared_input_txid` and `prevtx_vout` don't match the previous funding output; it has already received a `tx_add_input` with `prevtx_len` 0.",
            explanation:
                "A splice spends the channel's current funding output as its one shared input, named by txid instead of by a `prevtx`. The funding outpoint is known for a v1 channel opened in the trace and not yet spliced. The receiver's next move after such an input must be `tx_abort`; going on is the violation, reported at that message.",
            example: "← tx_add_input prevtx_len=0 (no shared_input_txid), → tx_complete"),
        on: continuing
    ) { c in
        mustHaveFailed(&c) { failure in
            guard case let .sharedInput(serial, problem) = failure else { return nil }
            return "the peer's shared input serial_id \(serial) (\(problem))"
        }
    }

    static let rbfDoubleSpend = Rule(
        RuleInfo(
            "itx-rbf-double-spend", "an RBF double-spends every earlier attempt", section: "\(section) §\"The tx_init_rbf Message\"",
            severity: .error,
            spec:
                "The sender of `tx_init_rbf` (and of `tx_ack_rbf`): if it contributed to a previous attempt: MUST ensure that the new transaction double-spends all other attempts, by sending `tx_add_input` with at least one input from each previous transaction construction attempt. The receiver (v2, on consecutive `tx_complete`): MUST fail the negotiation if the transaction does not share at least one input with each previous funding transaction.",
            explanation:
                "Only one of the attempts may confirm: each replacement spends at least one output an earlier attempt spent, so they conflict. The earlier attempts are the constructions of the same funding (the v2 opening or splice and its RBFs) that completed in the trace.",
            example: "→ tx_signatures, ← tx_signatures, → tx_init_rbf, ← tx_ack_rbf, → tx_add_input (a new input only), …, tx_complete both ways"),
        on: [.txComplete]
    ) { c in
        guard let session = c.channel?.itx, session.kind == .rbf, !session.aborted else { return }
        guard session.completes(with: c.sender) else { return }
        guard session.whole, session.inputs != nil, let attempts = c.channel?.previousAttempts, !attempts.isEmpty else {
            return c.notEvaluated("the earlier attempts' inputs are not in the trace")
        }
        let spent = Set(session.spends.values)
        if let index = attempts.firstIndex(where: { $0.isDisjoint(with: spent) }) {
            c.violation(
                "the replacement shares no input with attempt \(index + 1) of \(attempts.count): the two could both confirm")
        }
    }

    static let rbfContribution = Rule(
        RuleInfo(
            "itx-rbf-contribution", "a fee-bumped opening pays the stated contributions to the funding output",
            section: "\(section) §\"The tx_init_rbf Message\", §\"The tx_ack_rbf Message\"", severity: .error,
            spec:
                "The sender of `tx_init_rbf` or `tx_ack_rbf`: if it contributes to the transaction's funding output: MUST set `funding_output_contribution`. (The funding output of the replacement pays what the two contributions add up to; it is P2WSH of the two `funding_pubkey`s of the opening.)",
            explanation:
                "A replacement of a v2 opening may change how much each node puts into the channel, and each states its share in `funding_output_contribution` (absent: nothing). When the construction completes, the funding output must pay their sum.",
            example:
                "→ tx_init_rbf funding_output_contribution=400000, ← tx_ack_rbf, …, → tx_add_output sats=500000 script=<funding script>, tx_complete both ways"
        ),
        on: [.txComplete]
    ) { c in
        guard let session = c.channel?.itx, session.kind == .rbf, !session.aborted, c.channel?.spliced == false else { return }
        guard session.completes(with: c.sender) else { return }
        guard session.whole, let built = session.built else { return c.notEvaluated("the session's outputs are not all in the trace") }
        guard let first = c.channel?.params.first.fundingPubkey, let second = c.channel?.params.second.fundingPubkey else {
            return c.notEvaluated("the funding keys of the opening are not in the trace")
        }
        guard let mine = session.contributions.first, let theirs = session.contributions.second else {
            return c.notEvaluated("the source does not give the TLVs of `tx_init_rbf` and `tx_ack_rbf`")
        }
        guard let output = built.firstOutput(paying: Script.fundingOutput(first.bytes, second.bytes))?.output else {
            return c.violation("the replacement completes without the channel's funding output (P2WSH of both funding_pubkeys)")
        }
        let (total, overflow) = mine.addingReportingOverflow(theirs)
        if overflow || Int64(clamping: output.value) != total {
            c.violation(
                "the funding output pays \(output.value) sat, not the funding_output_contribution total \(mine) + \(theirs)", field: "sats",
                actual: output.value, expected: !overflow && total >= 0 ? UInt64(total) : nil)
        }
    }

    static let rbfAccepterInitiator = Rule(
        RuleInfo(
            "v2-rbf-accepter-initiator", "an accepter that bumps the opening adds its funding output",
            section: "BOLT #2 §\"Channel Establishment v2\" §\"Fee bumping: tx_init_rbf and tx_ack_rbf\"", severity: .error,
            spec:
                "If the accepter sends `tx_init_rbf`, it becomes the initiator of the interactive-tx session and thus: MUST send `tx_add_output` for the channel output; MUST pay the fees for the shared transaction fields.",
            explanation:
                "The initiator of a construction adds the shared funding output; when the accepter of a v2 opening starts a fee bump, that role is its own, not the opener's.",
            example: "← tx_init_rbf (from the accepter), → tx_ack_rbf, → tx_add_output script=<funding script>, …, tx_complete both ways"),
        on: [.txComplete]
    ) { c in
        guard let session = c.channel?.itx, session.kind == .rbf, !session.aborted, c.channel?.spliced == false else { return }
        guard session.completes(with: c.sender), let opener = c.channel?.opener, session.initiator != opener else { return }
        guard session.whole, let built = session.built else { return c.notEvaluated("the session's outputs are not all in the trace") }
        guard let first = c.channel?.params.first.fundingPubkey, let second = c.channel?.params.second.fundingPubkey else {
            return c.notEvaluated("the funding keys of the opening are not in the trace")
        }
        // A missing funding output is itx-rbf-contribution's finding.
        guard let serial = built.firstOutput(paying: Script.fundingOutput(first.bytes, second.bytes))?.serial, let adder = session.outputs?[serial]
        else { return }
        if adder != session.initiator {
            c.violation("the funding output (serial_id \(serial)) was added by the opener, but the accepter started this fee bump")
        }
    }

    /// The contributions of a construction that `c`'s `tx_complete` completes, or `nil` (and
    /// "not evaluated" when the trace does not give them).
    static func completedContributions(_ c: inout Check) -> ChannelModel.Contributions? {
        guard let ch = c.channel, let session = ch.itx, !session.aborted, session.completes(with: c.sender) else { return nil }
        do throws(MissingEvidence) {
            return try ch.contributions(of: session)
        } catch {
            c.notEvaluated(error.reason)
            return nil
        }
    }

    static let completeBalance = Rule(
        RuleInfo(
            "itx-complete-balance", "each side's inputs cover its outputs", section: "\(section) §\"The tx_complete Message\"",
            severity: .error,
            spec:
                "The receiving node: MUST fail the negotiation if: the peer's total input satoshis is less than their outputs. One MUST account for the peer's portion of the funding output when verifying compliance with this requirement.",
            explanation:
                "A side's inputs (their amounts from each `prevtx`; a splice's shared input is the previous capacity, its initiator's) must pay for the outputs it added and its share of the funding output (its `funding_satoshis`, `funding_output_contribution`, or for a splice its contribution, plus the capacity for the initiator). The node that completes the construction with `tx_complete` accepts the peer's share; the peer judges the completer's at its next message.",
            example: "→ tx_add_input (100,000 sat), → tx_add_output sats=150000, … ← tx_complete (completes)"),
        on: continuing
    ) { c in
        if c.kind == .txComplete, c.channel?.itx?.completes(with: c.sender) == true {
            guard let accounts = completedContributions(&c) else { return }
            if case let .unbalanced(inputs, outputs) = accounts.failure(of: c.peer, feerate: nil) {
                c.violation(
                    "the construction completes with the peer putting in \(inputs) sat and taking out \(outputs) sat (its share of the funding output included): it must be failed",
                    field: "peer_input_sats", actual: inputs, minimum: outputs)
            }
            return
        }
        mustHaveFailed(&c) { failure in
            guard case let .unbalanced(inputs, outputs) = failure else { return nil }
            return "the peer's contributions, \(inputs) sat in and \(outputs) sat out (its share of the funding output included)"
        }
    }

    static let completeFeerate = Rule(
        RuleInfo(
            "itx-complete-feerate", "each side pays the agreed feerate for what it adds",
            section: "\(section) §\"The tx_complete Message\"; BOLT #3 §\"Calculating Fees for Collaborative Transactions\"", severity: .error,
            spec:
                "The receiving node: MUST fail the negotiation if: the peer's paid feerate does not meet or exceed the agreed `feerate` (based on the `minimum fee`); if is the *non-initiator*: the *initiator*'s fees do not cover the `common` fields. (BOLT #3: fees are paid by each party to the transaction, at a `feerate` determined during the initiation, with the initiator covering the fees for the common transaction fields.)",
            explanation:
                "What a side's inputs put in beyond its outputs is its fee; it must reach the agreed feerate (`funding_feerate_perkw`, or `tx_init_rbf`'s `feerate`) times the weight of what the side added. lntrace counts the least that weight can be: each input without its witness plus one witness byte, each output, and for the initiator the fields every transaction has. A fee below that is short at any witness size.",
            example: "(funding_feerate_perkw=2500) → tx_add_input (100,000 sat), → tx_add_output sats=100000, … ← tx_complete (completes)"),
        on: continuing
    ) { c in
        if c.kind == .txComplete, c.channel?.itx?.completes(with: c.sender) == true {
            guard let accounts = completedContributions(&c), accounts.fee(of: c.peer) != nil else { return }
            guard let feerate = c.channel?.itx?.feerate else { return c.notEvaluated("the agreed feerate is not in the trace") }
            if case let .underpaid(fee, minimum, weight, feerate) = accounts.failure(of: c.peer, feerate: feerate) {
                c.violation(
                    "the construction completes with the peer paying \(fee) sat for at least \(weight) weight units, below the \(minimum) sat of feerate \(feerate): it must be failed",
                    field: "peer_fee_sats", actual: fee, minimum: minimum)
            }
            return
        }
        mustHaveFailed(&c) { failure in
            guard case let .underpaid(fee, minimum, weight, feerate) = failure else { return nil }
            return "the peer's fee of \(fee) sat for at least \(weight) weight units (at least \(minimum) sat at feerate \(feerate))"
        }
    }

    static let rbfFees = Rule(
        RuleInfo(
            "itx-rbf-fees", "a fee bump pays more fees in total", section: "\(section) §\"The tx_complete Message\"; §\"Channel Splicing\"",
            severity: .error,
            spec:
                "Upon receipt of consecutive `tx_complete`s, the receiving node: if this is an RBF attempt: MUST fail the negotiation if: the transaction's total fees is less than the last successfully negotiated transaction's fees. (Splicing: this is an RBF attempt and the transaction's total fees is less than the last successfully negotiated splice transaction's fees.)",
            explanation:
                "A replacement must pay more than the transaction it replaces (BIP 125). The fees are all inputs (from each `prevtx`; a splice's shared input is the previous capacity) less all outputs; the node that completes the fee bump with `tx_complete` accepts them.",
            example: "(constructed: 5,000 sat of fees) → tx_init_rbf, …, ← tx_complete (completes, 4,000 sat of fees)"),
        on: [.txComplete]
    ) { c in
        guard let ch = c.channel, let session = ch.itx, session.kind == .rbf, !session.aborted, session.completes(with: c.sender) else { return }
        guard let previous = ch.constructedFee else { return c.notEvaluated("the fees of the last constructed transaction are not in the trace") }
        let fee: Int64
        do throws(MissingEvidence) { fee = try ch.totalFee(of: session) } catch { return c.notEvaluated(error.reason) }
        if fee < previous {
            c.violation(
                "the fee bump completes paying \(fee) sat in fees, less than the \(previous) sat of the transaction it replaces: it must be failed",
                field: "fee_sats", actual: UInt64(max(fee, 0)), minimum: UInt64(max(previous, 0)))
        }
    }
}
