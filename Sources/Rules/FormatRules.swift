import Wire

/// BOLT #1 §"Lightning Message Format", §"Type-Length-Value Format" and §"Fundamental
/// Types" as rules: a message that does not decode is judged by the requirement its bytes
/// break, with the decoder's field path and offset as evidence. Every decoded message
/// passes them.
enum FormatRules {
    static let all: [Rule] = [tooShort, tlvOrder, tlvMinimal, tlvOverrun, tlvKnownLength, tlvUnknownEven, messageLength]

    static let formatSection = "BOLT #1 §\"Lightning Message Format\""
    static let tlvSection = "BOLT #1 §\"Type-Length-Value Format\" Requirements"

    /// The ids of these rules: the only ones a message that did not decode is judged by.
    static let ids = Set(all.map(\.info.id))

    /// A rule that fails a message whose decoding failed with an error it `matches`.
    static func rule(_ info: RuleInfo, _ matches: @escaping @Sendable (WireError) -> Bool) -> Rule {
        Rule(info, on: everyMessage) { c in
            guard case let .undecodable(_, _, error) = c.event.content, matches(error) else { return }
            c.violation(error.description)
        }
    }

    static func inTLVs(_ error: WireError) -> Bool { error.field.contains("tlvs") }

    /// A TLV record cut short in its `type` or `length` (rather than in a known value).
    static func inRecordHeader(_ error: WireError) -> Bool {
        inTLVs(error) && (error.field.hasSuffix(".type") || error.field.hasSuffix(".length"))
    }

    static let tooShort = rule(
        RuleInfo(
            "fmt-known-too-short", "a known message holds all its fields", section: formatSection,
            severity: .error,
            spec: "A receiving node: upon receiving a known message with insufficient length for the contents: MUST close the connection.",
            explanation: "A message of a type this specification defines must carry every one of its fields; the sender cut it short.",
            example: "→ ping num_pong_bytes=4 (no byteslen)")
    ) { error in
        switch error.kind {
        case .truncated, .arrayRemainder: !inTLVs(error)
        default: false
        }
    }

    static let tlvOrder = rule(
        RuleInfo(
            "fmt-tlv-order", "TLV records in increasing type order", section: tlvSection,
            severity: .error,
            spec:
                "The sending node: MUST order `tlv_record`s in a `tlv_stream` by strictly-increasing `type`, hence MUST not produce more than a single TLV record with the same `type`. The receiving node: if decoded `type`s are not strictly-increasing (including situations when two or more occurrences of the same `type` are met): MUST fail to parse the `tlv_stream`.",
            explanation: "A TLV stream lists each record type once, in increasing order.",
            example: "→ channel_ready with two short_channel_id records")
    ) { error in
        switch error.kind {
        case .tlvNotIncreasing, .tlvDuplicate: true
        default: false
        }
    }

    static let tlvMinimal = rule(
        RuleInfo(
            "fmt-tlv-minimal", "BigSize in its shortest form", section: tlvSection,
            severity: .error,
            spec:
                "The sending node: MUST minimally encode `type` and `length`. The receiving node: if a `type` or `length` is not minimally encoded: MUST fail to parse the `tlv_stream`.",
            explanation: "A BigSize value has one encoding: `fd00fc` for 252 is invalid, as 252 fits in one byte.",
            example: "→ a TLV record of type fd0001")
    ) { error in
        if case .nonMinimalBigSize = error.kind { return true }
        return false
    }

    static let tlvOverrun = rule(
        RuleInfo(
            "fmt-tlv-overrun", "a TLV record within its stream", section: tlvSection,
            severity: .error,
            spec: "The receiving node: if `length` exceeds the number of bytes remaining in the message: MUST fail to parse the `tlv_stream`.",
            explanation:
                "A record's `length` counts bytes that must be there; a record whose `type` or `length` is itself cut off by the end of the message is short the same way.",
            example: "→ a TLV record of length 8 with 2 bytes left")
    ) { error in
        switch error.kind {
        case .tlvLengthOverrun: true
        case .truncated: inRecordHeader(error)
        default: false
        }
    }

    static let tlvKnownLength = rule(
        RuleInfo(
            "fmt-tlv-known-length", "a known TLV record of its length", section: tlvSection,
            severity: .error,
            spec:
                "The receiving node: if `type` is known: … if `length` is not exactly equal to that required for the known encoding for `type`: MUST fail to parse the `tlv_stream`. If variable-length fields within the known encoding for `type` are not minimal: MUST fail to parse the `tlv_stream`.",
            explanation: "A record of a type this specification defines holds exactly its fields: no byte missing, none left over.",
            example: "→ channel_ready short_channel_id record of 7 bytes")
    ) { error in
        switch error.kind {
        case .tlvValueTooLong: true
        case .truncated: inTLVs(error) && !inRecordHeader(error)
        case .arrayRemainder: inTLVs(error)
        default: false
        }
    }

    static let tlvUnknownEven = rule(
        RuleInfo(
            "fmt-tlv-unknown-even", "no unknown even TLV record", section: "\(tlvSection); BOLT #1 §\"Lightning Message Format\"",
            severity: .error,
            spec:
                "The receiving node: if `type` is not known: if `type` is even: MUST fail to parse the `tlv_stream`; otherwise, if `type` is odd: MUST discard the next `length` bytes. The sending node: MUST NOT send evenly-typed TLV records in the `extension` without prior negotiation.",
            explanation: "\"It's ok to be odd\": an unknown odd record is skipped, an unknown even one makes the message unreadable.",
            example: "→ channel_ready with a TLV record of type 2")
    ) { error in
        if case .tlvUnknownEven = error.kind { return true }
        return false
    }

    static let messageLength = rule(
        RuleInfo(
            "tr-max-len", "a message holds its type and at most 65535 bytes", section: "BOLT #8 §\"Lightning Message Specification\"",
            severity: .error,
            spec:
                "The *maximum* size of _any_ Lightning message MUST NOT exceed `65535` bytes. (BOLT #1: a message is a 2-byte type followed by its payload.)",
            explanation:
                "A frame's length field cannot say more than 65535 bytes, so the maximum holds for every decrypted message; one shorter than 2 bytes has no room for its type and is no Lightning message at all.",
            example: "→ a frame whose plaintext is one byte")
    ) { error in
        if case .missingType = error.kind { return true }
        return false
    }
}
