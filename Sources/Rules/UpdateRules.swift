import Basics
import Secp256k1
import Transactions
import Wire

/// BOLT #2 §"Normal Operation": adding and removing HTLCs, `commitment_signed`,
/// `revoke_and_ack` and `update_fee`, judged against the ledger of both commitments (Documentation/channel-model.md).
enum UpdateRules {
    static let all: [Rule] = [
        addIDStart, addIDIncrement, addAmountNonzero, addAmountMinimum, addCLTVBlocks, addMaxAccepted, addMaxInFlight,
        removeIDKnown, removePeerHTLCOnly, removeOnce, removeAfterIrrevocable, fulfillPreimage, malformedBadOnion, malformedSHA, failBlinded,
        commitHasUpdates, commitOneOutstanding, commitNumHTLCs, revokeSolicited, revokeOncePerBatch, revokeSecret, readySecondPoint, revokeShachain,
        revokeNextPoint,
        feeFunderOnly,
        commitFundingTxid, attributionData,
    ]

    static let addSection = "BOLT #2 §\"Adding an HTLC: update_add_htlc\" Requirements"
    static let removeSection = "BOLT #2 §\"Removing an HTLC\" Requirements"
    static let commitSection = "BOLT #2 §\"Committing Updates So Far: commitment_signed\" Requirements"
    static let revokeSection = "BOLT #2 §\"Completing the Transition to the Updated State: revoke_and_ack\" Requirements"

    // MARK: update_add_htlc

    static let addIDStart = Rule(
        RuleInfo(
            "add-id-start", "the first HTLC id is 0", section: addSection,
            severity: .error,
            spec: "A sending node: for the first HTLC it offers: MUST set `id` to 0.",
            explanation: "HTLC ids count per sender from 0 over the channel's whole life.",
            example: "→ update_add_htlc id=1 (the sender's first)"),
        on: [.updateAddHTLC]
    ) { c in
        guard let ch = c.known(.opened) else { return }
        guard ch.ledger.addCount[c.sender] == 0 else { return }
        guard let id = c.need(\.id) else { return }
        if id != 0 { c.violation("the sender's first HTLC has id \(id), not 0", field: \TypedMessage.id, actual: id, expected: 0) }
    }

    static let addIDIncrement = Rule(
        RuleInfo(
            "add-id-increment", "HTLC ids increase by 1", section: addSection,
            severity: .error,
            spec:
                "A sending node: MUST increase the value of `id` by 1 for each successive offer. `id` MUST NOT be reset to 0 after the update is complete (i.e. after `revoke_and_ack` has been received). It MUST continue incrementing instead.",
            explanation:
                "A gap or a repeat in one sender's ids means adds were dropped, reordered or replayed. After a reconnection the ids continue from the first add the peer had not signed for (those were undone).",
            example: "→ update_add_htlc id=0, → update_add_htlc id=2"),
        on: [.updateAddHTLC]
    ) { c in
        let first = c.channel.map { $0.ledger.addCount[c.sender] == 0 } ?? true
        // The sender's first add on a channel opened in the trace is add-id-start's.
        if first, c.channel?.origin == .opened { return }
        guard !first, let ch = c.channel, let expected = ch.ledger.nextHTLCID[c.sender] else {
            return c.notEvaluated("no earlier HTLC of the sender is in the trace")
        }
        guard let id = c.need(\.id) else { return }
        if id != expected {
            c.violation(
                "HTLC id \(id) follows \(expected == 0 ? "the start" : "id \(expected - 1)"); expected \(expected)", field: \TypedMessage.id,
                actual: id, expected: expected)
        }
    }

    static let addAmountNonzero = Rule(
        RuleInfo(
            "add-amount-nonzero", "HTLC amount above zero", section: addSection,
            severity: .error,
            spec: "A sending node: MUST offer `amount_msat` greater than 0.",
            explanation: "An HTLC of nothing makes no sense and the receiver should fail the channel.",
            example: "→ update_add_htlc amount_msat=0"),
        on: [.updateAddHTLC]
    ) { c in
        guard let amount = c.need(\.amountMsat) else { return }
        if amount == 0 { c.violation("amount_msat is 0", field: \TypedMessage.amountMsat, actual: 0, minimum: 1) }
    }

