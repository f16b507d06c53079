import Foundation
import Provenance
import Wire

/// LDK's wire-message trace lines (`lightning/src/ln/peer_handler.rs`), as ldk-node and most
/// LDK applications write them:
///
///     2024-02-12 13:54:53.353 TRACE [lightning::ln::peer_handler:1240] Enqueueing message Init { … } to 02cc…56d0
///     2023-06-02 19:18:51.382 TRACE [lightning::ln::peer_handler:1381] Received message ChannelReestablish(ChannelReestablish { … }) from 02…
///
/// "Enqueueing" is logged when the message is queued, not when it is written. Fields come
/// from Rust's `Debug` output, by name. LDK 0.3 moved the peer out of the message text; a
/// `p:` context column (six hex digits) is used then.
public struct LdkLogParser: LogParser {
    public let file: String
    public private(set) var skippedLines = 0

    public init(file: String) {
        self.file = file
    }

    public mutating func flush() -> [LogEvent] { [] }

    /// Rust message names → spec names.
    static let names: [String: String] = [
        "Init": "init", "ErrorMessage": "error", "Error": "error", "WarningMessage": "warning", "Warning": "warning",
        "Ping": "ping", "Pong": "pong", "OpenChannel": "open_channel", "AcceptChannel": "accept_channel",
        "OpenChannelV2": "open_channel2", "AcceptChannelV2": "accept_channel2",
        "FundingCreated": "funding_created", "FundingSigned": "funding_signed", "ChannelReady": "channel_ready",
        "Shutdown": "shutdown", "ClosingSigned": "closing_signed", "ClosingComplete": "closing_complete", "ClosingSig": "closing_sig",
        "UpdateAddHTLC": "update_add_htlc", "UpdateFulfillHTLC": "update_fulfill_htlc", "UpdateFailHTLC": "update_fail_htlc",
        "UpdateFailMalformedHTLC": "update_fail_malformed_htlc", "CommitmentSigned": "commitment_signed",
        "RevokeAndACK": "revoke_and_ack", "UpdateFee": "update_fee", "ChannelReestablish": "channel_reestablish",
        "Stfu": "stfu", "SpliceInit": "splice_init", "SpliceAck": "splice_ack", "SpliceLocked": "splice_locked",
        "TxAddInput": "tx_add_input", "TxAddOutput": "tx_add_output", "TxRemoveInput": "tx_remove_input",
        "TxRemoveOutput": "tx_remove_output", "TxComplete": "tx_complete", "TxSignatures": "tx_signatures",
        "TxInitRbf": "tx_init_rbf", "TxAckRbf": "tx_ack_rbf", "TxAbort": "tx_abort", "StartBatch": "start_batch",
        "AnnouncementSignatures": "announcement_signatures", "ChannelAnnouncement": "channel_announcement",
        "NodeAnnouncement": "node_announcement", "ChannelUpdate": "channel_update",
        "QueryShortChannelIds": "query_short_channel_ids", "ReplyShortChannelIdsEnd": "reply_short_channel_ids_end",
        "QueryChannelRange": "query_channel_range", "ReplyChannelRange": "reply_channel_range",
        "GossipTimestampFilter": "gossip_timestamp_filter",
    ]

    /// LDK field names → spec names (kind: `*` point, `#` signature, `=` signature list,
    /// `:` short_channel_id, `~` TLV record `record.field`).
    static let fieldNames: [String: String] = [
        "channel_id": "channel_id", "temporary_channel_id": "temporary_channel_id", "htlc_id": "id",
        "amount_msat": "amount_msat", "payment_hash": "payment_hash", "cltv_expiry": "cltv_expiry",
        "payment_preimage": "payment_preimage", "sha256_of_onion": "sha256_of_onion", "failure_code": "failure_code",
        "signature": "#signature", "htlc_signatures": "=htlc_signature", "per_commitment_secret": "per_commitment_secret",
        "next_per_commitment_point": "*next_per_commitment_point", "feerate_per_kw": "feerate_per_kw",
        "next_local_commitment_number": "next_commitment_number", "next_remote_commitment_number": "next_revocation_number",
        "your_last_per_commitment_secret": "your_last_per_commitment_secret",
        "my_current_per_commitment_point": "*my_current_per_commitment_point", "scriptpubkey": "scriptpubkey",
        "fee_satoshis": "fee_satoshis", "funding_output_index": "funding_output_index", "chain_hash": "chain_hash",
        "funding_satoshis": "funding_satoshis", "push_msat": "push_msat", "dust_limit_satoshis": "dust_limit_satoshis",
        "max_htlc_value_in_flight_msat": "max_htlc_value_in_flight_msat", "channel_reserve_satoshis": "channel_reserve_satoshis",
        "htlc_minimum_msat": "htlc_minimum_msat", "commitment_feerate_sat_per_1000_weight": "feerate_per_kw",
        "to_self_delay": "to_self_delay", "max_accepted_htlcs": "max_accepted_htlcs", "minimum_depth": "minimum_depth",
        "funding_pubkey": "*funding_pubkey", "revocation_basepoint": "*revocation_basepoint",
        "payment_point": "*payment_basepoint", "payment_basepoint": "*payment_basepoint",
        "delayed_payment_basepoint": "*delayed_payment_basepoint", "htlc_basepoint": "*htlc_basepoint",
        "first_per_commitment_point": "*first_per_commitment_point", "channel_flags": "channel_flags",
        "short_channel_id": ":short_channel_id", "node_signature": "#node_signature", "bitcoin_signature": "#bitcoin_signature",
        "initiator": "initiator", "ponglen": "num_pong_bytes", "byteslen": "byteslen", "data": "data",
        "blinding_point": "~blinded_path.path_key", "short_channel_id_alias": "~short_channel_id.alias",
    ]

