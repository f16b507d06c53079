/// The requirements of BOLT #1, #2 and #7 in lntrace's catalog (Documentation/rules.md, "Rules
/// and the rest of the catalog") that are not rules of their own: those that need what a
/// trace does not hold, those judged by another rule, and those not implemented yet.
/// `lntrace rules --all` lists them after the rules.
public struct CatalogEntry: Sendable, Equatable {
    public enum Status: Sendable, Equatable {
        /// Needs chain data, the block height, a node's clock or policy, or private keys.
        case notCheckable(reason: String)
        /// The same requirement, or a case of one, checked under another rule's id.
        case judgedBy(rule: String, note: String)
        /// Checkable from a trace; not implemented yet.
        case planned
    }

    public var id: String
    /// The catalog's area (`connection`, `splicing`, `channel_update`, …).
    public var area: String
    public var status: Status

    /// Every catalog requirement that is not a rule, in catalog order within each kind.
    public static let all: [CatalogEntry] = notCheckable + judgedElsewhere + planned

    static let notCheckable: [CatalogEntry] = [
        CatalogEntry(
            id: "tr-mac", area: "connection",
            status: .notCheckable(
                reason:
                    "offline, a frame whose MAC fails cannot be told from a capture that lost or corrupted bytes, or from a wrong key: lntrace reports it as the input diagnostic bolt8.decrypt-failed at its frame, with the messages decrypted before it"
            )),
        CatalogEntry(
            id: "conn-errwarn-unknown-cid", area: "connection",
            status: .notCheckable(
                reason:
                    "whether the channel an `error` or `warning` names is unknown to its receiver needs all the receiver's channels: one the trace never shows may be open from before, and the receiver then acts on it"
            )),
        CatalogEntry(
            id: "cu-scid-known", area: "channel_update",
            status: .notCheckable(
                reason:
                    "ignoring a `channel_update` of a channel never announced leaves nothing on the wire; whether the channel is one of the receiver's own needs all its connections"
            )),
        CatalogEntry(
            id: "cu-redundant", area: "channel_update",
            status: .notCheckable(
                reason:
                    "an update that looks redundant may be the net of a disable and an enable batched together, which BOLT #7's rationale calls inevitable: the trace cannot tell it from a redundant one"
            )),
        CatalogEntry(
            id: "fmt-tlv-end", area: "message format and TLV",
            status: .notCheckable(
                reason:
                    "holds for every byte string: a stream ends where its bytes end, and an empty stream is valid; a record cut short is fmt-tlv-overrun"
            )),
        CatalogEntry(
            id: "fmt-features-padding", area: "message format and TLV",
            status: .notCheckable(reason: "holds for every byte string: a feature bitmap is a whole number of bytes, so it is always padded")),
        CatalogEntry(
            id: "itx-output-script", area: "interactive-tx",
            status: .notCheckable(
                reason:
                    "a node may send `tx_abort` for any reason (BOLT #2), so one after an output with a standard script does not show that the script was refused"
            )),
        CatalogEntry(
            id: "fmt-max-size", area: "message format and TLV",
            status: .notCheckable(
                reason:
                    "no transport carries a longer message, so no capture shows one; a longer line of a log or hex dump is reported as malformed input (wire.malformed)"
            )),
        CatalogEntry(
            id: "fmt-tu-minimal", area: "message format and TLV",
            status: .notCheckable(
                reason: "no message of BOLT #1, #2 or #7 has a truncated-integer field: they are in onion payloads (BOLT #4), which need private keys"
            )),
        CatalogEntry(
            id: "fmt-tu-amount-bound", area: "message format and TLV",
            status: .notCheckable(
                reason:
                    "no message of BOLT #1, #2 or #7 has a truncated-integer amount: they are in onion payloads (BOLT #4), which need private keys")),
        CatalogEntry(
            id: "conn-ping-no-fail", area: "connection",
            status: .notCheckable(
                reason: "a ping \"timeout\" is the node's own policy; the trace cannot tell a failed channel from one failed for another reason")),
        CatalogEntry(
            id: "conn-single-connection", area: "connection",
            status: .notCheckable(reason: "needs every connection of the two nodes, across networks and captures")),
        CatalogEntry(
            id: "ready-min-depth", area: "v1 establishment",
            status: .notCheckable(reason: "needs the funding transaction's confirmations (chain data)")),
        CatalogEntry(
            id: "itx-confirmed-inputs", area: "interactive-tx",
            status: .notCheckable(reason: "needs to know whether each input is confirmed (chain data)")),
        CatalogEntry(
            id: "add-onion", area: "update_add_htlc", status: .notCheckable(reason: "decrypting the onion needs the receiving node's private key")),
        CatalogEntry(
            id: "commit-ping-first", area: "commitment_signed, revoke_and_ack, batching",
            status: .notCheckable(reason: "\"recently received\" is the node's own policy")),
        CatalogEntry(
            id: "fee-reasonable", area: "update_fee",
            status: .notCheckable(reason: "\"too low\" and \"unreasonably large\" are judged against the node's fee estimates")),
        CatalogEntry(
            id: "fwd-incoming-committed", area: "forwarding",
            status: .notCheckable(
                reason: "which incoming HTLC an outgoing one forwards is known only from the onion (private keys) or the node's database")),
        CatalogEntry(
            id: "fwd-fail-incoming", area: "forwarding",
            status: .notCheckable(
                reason: "which incoming HTLC an outgoing one forwards is known only from the onion (private keys) or the node's database")),
        CatalogEntry(
            id: "fwd-fulfill-upstream", area: "forwarding",
            status: .notCheckable(
                reason: "which incoming HTLC an outgoing one forwards is known only from the onion (private keys) or the node's database")),
        CatalogEntry(id: "htlc-timeout-fail", area: "forwarding", status: .notCheckable(reason: "needs the block height")),
        CatalogEntry(id: "spl-rbf-many", area: "splicing", status: .notCheckable(reason: "\"high enough\" feerate is judged against the mempool")),
        CatalogEntry(
            id: "lcs-no-overlap", area: "legacy close", status: .notCheckable(reason: "\"a reasonable amount of time\" is the node's own policy")),
        CatalogEntry(
            id: "lcs-timeout", area: "legacy close", status: .notCheckable(reason: "\"a reasonable amount of time\" is the node's own policy")),
        CatalogEntry(
            id: "re-open-remember", area: "reestablish",
            status: .notCheckable(reason: "whether the funder broadcast the funding transaction is known only to it and the chain")),
        CatalogEntry(
            id: "as-splice", area: "announcement_signatures",
            status: .notCheckable(reason: "needs the splice transaction's confirmations (chain data)")),
        CatalogEntry(
            id: "ca-depth", area: "channel_announcement and node_announcement",
            status: .notCheckable(reason: "needs the funding transaction's confirmations (chain data)")),
    ]