    static let addAmountMinimum = Rule(
        RuleInfo(
            "add-amount-min", "HTLC amount at least the peer's minimum", section: addSection,
            severity: .error,
            spec: "A sending node: MUST NOT offer `amount_msat` below the receiving node's `htlc_minimum_msat`.",
            explanation: "The receiver announced the smallest HTLC it accepts in `open_channel`/`accept_channel`.",
            example: "← accept_channel htlc_minimum_msat=1000, → update_add_htlc amount_msat=999"),
        on: [.updateAddHTLC]
    ) { c in
        guard let ch = c.known(.opened) else { return }
        guard let minimum = ch.params[c.peer].htlcMinimum else { return c.notEvaluated("the peer's htlc_minimum_msat is not known") }
        guard let amount = c.need(\.amountMsat) else { return }
        if amount < minimum {
            c.violation(
                "amount_msat \(amount) is below the peer's htlc_minimum_msat \(minimum)", field: \TypedMessage.amountMsat, actual: amount,
                minimum: minimum)
        }
    }

    static let addCLTVBlocks = Rule(
        RuleInfo(
            "add-cltv-blocks", "cltv_expiry is a block height", section: addSection,
            severity: .error,
            spec: "A sending node: MUST set `cltv_expiry` less than 500000000.",
            explanation: "Values from 500000000 on are timestamps in Bitcoin's locktime; HTLC expiries are block heights.",
            example: "→ update_add_htlc cltv_expiry=500000000"),
        on: [.updateAddHTLC]
    ) { c in
        guard let expiry = c.need(\.cltvExpiry) else { return }
        if expiry >= 500_000_000 {
            c.violation("cltv_expiry \(expiry) is not less than 500000000", field: \TypedMessage.cltvExpiry, actual: expiry, maximum: 499_999_999)
        }
    }

    /// The HTLCs `sender` offers in the commitment its next signing gives the peer, with
    /// the add being checked (Documentation/channel-model.md, "The ledger").
    static func offeredAfterAdd(_ ch: ChannelModel, sender: ChannelModel.Side) -> [ChannelModel.HTLC] {
        ch.ledger.commitmentContents(signedBy: sender).htlcs.filter { $0.offerer == sender }
    }

    static let addMaxAccepted = Rule(
        RuleInfo(
            "add-max-accepted", "at most the peer's max_accepted_htlcs", section: addSection,
            severity: .error,
            spec:
                "A sending node: if result would be offering more than the remote's `max_accepted_htlcs` HTLCs, in the remote commitment transaction: MUST NOT add an HTLC.",
            explanation:
                "Counted in the commitment the sender will sign for the peer (the ledger, Documentation/channel-model.md): a fulfilled or failed HTLC still counts until its removal is in that commitment. A node that counts in the wrong commitment overshoots.",
            example: "← accept_channel max_accepted_htlcs=2, → update_add_htlc ×3"),
        on: [.updateAddHTLC]
    ) { c in
        guard let ch = c.htlcTable() else { return }
        guard let limit = ch.params[c.peer].maxAcceptedHTLCs else { return c.notEvaluated("the peer's max_accepted_htlcs is not known") }
        let count = offeredAfterAdd(ch, sender: c.sender).count + 1
        if count > limit {
            c.violation(
                "the add makes \(count) HTLCs offered in the peer's commitment; its max_accepted_htlcs is \(limit)", field: "offered_htlcs",
                actual: UInt64(count), maximum: limit)
        }
    }

    static let addMaxInFlight = Rule(
        RuleInfo(
            "add-max-inflight", "at most the peer's max_htlc_value_in_flight_msat", section: addSection,
            severity: .error,
            spec:
                "A sending node: if the total value of offered HTLCs would exceed the remote's `max_htlc_value_in_flight_msat`: MUST NOT add an HTLC.",
            explanation:
                "The sum of the sender's HTLCs in the peer's next commitment (the ledger, Documentation/channel-model.md), this one included, must stay within the peer's limit.",
            example: "← accept_channel max_htlc_value_in_flight_msat=100000, → update_add_htlc amount_msat=150000"),
        on: [.updateAddHTLC]
    ) { c in
        guard let ch = c.htlcTable() else { return }
        guard let limit = ch.params[c.peer].maxInFlight else { return c.notEvaluated("the peer's max_htlc_value_in_flight_msat is not known") }
        guard let amount = c.need(\.amountMsat) else { return }
        var total = amount
        for htlc in offeredAfterAdd(ch, sender: c.sender) {
            guard let value = htlc.amountMsat else { return c.notEvaluated("an earlier HTLC's amount is not known") }
            total &+= value
        }
        if total > limit {
            c.violation(
                "offered HTLCs would total \(total) msat; the peer's max_htlc_value_in_flight_msat is \(limit)", field: "offered_msat", actual: total,
                maximum: limit)
        }
    }

    // MARK: Removing HTLCs

