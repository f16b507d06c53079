import Basics
import Secp256k1
import Transactions
import Wire

/// Signatures over transactions rebuilt from the trace (BOLT #3): the commitment signed in
/// `funding_created`, `funding_signed` and every `commitment_signed`, and its HTLC transactions.
enum SignatureRules {
    static let all: [Rule] = [createdSignature, signedSignature, commitmentSignature, v2InitialSignature]

    /// Verifies `signature` (compact, low-S) over `owner`'s commitment `number`, and the HTLC
    /// signatures if given; the reason it fails, if it does. What the model must give is found
    /// here; building the transaction and verifying are offloaded (``Check/offload(_:)``).
    static func verify(
        _ c: inout Check, _ ch: ChannelModel, owner: ChannelModel.Side, number: UInt64, contents: ChannelModel.Contents,
        parameters: ChannelParameters, htlcSignatures: [[UInt8]]?
    ) {
        guard let signature = c.needBytes(\.signature) else { return }
        let inputs: CommitmentInputs
        do throws(MissingEvidence) {
            inputs = try ch.commitmentInputs(owner: owner, number: number, contents: contents)
        } catch {
            return c.notEvaluated(error.reason)
        }
        c.offload {
            verdict(signature: signature, htlcSignatures: htlcSignatures, inputs: inputs, contents: contents, parameters: parameters)
        }
    }

    /// The commitment rebuilt and its signatures verified: the costly, pure part of ``verify``.
    static func verdict(
        signature: [UInt8], htlcSignatures: [[UInt8]]?, inputs: CommitmentInputs, contents: ChannelModel.Contents,
        parameters: ChannelParameters
    ) -> Verdict {
        guard let tx = inputs.transaction(parameters) else {
            return Verdict(outcome: .notEvaluated("a key of the channel is not a valid point"), evidence: nil)
        }
        let (owner, number) = (inputs.owner, inputs.number)
        let signerKey = parameters.sides[owner.other].fundingPubkey
        let txid = Hex.encode(tx.transaction.txid.reversed())
        guard Secp256k1.verify(signature: signature, digest: tx.sighash, point: signerKey) else {
            return Verdict(
                outcome: .violation(
                    "the signature does not verify for the peer's commitment \(number) (txid \(short(txid)), \(tx.htlcOutputs.count) HTLC outputs, feerate \(tx.parameters.feeratePerKw)) with the sender's funding_pubkey",
                    crossing: false),
                evidence: evidence(tx, inputs, contents: contents, signerKey: signerKey, txid: txid))
        }
        guard let htlcSignatures else { return .passed }
        guard htlcSignatures.count == tx.htlcOutputs.count else { return .passed }  // commit-num-htlcs reports it
        let remoteHTLC = tx.keys.remoteHTLC
        for (index, (output, signature)) in zip(tx.htlcOutputs, htlcSignatures).enumerated()
        where !Secp256k1.verify(signature: signature, digest: tx.htlcSighash(output), point: remoteHTLC) {
            var e = evidence(tx, inputs, contents: contents, signerKey: signerKey, txid: txid)
            e.add("htlc_sighash", .hex(tx.htlcSighash(output)))
            e.add("htlc_pubkey", .hex(remoteHTLC))
            let kind = output.htlc.offered ? "HTLC-timeout" : "HTLC-success"
            let id = contents.htlcs[output.tag].id
            return Verdict(
                outcome: .violation(
                    "htlc_signature \(index) does not verify for the \(kind) transaction of HTLC \(id) (output \(output.outputIndex) of commitment \(number))",
                    crossing: false),
                evidence: e)
        }
        return .passed
    }