    public mutating func parse(_ line: LineReader.Line) -> [LogEvent] {
        let bytes = line.bytes
        let direction: Direction
        let start: Int
        if let at = LogText.find("Received message ", in: bytes) {
            (direction, start) = (.in, at + 17)
        } else if let at = LogText.find("Enqueueing message ", in: bytes) {
            (direction, start) = (.out, at + 19)
        } else {
            skippedLines += 1
            return []
        }
        let stamp = LogText.firstTimestamp(bytes[..<start], window: 48)
        var body = Substring(LogText.string(bytes[start...]))
        var peer: String?
        // "… from <66 hex>" / "… to <66 hex>" (LDK ≤ 0.2).
        for suffix in [" from ", " to "] {
            if let range = body.lastRange(of: suffix) {
                let id = body[range.upperBound...].trimmingSpaces()
                if id.count == 66, Hex.decode(id) != nil {
                    peer = id
                    body = body[..<range.lowerBound]
                    break
                }
            }
        }
        if peer == nil, let p = LogText.find(" p:", in: bytes[..<start]) {
            let id = bytes[(p + 3)...].prefix { LogText.isHex($0) }
            if id.count >= 6 { peer = LogText.string(id) }
        }
        var value = DebugParser.parse(body)
        // The enum wrapper: UpdateAddHTLC(UpdateAddHTLC { … }).
        if case let .call(_, args) = value, args.count == 1, case .record = args[0] { value = args[0] }
        let typeName: String
        switch value {
        case let .record(name, _): typeName = name
        case let .call(name, _): typeName = name
        case let .atom(name): typeName = name
        default: typeName = ""
        }
        guard let name = Self.names[typeName] else {
            if typeName.hasPrefix("Unknown") || typeName.hasPrefix("Custom") {
                skippedLines += 1
                return []
            }
            let location = SourceLocation(file: file, line: line.number)
            return [.diagnostic(Diagnostic(.warning, "ldk.unknown-message", at: location, "unrecognised message '\(typeName)'"))]
        }
        var b = PartialBuilder(name: name)
        Self.collect(value, into: &b)
        // Names LDK shares between messages where the spec does not.
        let renames: [String: [String: String]] = [
            "channel_ready": ["next_per_commitment_point": "second_per_commitment_point"],
            "update_fail_htlc": ["data": "reason"],
        ]
        for (from, to) in renames[name] ?? [:] {
            if let value = b.message.fields[from] {
                b.message.fields.removeAll { $0.name == from }
                b.set(to, value)
            }
        }
        return [.message(LogMessage(line: line.number, timeText: stamp?.1, time: stamp?.0, peer: peer,
                                    direction: direction, content: .partial(b.message)))]
    }

    /// Sets every known field of a record (and of records nested in it).
    static func collect(_ value: DebugValue, into b: inout PartialBuilder) {
        guard case let .record(_, fields) = value else { return }
        for (name, raw) in fields {
            if case .record = raw, fieldNames[name] == nil {
                collect(raw, into: &b)  // common_fields { … }
                continue
            }
            guard var spec = fieldNames[name], let field = raw.unwrapped else { continue }
            switch spec.first {
            case "*":
                spec.removeFirst()
                if let point = field.point { b.set(spec, .bytes(point)) }
            case "#":
                spec.removeFirst()
                if let signature = field.signature { b.set(spec, .bytes(signature)) }
            case "=":
                spec.removeFirst()
                if case let .list(items) = field {
                    b.set("num_htlcs", .unsigned(UInt64(items.count)))
                    let signatures = items.compactMap(\.signature)
                    if signatures.count == items.count { b.set(spec, .array(signatures.map { .bytes($0) })) }
                }
            case ":":
                spec.removeFirst()
                if let number = field.number { b.set(spec, .shortChannelID(ShortChannelID(rawValue: number))) }
            case "~":
                spec.removeFirst()
                let parts = spec.split(separator: ".")
                if parts[0] == "blinded_path", let point = field.point {
                    b.setTLV("blinded_path", "path_key", .bytes(point))
                } else if let number = field.number {
                    b.setTLV(String(parts[0]), String(parts[1]), .shortChannelID(ShortChannelID(rawValue: number)))
                }
            default:
                if let number = field.number, !["channel_id", "temporary_channel_id", "chain_hash", "payment_hash",
                                                 "payment_preimage", "sha256_of_onion", "per_commitment_secret",
                                                 "your_last_per_commitment_secret", "scriptpubkey", "data"].contains(spec) {
                    b.set(spec, .unsigned(number))
                } else if let bytes = field.bytes {
                    b.set(spec, .bytes(bytes))
                }
            }
        }
    }
}