    /// The peer's HTLC a removal names, or `nil` (and "not evaluated" when the trace may
    /// simply not show its add).
    static func removed(_ c: inout Check) -> ChannelModel.HTLC? {
        guard let ch = c.channel else {
            c.notEvaluated("the message's channel is not known")
            return nil
        }
        if ch.htlcIDsUnknown {
            c.notEvaluated("the source does not give HTLC ids, so HTLCs cannot be told apart")
            return nil
        }
        guard let id = c.need(\.id) else { return nil }
        guard let htlc = ch.ledger.htlc(offeredBy: c.peer, id: id) else {
            c.notEvaluated("the HTLC's add is not in the trace")
            return nil
        }
        return htlc
    }

    static let removeIDKnown = Rule(
        RuleInfo(
            "rm-id-known", "removals name an existing HTLC of the peer", section: removeSection,
            severity: .error,
            spec:
                "A receiving node: if the `id` does not correspond to an HTLC in its current commitment transaction: MUST send a `warning` and close the connection, or send an `error` and fail the channel.",
            explanation:
                "A node removes only HTLCs the other node offered, by their id. An id the peer never offered (or whose add was undone at a reconnection) reveals processing in the wrong order or of the wrong channel.",
            example: "← update_add_htlc id=0, → update_fulfill_htlc id=1"),
        on: removalMessages
    ) { c in
        guard let ch = c.htlcTable() else { return }
        guard let id = c.need(\.id) else { return }
        if ch.ledger.htlc(offeredBy: c.peer, id: id) == nil && !ch.ledger.wasSettled(offeredBy: c.peer, id: id) {
            if ownOpenHTLC(ch, c.sender, id) { return }  // rm-peer-htlc-only
            c.violation("no HTLC with id \(id) offered by the peer exists")
        }
    }

    /// Whether `side` itself offered an HTLC `id` that is still open.
    static func ownOpenHTLC(_ ch: ChannelModel, _ side: ChannelModel.Side, _ id: UInt64) -> Bool {
        ch.ledger.htlc(offeredBy: side, id: id).map { $0.removeIndex == nil } ?? false
    }

    static let removePeerHTLCOnly = Rule(
        RuleInfo(
            "rm-peer-htlc-only", "a node removes only the peer's HTLCs", section: removeSection,
            severity: .error,
            spec:
                "For simplicity, a node can only remove HTLCs added by the other node. A receiving node: if the `id` does not correspond to an HTLC in its current commitment transaction: MUST send a `warning` and close the connection, or send an `error` and fail the channel.",
            explanation:
                "A removal's `id` counts in the peer's id space. One that names no HTLC of the peer but an open HTLC the sender offered itself shows a node settling its own HTLC (or mixing up the two id spaces); an id that is neither is `rm-id-known`'s.",
            example: "→ update_add_htlc id=0, …, → update_fulfill_htlc id=0 (the peer offered none)"),
        on: removalMessages
    ) { c in
        guard let ch = c.htlcTable() else { return }
        guard let id = c.need(\.id) else { return }
        if ch.ledger.htlc(offeredBy: c.peer, id: id) == nil && !ch.ledger.wasSettled(offeredBy: c.peer, id: id) && ownOpenHTLC(ch, c.sender, id) {
            c.violation("HTLC \(id) is one the sender offered, and the peer offered none with that id")
        }
    }

    static let removeOnce = Rule(
        RuleInfo(
            "rm-once", "an HTLC is removed once", section: removeSection,
            severity: .error,
            spec:
                "A receiving node: if the `id` does not correspond to an HTLC in its current commitment transaction: MUST send a `warning` and close the connection, or send an `error` and fail the channel.",
            explanation: "A second fulfill or fail of the same HTLC is a duplicate (before the first is committed) or names an HTLC that is gone.",
            example: "→ update_fulfill_htlc id=0, → update_fail_htlc id=0"),
        on: removalMessages
    ) { c in
        if let ch = c.channel, let id = c.uint(\.id), ch.ledger.wasSettled(offeredBy: c.peer, id: id) {
            return c.violation("HTLC \(id) was already removed and settled")
        }
        guard let htlc = removed(&c) else { return }
        if htlc.removeIndex != nil { c.violation("HTLC \(htlc.id) was already removed") }
    }