    /// The rebuilt commitment a signature is checked against, to diff with a node's own dump.
    static func evidence(
        _ tx: CommitmentTransaction, _ inputs: CommitmentInputs, contents: ChannelModel.Contents, signerKey: [UInt8], txid: String
    ) -> Evidence {
        let owner = inputs.owner
        var e = Evidence()
        e.add("commitment_number", .number(inputs.number))
        e.add("txid", .text(txid))
        e.add("transaction", .hex(tx.transaction.serialized))
        e.add("sighash", .hex(tx.sighash))
        e.add("funding_pubkey", .hex(signerKey))
        e.add("per_commitment_point", .hex(inputs.point.bytes))
        e.add("to_local_msat", .number(tx.parameters.toLocalMsat))
        e.add("to_remote_msat", .number(tx.parameters.toRemoteMsat))
        e.add("feerate_per_kw", .number(UInt64(tx.parameters.feeratePerKw)))
        e.add("anchors", .text(tx.parameters.anchors ? "yes" : "no"))
        var htlcs: [String] = []
        for (tag, htlc) in contents.htlcs.enumerated() {
            let direction = htlc.offerer == owner ? "offered" : "received"
            let amount = htlc.amountMsat.map { "\($0) msat" } ?? "amount unknown"
            if let output = tx.htlcOutputs.first(where: { $0.tag == tag }) {
                htlcs.append("HTLC \(htlc.id) \(direction) \(amount): output \(output.outputIndex)")
            } else {
                htlcs.append("HTLC \(htlc.id) \(direction) \(amount): trimmed")
            }
        }
        e.add("htlcs", .list(htlcs))
        return e
    }

    static let createdSignature = Rule(
        RuleInfo(
            "v1-created-sig", "funding_created signs the fundee's first commitment",
            section: "BOLT #2 §\"The funding_created Message\" Requirements; BOLT #3",
            severity: .error,
            spec:
                "The sender MUST set: `signature` to the valid signature using its `funding_pubkey` for the initial commitment transaction, as defined in BOLT #3. The recipient: if `signature` is incorrect OR non-compliant with LOW-S-standard rule: MUST send a `warning` and close the connection, or send an `error` and fail the channel.",
            explanation:
                "lntrace rebuilds the fundee's commitment 0 from `open_channel`, `accept_channel` and the funding outpoint in the message (BOLT #3), and verifies the signature with the funder's funding_pubkey.",
            example: "→ funding_created signature=(over another transaction)"),
        on: [.fundingCreated], offloads: true
    ) { c in
        guard let ch = c.known(.opened), ch.opener == c.sender else { return c.notEvaluated("the channel's opening is not in the trace") }
        guard let txid = c.needBytes(\.fundingTxid), let index = c.need(\.fundingOutputIndex) else { return }
        let parameters: ChannelParameters
        do throws(MissingEvidence) {
            parameters = try ch.channelParameters(fundingTxid: txid, fundingOutputIndex: UInt16(truncatingIfNeeded: index))
        } catch {
            return c.notEvaluated(error.reason)
        }
        verify(&c, ch, owner: c.peer, number: 0, contents: ch.ledger.contents(), parameters: parameters, htlcSignatures: nil)
    }

    static let signedSignature = Rule(
        RuleInfo(
            "v1-signed-sig", "funding_signed signs the funder's first commitment",
            section: "BOLT #2 §\"The funding_signed Message\" Requirements; BOLT #3",
            severity: .error,
            spec:
                "The sender MUST set: `signature` to the valid signature, using its `funding_pubkey` for the initial commitment transaction, as defined in BOLT #3. The recipient: if `signature` is incorrect OR non-compliant with LOW-S-standard rule: MUST send a `warning` and close the connection, or send an `error` and fail the channel.",
            explanation: "lntrace rebuilds the funder's commitment 0 (BOLT #3) and verifies the signature with the fundee's funding_pubkey.",
            example: "← funding_signed signature=(over another transaction)"),
        on: [.fundingSigned], offloads: true
    ) { c in
        guard let ch = c.known(.opened), ch.opener == c.peer else { return c.notEvaluated("the channel's opening is not in the trace") }
        let parameters: ChannelParameters
        do throws(MissingEvidence) {
            parameters = try ch.channelParameters()
        } catch {
            return c.notEvaluated(error.reason)
        }
        verify(&c, ch, owner: c.peer, number: 0, contents: ch.ledger.contents(), parameters: parameters, htlcSignatures: nil)
    }

