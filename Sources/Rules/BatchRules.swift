import Wire

/// BOLT #2 §"Batching channel messages": `start_batch` and the `commitment_signed` messages it
/// groups (one per funding transaction while splices are pending).
enum BatchRules {
    static let all: [Rule] = [size, messageType, contiguous, whenSplices]

    static let section = "BOLT #2 §\"Batching channel messages\" Requirements"

    static let size = Rule(
        RuleInfo(
            "batch-size", "batch_size from 2 to 20", section: section,
            severity: .error,
            spec:
                "A sending node: MUST set `batch_size` to a value strictly greater than 1. MUST set `batch_size` to a value lower than or equal to 20. A receiving node: if `batch_size` is not strictly greater than 1: MUST ignore the `start_batch` message; if `batch_size` is strictly greater than 20: MUST send a `warning` and close the connection, or send an `error` and fail the channel.",
            explanation:
                "A batch groups at least two `commitment_signed`, and at most 20 (splice RBF attempts are few; the bound protects the receiver).",
            example: "→ start_batch batch_size=21"), on: [.startBatch]
    ) { c in
        guard let size = c.need(\.batchSize) else { return }
        if size < 2 || size > 20 {
            c.violation("batch_size is \(size)", field: \TypedMessage.batchSize, actual: UInt64(size), minimum: 2, maximum: 20)
        }
    }

    static let messageType = Rule(
        RuleInfo(
            "batch-type", "start_batch announces commitment_signed", section: section,
            severity: .error,
            spec:
                "A sending node: MUST set `message_type` to `132` (`commitment_signed`). A receiving node: if `message_type` is missing or not set to the type for `commitment_signed`: MUST ignore the `start_batch` message and process the following messages sequentially.",
            explanation:
                "Only `commitment_signed` is batched today; a `start_batch` without `message_type` 132 is ignored by the receiver, so its messages are not grouped.",
            example: "→ start_batch batch_size=2 (no message_type)"), on: [.startBatch]
    ) { c in
        let type = c.typed.messageTypeRecord
        if type == nil, case .partial = c.event.content {
            return c.notEvaluated("the source does not give the message's TLV records")
        }
        guard let type else { return c.violation("`message_type` is missing") }
        if type != 132 { c.violation("`message_type` is \(type), not 132 (`commitment_signed`)") }
    }

    static let contiguous = Rule(
        RuleInfo(
            "batch-contiguous", "a batch's messages without others between", section: section,
            severity: .error,
            spec:
                "A sending node: after sending `start_batch`: MUST send `batch_size` `commitment_signed` messages for the same `channel_id`, without any other unrelated messages in-between. A receiving node: MUST group the next `batch_size` messages and process them together; if one of those messages is not for the specified `channel_id`: MUST send a `warning` and close the connection, or send an `error` and fail the channel.",
            explanation:
                "The receiver takes the next `batch_size` messages from the sender as the batch: any other message among them, or a `commitment_signed` for another channel, breaks it. Only the sender's direction counts.",
            example: "→ start_batch batch_size=2, → commitment_signed, → update_add_htlc"), on: everyMessage
    ) { c in
        guard let batch = c.connection.batch[c.direction] else { return }
        if c.kind == .commitmentSigned && c.typed.channelID == batch.channel { return }
        let member = batch.size - batch.remaining + 1
        c.violation("`\(c.name)` as message \(member) of a batch of \(batch.size) `commitment_signed`")
    }

    static let whenSplices = Rule(
        RuleInfo(
            "batch-when-splices", "one commitment_signed per funding while splices are pending",
            section: "BOLT #2 §\"Committing Updates So Far: commitment_signed\" Requirements",
            severity: .error,
            spec:
                "If there are `N` pending splice transactions (with `N` greater than `0`): MUST send `start_batch` first with `batch_size` set to `N + 1`. MUST send `commitment_signed` for the current channel funding output. MUST send `commitment_signed` for each of the pending splice transactions.",
            explanation:
                "Until a splice is locked (`splice_locked` both ways), the channel has one commitment per funding transaction, the current one and each signed splice (or RBF of it): every signing covers them all, as one batch. The commitments of a new splice's own negotiation are not batched.",
            example: "→ tx_signatures, ← tx_signatures (splice), → update_add_htlc, → commitment_signed (no start_batch)"),
        on: [.commitmentSigned, .startBatch]
    ) { c in
        guard let ch = c.channel, ch.pendingSplices > 0 else { return }
        let expected = ch.pendingSplices + 1
        if c.kind == .startBatch {
            guard let size = c.need(\.batchSize) else { return }
            if Int(size) != expected {
                c.violation(
                    "batch_size is \(size) with \(ch.pendingSplices) splice\(ch.pendingSplices == 1 ? "" : "s") pending",
                    field: \TypedMessage.batchSize, actual: UInt64(size), expected: UInt64(expected))
            }
        } else if !ch.isInitialSigning(c.sender) && c.connection.batch[c.direction] == nil {
            c.violation("`commitment_signed` outside a batch while \(ch.pendingSplices) splice\(ch.pendingSplices == 1 ? " is" : "s are") pending")
        }
    }
}