    static let removeAfterIrrevocable = Rule(
        RuleInfo(
            "rm-after-irrevocable", "remove only irrevocably committed HTLCs", section: removeSection,
            severity: .error,
            spec:
                "A node: until the corresponding HTLC is irrevocably committed in both sides' commitment transactions: MUST NOT send an `update_fulfill_htlc`, `update_fail_htlc`, or `update_fail_malformed_htlc`.",
            explanation:
                "For an HTLC the peer added: the peer signs it, the remover revokes, the remover signs, and the peer revokes (state 5 of an update's life). A removal before the peer's last `revoke_and_ack` acts on an HTLC too early: the classic cross-stream reordering.",
            example: "← update_add_htlc, ← commitment_signed, → revoke_and_ack, → update_fulfill_htlc (before → commitment_signed, ← revoke_and_ack)"),
        on: removalMessages
    ) { c in
        guard let htlc = removed(&c), let ch = c.known() else { return }
        guard htlc.removeIndex == nil else { return }  // rm-once
        let missing: String
        switch ch.ledger.addState(htlc) {
        case .pendingOnReceiver: missing = "the peer has not signed for its add"
        case .inReceiverCommitment: missing = "the sender has not revoked its commitment without it"
        case .pendingOnSender: missing = "the sender has not signed a commitment with it"
        case .inSenderCommitment: missing = "the peer has not revoked its commitment without it"
        case .irrevocablyCommitted: return
        }
        c.violation("HTLC \(htlc.id) is not irrevocably committed: \(missing)")
    }

    static let fulfillPreimage = Rule(
        RuleInfo(
            "fulfill-preimage", "the preimage hashes to the payment_hash", section: removeSection,
            severity: .error,
            spec:
                "A receiving node: if the `payment_preimage` value in `update_fulfill_htlc` doesn't SHA256 hash to the corresponding HTLC `payment_hash`: MUST send a `warning` and close the connection, or send an `error` and fail the channel.",
            explanation:
                "SHA256(payment_preimage) must equal the named HTLC's payment_hash; a mismatch also reveals ids and HTLCs matched in the wrong order.",
            example: "← update_add_htlc id=0 payment_hash=H, → update_fulfill_htlc id=0 payment_preimage=P with SHA256(P) ≠ H"),
        on: [.updateFulfillHTLC]
    ) { c in
        guard let htlc = removed(&c) else { return }
        guard let hash = htlc.paymentHash else { return c.notEvaluated("the HTLC's payment_hash is not known") }
        guard let preimage = c.needBytes(\.paymentPreimage) else { return }
        let digest = sha256(preimage)
        if digest != hash {
            c.violation("SHA256(payment_preimage) = \(short(Hex.encode(digest))) is not HTLC \(htlc.id)'s payment_hash \(short(Hex.encode(hash)))")
        }
    }

    static let malformedBadOnion = Rule(
        RuleInfo(
            "malformed-badonion", "update_fail_malformed_htlc sets BADONION", section: removeSection,
            severity: .error,
            spec:
                "A receiving node: if the `BADONION` bit in `failure_code` is not set for `update_fail_malformed_htlc`: MUST send a `warning` and close the connection, or send an `error` and fail the channel.",
            explanation: "`update_fail_malformed_htlc` is only for onions that could not be parsed: its failure code has BADONION (0x8000).",
            example: "→ update_fail_malformed_htlc failure_code=0x4005"),
        on: [.updateFailMalformedHTLC]
    ) { c in
        guard let code = c.need(\.failureCode) else { return }
        if code & 0x8000 == 0 { c.violation("failure_code 0x\(String(code, radix: 16)) lacks the BADONION bit") }
    }

    static let malformedSHA = Rule(
        RuleInfo(
            "malformed-sha", "sha256_of_onion matches the onion", section: removeSection,
            severity: .warning,
            spec:
                "A receiving node: if the `sha256_of_onion` in `update_fail_malformed_htlc` doesn't match the onion it sent and is not all zero: MAY retry or choose an alternate error response.",
            explanation: "The hash should be of the 1366-byte onion the HTLC carried (or all zero).",
            example: "→ update_fail_malformed_htlc sha256_of_onion=(not the onion's hash)"),
        on: [.updateFailMalformedHTLC]
    ) { c in
        guard let htlc = removed(&c) else { return }
        guard let onion = htlc.onionHash else { return c.notEvaluated("the HTLC's onion is not known") }
        guard let hash = c.needBytes(\.sha256OfOnion) else { return }
        if hash != onion && hash.contains(where: { $0 != 0 }) {
            c.violation("sha256_of_onion \(short(Hex.encode(hash))) is not the hash of HTLC \(htlc.id)'s onion")
        }
    }