    static let judgedElsewhere: [CatalogEntry] = [
        CatalogEntry(
            id: "re-undo-uncommitted", area: "reestablish",
            status: .judgedBy(
                rule: "add-id-increment",
                note:
                    "and every ledger rule: the channel model drops each side's updates not yet signed for when a connection ends, and HTLC ids roll back with them (valid lives undo-then-reoffer, undo-before-stfu)"
            )),
        CatalogEntry(
            id: "stfu-termination", area: "quiescence",
            status: .judgedBy(
                rule: "stfu-no-updates",
                note:
                    "(and rm-quiescent, fee-quiescent), for which quiescence ends when a splice's `tx_signatures` arrives, and also at `tx_abort` (implementations resume after an aborted splice; the spec is silent)"
            )),
        CatalogEntry(
            id: "re-closing-restart", area: "reestablish",
            status: .judgedBy(rule: "lcs-strictly-between", note: "whose fee history starts again on each connection")),
        CatalogEntry(
            id: "raa-no-splice-ack", area: "commitment_signed, revoke_and_ack, batching",
            status: .judgedBy(
                rule: "spl-commit",
                note:
                    "which reports a `revoke_and_ack` that answers only a splice's `commitment_signed` (raa-solicited reports it too: no signing waits for it)"
            )),
        CatalogEntry(
            id: "add-after-shutdown", area: "update_add_htlc",
            status: .judgedBy(rule: "sd-no-add", note: "the same requirement (BOLT #2 §\"Closing Initiation: shutdown\")")),
        CatalogEntry(
            id: "add-quiescent", area: "update_add_htlc",
            status: .judgedBy(rule: "stfu-no-updates", note: "the same requirement, for `update_add_htlc`")),
        CatalogEntry(
            id: "v2-needs-dualfund", area: "v2 establishment",
            status: .judgedBy(rule: "conn-feature-gated", note: "which also covers `accept_channel2` and the interactive-transaction messages")),
        CatalogEntry(
            id: "v1-reopen", area: "v1 establishment",
            status: .judgedBy(
                rule: "v1-sequence",
                note: "a new `open_channel` after a reconnection, before `funding_created`, starts a new opening, judged from its `accept_channel` on"
            )),
        CatalogEntry(
            id: "v2-reserve", area: "v2 establishment",
            status: .judgedBy(
                rule: "add-fee-reserve",
                note: "which holds each side of a v2 channel to 1% of the capacity, and at least both dust limits, as its reserve")),
    ]

    static let planned: [CatalogEntry] = []
}