    static let commitmentSignature = Rule(
        RuleInfo(
            "commit-sig-valid", "commitment_signed signatures verify",
            section: "BOLT #2 §\"Committing Updates So Far: commitment_signed\" Requirements; BOLT #3",
            severity: .error,
            spec:
                "A receiving node: once all pending updates are applied: if `signature` is not valid for its local commitment transaction OR non-compliant with LOW-S-standard rule: MUST send a `warning` and close the connection, or send an `error` and fail the channel. If any `htlc_signature` is not valid for the corresponding HTLC transaction OR non-compliant with LOW-S-standard rule: MUST send a `warning` and close the connection, or send an `error` and fail the channel.",
            explanation:
                "lntrace rebuilds the peer's new commitment transaction from the trace alone (BOLT #3): the funding outpoint, both sides' basepoints and the peer's per-commitment point, the obscured commitment number, the HTLCs, feerate and balances the signing includes (the ledger, Documentation/channel-model.md), trimming and BIP 69 order. The signature must verify with the sender's funding_pubkey, and each htlc_signature for its HTLC-timeout or HTLC-success transaction (libsecp256k1, which rejects high-S). The strongest check: any disagreement about which updates a signing includes fails here.",
            example: "→ update_add_htlc, ← update_add_htlc, → commitment_signed (signed as if the peer's add were included)"),
        on: [.commitmentSigned], offloads: true
    ) { c in
        guard let ch = c.known(.opened) else { return }
        if ch.isBatchContinuation(c.sender) || ch.isInitialSigning(c.sender) { return }
        guard !ch.spliced else { return c.notEvaluated("the channel was spliced: its new funding output is not modelled") }
        if ch.mayRepeat(.commitmentSigned, from: c.sender) {
            return c.notEvaluated(
                "the first signing after a reconnection may repeat an earlier one (the source does not give the channel_reestablish numbers)")
        }
        let parameters: ChannelParameters
        do throws(MissingEvidence) {
            parameters = try ch.channelParameters()
        } catch {
            return c.notEvaluated(error.reason)
        }
        guard ch.htlcIDsUnknown == false else { return c.notEvaluated("the source does not give HTLC ids") }
        guard let htlcSignatures = c.view.byteList(\.htlcSignature) else { return c.notGiven(\.htlcSignature) }
        verify(
            &c, ch, owner: c.peer, number: ch.ledger.localCommitment(c.peer) + 1, contents: ch.ledger.commitmentContents(signedBy: c.sender),
            parameters: parameters, htlcSignatures: htlcSignatures)
    }

    static let v2InitialSignature = Rule(
        RuleInfo(
            "v2-commit-sig", "a v2 opening's commitment_signed signs the first commitment",
            section: "BOLT #2 §\"Channel Establishment v2\" §\"The commitment_signed Message\"; BOLT #3",
            severity: .error,
            spec:
                "This message is exchanged by both peers. It contains the signatures for the first commitment transaction. (The usual `commitment_signed` requirements apply: the receiving node, if `signature` is not valid for its local commitment transaction OR non-compliant with LOW-S-standard rule, MUST send a `warning` and close the connection, or send an `error` and fail the channel.)",
            explanation:
                "lntrace rebuilds the peer's commitment 0 of a v2 channel (BOLT #3): the funding outpoint is the constructed transaction's output paying both `funding_pubkey`s, each side's balance its `funding_satoshis`, the feerate `commitment_feerate_perkw`, the per-commitment points those of `open_channel2` and `accept_channel2`. The signature must verify with the sender's `funding_pubkey`. A fee bump's commitment, whose amounts the model does not follow, is not judged.",
            example: "… tx_complete both ways, → commitment_signed signature=(over another transaction)"),
        on: [.commitmentSigned], offloads: true
    ) { c in
        guard let ch = c.channel, ch.dualFunded, let session = ch.itx, session.kind != .splice, !ch.spliced, ch.isInitialSigning(c.sender) else {
            return
        }
        guard ch.origin == .opened else { return c.notEvaluated("the channel's opening is not in the trace") }
        // The construction's completion set the funding outpoint (its funding output).
        let parameters: ChannelParameters
        do throws(MissingEvidence) {
            parameters = try ch.channelParameters()
        } catch {
            return c.notEvaluated(error.reason)
        }
        verify(&c, ch, owner: c.peer, number: 0, contents: ch.ledger.contents(), parameters: parameters, htlcSignatures: nil)
    }
}