    static let failBlinded = Rule(
        RuleInfo(
            "fail-blinded", "blinded HTLCs fail with invalid_onion_blinding", section: removeSection,
            severity: .error,
            spec:
                "When failing an incoming HTLC: If `path_key` is set in the incoming `update_add_htlc`: MUST send an `update_fail_malformed_htlc` error using the `invalid_onion_blinding` failure code for any local or downstream errors.",
            explanation:
                "Inside a blinded route errors must not leak: an HTLC whose add carried `path_key` fails only with `update_fail_malformed_htlc` code 0xc018.",
            example: "← update_add_htlc with path_key, → update_fail_htlc"),
        on: [.updateFailHTLC, .updateFailMalformedHTLC]
    ) { c in
        guard let htlc = removed(&c), htlc.blinded else { return }
        if c.kind == .updateFailHTLC {
            c.violation("HTLC \(htlc.id) came with path_key but is failed with update_fail_htlc")
        } else if let code = c.need(\.failureCode), code != 0xc018 {
            c.violation("HTLC \(htlc.id) came with path_key but failure_code is 0x\(String(code, radix: 16)), not 0xc018")
        }
    }

    static let attributionData = Rule(
        RuleInfo(
            "attribution-data", "a removal carries attribution_data when the remover supports it", section: removeSection,
            severity: .error,
            spec:
                "When supporting `option_attribution_data`: if `path_key` is not set in the incoming `update_add_htlc`: MUST initialize `attribution_data` and include it in `update_fail_htlc` and `update_fulfill_htlc`.",
            explanation:
                "Attribution data lets the payer find which hop failed or delayed a payment. A node that offers `option_attribution_data` (bit 36/37 in its `init`) adds it to every removal of an HTLC that did not come through a blinded route.",
            example: "(→ init with feature 37) ← update_add_htlc, → update_fulfill_htlc (no attribution_data)"),
        on: [.updateFulfillHTLC, .updateFailHTLC]
    ) { c in
        guard c.needTLVs() else { return }
        guard let features = c.connection.features[c.direction] else {
            return c.notEvaluated("the sender's `init` is not in the trace")
        }
        guard ConnectionModel.isSet(features, 36) || ConnectionModel.isSet(features, 37) else { return }
        guard let htlc = removed(&c), !htlc.blinded else { return }
        if c.typed.attributionDataRecord == nil {
            c.violation("`\(c.name)` of HTLC \(htlc.id) without attribution_data, although the sender offers option_attribution_data")
        }
    }

    // MARK: commitment_signed and revoke_and_ack

    /// The content counts of the commitment a signing by `signer` would create now:
    /// its own updates, and the peer's updates its revocations acknowledged.
    static func signedContent(_ ch: ChannelModel, _ signer: ChannelModel.Side) -> (own: Int, peer: Int) {
        (ch.ledger.updates[signer].count, ch.ledger.peerUpdatesIncluded(signer: signer, revocations: ch.ledger.revocations[signer]))
    }

    static let commitHasUpdates = Rule(
        RuleInfo(
            "commit-has-updates", "a signing includes updates", section: commitSection,
            severity: .error,
            spec: "A sending node: MUST NOT send a `commitment_signed` message that does not include any updates.",
            explanation:
                "Each signing must cover something new (the ledger, Documentation/channel-model.md): an update the sender sent since its last signing, or a peer update it acknowledged since. An empty signing reveals a duplicate or spurious `commitment_signed`.",
            example: "→ update_add_htlc, → commitment_signed, ← revoke_and_ack, → commitment_signed"),
        on: [.commitmentSigned]
    ) { c in
        guard let ch = c.channel, ch.origin != .unknown else { return c.notEvaluated("the channel's state before the trace is unknown") }
        if ch.isBatchContinuation(c.sender) || ch.isInitialSigning(c.sender) { return }
        if ch.mayRepeat(.commitmentSigned, from: c.sender) {
            return c.notEvaluated(
                "the first signing after a reconnection may repeat an earlier one (the source does not give the channel_reestablish numbers)")
        }
        let now = signedContent(ch, c.sender)
        let before: (own: Int, peer: Int)
        if let last = ch.ledger.signings[c.sender].last {
            before = (last.updates, ch.ledger.peerUpdatesIncluded(signer: c.sender, revocations: last.revocations))
        } else if ch.origin == .opened {
            before = (0, 0)
        } else {
            return c.notEvaluated("no earlier signing of the sender is in the trace")
        }
        guard now == before else { return }
        if !ch.openedOnConnection && ch.signingsOnConnection[c.sender] == 0 {
            return c.notEvaluated("the first signing after a reconnection may be a retransmission")
        }
        c.violation("the signing covers no update: none sent since the sender's last signing, and no peer update newly acknowledged")
    }

    static let commitOneOutstanding = Rule(
        RuleInfo(
            "commit-one-outstanding", "one unanswered signing at a time",
            section: "BOLT #2 §\"revoke_and_ack\"; BOLT #3 §\"Per-commitment Secret Requirements\" (derived)",
            severity: .error,
            spec:
                "A sending node: MUST set `next_per_commitment_point` to the values for its next commitment transaction. (Derived: the peer's point for commitment n+1 arrives only in its `revoke_and_ack` for commitment n, so a node cannot sign n+1 before receiving it.)",
            explanation:
                "Two signings without the peer's `revoke_and_ack` in between are impossible for a correct node: it lacks the next per-commitment point. It catches a node that signs before processing the peer's revocation, or replays a signing.",
            example: "→ commitment_signed, → update_add_htlc, → commitment_signed (before ← revoke_and_ack)"),
        on: [.commitmentSigned]
    ) { c in
        guard let ch = c.channel, ch.origin != .unknown else { return c.notEvaluated("the channel's state before the trace is unknown") }
        if ch.isBatchContinuation(c.sender) || ch.isInitialSigning(c.sender) { return }
        if ch.mayRepeat(.commitmentSigned, from: c.sender) {
            return c.notEvaluated(
                "the first signing after a reconnection may repeat an earlier one (the source does not give the channel_reestablish numbers)")
        }
        let outstanding = ch.ledger.unacknowledgedSignings(c.sender)
        if outstanding > 0 { c.violation("the sender's previous signing is not yet answered by the peer's revoke_and_ack") }
    }

    static let commitNumHTLCs = Rule(
        RuleInfo(
            "commit-num-htlcs", "num_htlcs matches the commitment", section: "\(commitSection); BOLT #3 §\"Trimmed Outputs\"",
            severity: .error,
            spec:
                "A receiving node: once all pending updates are applied: if `num_htlcs` is not equal to the number of HTLC outputs in the local commitment transaction: MUST send a `warning` and close the connection, or send an `error` and fail the channel.",
            explanation:
                "The expected count is the untrimmed HTLCs of the peer's new commitment (the ledger, Documentation/channel-model.md): an HTLC is trimmed when amount/1000 − fee < the peer's dust limit, the fee being feerate × \(Trimming.htlcTimeoutWeight)/1000 (offered by the peer) or × \(Trimming.htlcSuccessWeight)/1000 (received), zero with anchors, at the feerate in that commitment.",
            example: "→ update_add_htlc amount_msat=50000000, → commitment_signed num_htlcs=0"),
        on: [.commitmentSigned]
    ) { c in
        guard let ch = c.htlcTable() else { return }
        if ch.isBatchContinuation(c.sender) || ch.isInitialSigning(c.sender) { return }
        if ch.mayRepeat(.commitmentSigned, from: c.sender) {
            return c.notEvaluated(
                "the first signing after a reconnection may repeat an earlier one (the source does not give the channel_reestablish numbers)")
        }
        guard let count = c.need(\.numHTLCs) else { return }
        let contents = ch.ledger.commitmentContents(signedBy: c.sender)
        let (htlcs, feerate) = (contents.htlcs, contents.feerate)
        guard let feerate else { return c.notEvaluated("the commitment's feerate is not known") }
        guard let expected = ch.untrimmedCount(htlcs, in: c.peer, feerate: feerate) else {
            return c.notEvaluated("an HTLC amount or the dust limit is not known")
        }
        if count != expected {
            c.violation(
                "num_htlcs is \(count); the peer's new commitment has \(expected) untrimmed HTLC\(expected == 1 ? "" : "s") of \(htlcs.count) at feerate \(feerate)",
                field: \TypedMessage.numHTLCs, actual: count, expected: UInt64(expected))
        }
    }

    /// The channel of a `revoke_and_ack` whose numbering the trace knows: `nil` (and "not
    /// evaluated") when the channel's state before the trace is unknown, or the revocation
    /// may repeat one sent before a reconnection.
    static func revocationChannel(_ c: inout Check) -> ChannelModel? {
        guard let ch = c.channel, ch.origin != .unknown else {
            c.notEvaluated("the channel's state before the trace is unknown")
            return nil
        }
        if ch.mayRepeat(.revokeAndAck, from: c.sender) {
            c.notEvaluated(
                "the first revocation after a reconnection may repeat an earlier one (the source does not give the channel_reestablish numbers)")
            return nil
        }
        return ch
    }

    static let revokeSolicited = Rule(
        RuleInfo(
            "raa-solicited", "revoke_and_ack answers a signing", section: "\(revokeSection) (derived)",
            severity: .error,
            spec:
                "A receiving node (of `commitment_signed`): MUST respond with a `revoke_and_ack` message. (Derived: each `revoke_and_ack` answers exactly one earlier signing by the peer.)",
            explanation: "An RAA with no unanswered peer signing means the sender processed a `commitment_signed` twice, or invented one.",
            example: "← commitment_signed, → revoke_and_ack, → revoke_and_ack"),
        on: [.revokeAndAck]
    ) { c in
        guard let ch = revocationChannel(&c) else { return }
        if ch.ledger.revocations[c.sender] >= ch.ledger.signings[c.peer].count {
            if ch.lastSigningBatched[c.peer] { return }  // raa-single-per-batch
            c.violation(
                "no signing of the peer is waiting for a revocation (\(ch.ledger.signings[c.peer].count) signing\(ch.ledger.signings[c.peer].count == 1 ? "" : "s"), \(ch.ledger.revocations[c.sender]) revoked)"
            )
        }
    }

    static let revokeOncePerBatch = Rule(
        RuleInfo(
            "raa-single-per-batch", "one revoke_and_ack answers a batch", section: revokeSection,
            severity: .error,
            spec:
                "A sending node: … MUST send a single `revoke_and_ack` message, even if it is responding to a batch of `commitment_signed` messages.",
            explanation:
                "A batch (`start_batch`, then its `commitment_signed` messages) is one signing: a second `revoke_and_ack` after the one that answered it answers nothing. A spare revocation after a single `commitment_signed` is `raa-solicited`'s.",
            example: "← start_batch batch_size=2, ← commitment_signed, ← commitment_signed, → revoke_and_ack, → revoke_and_ack"),
        on: [.revokeAndAck]
    ) { c in
        guard let ch = revocationChannel(&c) else { return }
        if ch.ledger.revocations[c.sender] >= ch.ledger.signings[c.peer].count && ch.lastSigningBatched[c.peer] {
            c.violation("a second `revoke_and_ack` for the peer's batch of `commitment_signed`, which one revocation answers")
        }
    }

    static let revokeSecret = Rule(
        RuleInfo(
            "raa-secret", "the secret matches the revoked commitment's point", section: revokeSection,
            severity: .error,
            spec:
                "A sending node: MUST set `per_commitment_secret` to the secret used to generate keys for the previous commitment transaction. A receiving node: if `per_commitment_secret` is not a valid secret key or does not generate the previous `per_commitment_point`: MUST send an `error` and fail the channel.",
            explanation:
                "The k-th revocation reveals the secret of commitment k−1: secret·G must equal that commitment's point (from open/accept, channel_ready, or the revocation before). Checked with libsecp256k1; any off-by-one in commitment numbering fails here.",
            example: "→ revoke_and_ack per_commitment_secret=(the secret of the wrong commitment)"),
        on: [.revokeAndAck], offloads: true
    ) { c in
        guard let ch = revocationChannel(&c) else { return }
        let number = ch.ledger.nextRevoked(c.sender)
        if pointFromChannelReady(ch, number) { return }  // ready-second-point
        secretMatches(&c, ch, number)
    }

    /// Whether commitment `number`'s point is the `second_per_commitment_point` of a v1
    /// opening's `channel_ready`.
    static func pointFromChannelReady(_ ch: ChannelModel, _ number: UInt64) -> Bool {
        number == 1 && ch.origin == .opened && !ch.dualFunded
    }

    /// Whether the revealed secret is the secret of commitment `number`'s point.
    static func secretMatches(_ c: inout Check, _ ch: ChannelModel, _ number: UInt64) {
        guard let point = ch.points[c.sender][number] else { return c.notEvaluated("the point of commitment \(number) is not in the trace") }
        guard let secret = c.needBytes(\.perCommitmentSecret) else { return }
        c.offload {
            guard let derived = Secp256k1.publicKey(secret: secret) else {
                return Verdict(outcome: .violation("per_commitment_secret is not a valid secret key", crossing: false), evidence: nil)
            }
            if derived != point.bytes {
                return Verdict(
                    outcome: .violation(
                        "per_commitment_secret·G = \(short(Hex.encode(derived))) is not commitment \(number)'s point \(short(point.hex))",
                        crossing: false),
                    evidence: nil)
            }
            return .passed
        }
    }

    static let readySecondPoint = Rule(
        RuleInfo(
            "ready-second-point", "channel_ready's second point is commitment 1's", section: "BOLT #2 §\"The channel_ready Message\" Requirements",
            severity: .error,
            spec:
                "The sender: MUST set `second_per_commitment_point` to the per-commitment point to be used for commitment transaction #1.",
            explanation:
                "The point cannot be checked when `channel_ready` arrives; the `revoke_and_ack` that revokes commitment 1 reveals its secret, and secret·G must be the point `channel_ready` sent (checked with libsecp256k1). The other revocations are `raa-secret`'s.",
            example: "→ channel_ready second_per_commitment_point=P, …, → revoke_and_ack (commitment 1) per_commitment_secret=s with s·G ≠ P"),
        on: [.revokeAndAck], offloads: true
    ) { c in
        guard let ch = revocationChannel(&c) else { return }
        let number = ch.ledger.nextRevoked(c.sender)
        guard pointFromChannelReady(ch, number) else { return }
        secretMatches(&c, ch, number)
    }

    static let revokeShachain = Rule(
        RuleInfo(
            "raa-shachain", "per-commitment secrets come from one shachain seed",
            section: "\(revokeSection); BOLT #3 §\"Per-commitment Secret Requirements\"", severity: .warning,
            spec:
                "A receiving node: if the `per_commitment_secret` was not generated by the protocol in BOLT #3: MAY send a `warning` and close the connection, or send an `error` and fail the channel. (BOLT #3: the secret of commitment n has index 2^48 − 1 − n; a receiver keeps at most 49 secrets and checks that each new one derives every earlier one it keeps.)",
            explanation:
                "A node derives all its per-commitment secrets from one seed, so that its peer can store them in 49 slots. A secret that does not derive the ones revealed before it (checked with BOLT #3's `insert_secret`) means the sender's seed or its commitment numbering changed: its peer can no longer keep its revocation secrets compactly, and may fail the channel.",
            example:
                "→ revoke_and_ack (commitment 0), → revoke_and_ack per_commitment_secret=(not derived from the same seed; its point was sent ahead)"),
        on: [.revokeAndAck]
    ) { c in
        guard let ch = revocationChannel(&c) else { return }
        guard let secret = c.needBytes(\.perCommitmentSecret) else { return }
        let number = ch.ledger.nextRevoked(c.sender)
        switch ch.revealedSecrets[c.sender].judge(secret, commitment: number, point: ch.points[c.sender][number]) {
        case .consistent: break
        case .malformed: c.violation("per_commitment_secret is not 32 bytes")
        case .otherSeed:
            c.violation(
                "the secret of commitment \(number) does not derive the secrets of earlier commitments revealed before it: not from the same shachain seed"
            )
        }
    }

    static let revokeNextPoint = Rule(
        RuleInfo(
            "raa-next-point", "next_per_commitment_point is a valid point", section: revokeSection,
            severity: .error,
            spec: "A sending node: MUST set `next_per_commitment_point` to the values for its next commitment transaction.",
            explanation: "The point must be a valid secp256k1 point; a later revocation proves it against its secret (raa-secret).",
            example: "→ revoke_and_ack next_per_commitment_point=02000…00"),
        on: [.revokeAndAck], offloads: true
    ) { c in
        guard let point = c.needBytes(\.nextPerCommitmentPoint) else { return }
        c.offload {
            Secp256k1.isValidPoint(point)
                ? .passed
                : Verdict(
                    outcome: .violation("next_per_commitment_point \(short(Hex.encode(point))) is not a valid secp256k1 point", crossing: false),
                    evidence: nil)
        }
    }

    static let feeFunderOnly = Rule(
        RuleInfo(
            "fee-funder-only", "only the opener sends update_fee", section: "BOLT #2 §\"Updating Fees: update_fee\" Requirements",
            severity: .error,
            spec: "The node _not responsible_ for paying the Bitcoin fee: MUST NOT send `update_fee`.",
            explanation: "The opener pays the commitment fee and alone sets its rate.",
            example: "→ open_channel, … ← update_fee"),
        on: [.updateFee]
    ) { c in
        guard let ch = c.known(.opened), let opener = ch.opener else { return }
        if c.sender != opener { c.violation("update_fee from the node that did not open the channel") }
    }

    static let commitFundingTxid = Rule(
        RuleInfo(
            "commit-funding-txid", "funding_txid names the funding transaction", section: commitSection,
            severity: .error,
            spec: "A sending node: … MUST set `funding_txid` to the funding transaction spent by this commitment transaction.",
            explanation:
                "The `funding_txid` record (TLV 1) says which funding output the signed commitment spends: for a channel without a pending splice, the one `funding_created` named. Nodes written before splicing omit the record, which is not judged; while splices are pending, each member of a batch names its own funding transaction, which the model does not rebuild.",
            example: "→ funding_created funding_txid=aa…, …, → commitment_signed funding_txid=bb…"),
        on: [.commitmentSigned]
    ) { c in
        guard let ch = c.known(.opened), c.needTLVs(), let named = c.typed.fundingTxidRecord else { return }
        guard !ch.spliced, ch.pendingSplices == 0 else { return c.notEvaluated("the channel was spliced: its funding transaction is not modelled") }
        guard let funding = ch.fundingTxid else { return c.notEvaluated("the funding transaction's id is not in the trace (a v2 opening builds it)") }
        if named != funding {
            c.violation("funding_txid \(short(named.hex)) is not the channel's funding transaction \(short(funding.hex))")
        }
    }
}
