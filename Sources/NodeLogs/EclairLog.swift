import Foundation
import Provenance
import Wire

/// eclair's wire-message log lines (`TransportHandler` and `Peer` loggers):
///
///     2021-09-24 21:59:53,155 INFO  f.a.eclair.Diagnostics n:034e… c:3456… - IN msg=CommitSig(3456…,456e…,List(),TlvStream(List(),List()))
///
/// Each channel message is logged twice, by `f.a.eclair.Diagnostics` and `f.a.e.i.Peer`; the
/// second line of a pair is collapsed into the first. Fields come from the Scala case-class
/// `toString`, by position.
public struct EclairLogParser: LogParser {
    public let file: String
    public private(set) var skippedLines = 0
    /// Recent events not yet paired with their copy from the other logger (`true`: logged
    /// by `f.a.eclair.Diagnostics`), to collapse that copy.
    private var recent: [(direction: Direction, body: Substring, peer: String?, time: Timestamp?, diagnostics: Bool?)] = []
    /// Recent messages a Router line reported, whose `IN msg=`/`OUT msg=` line may follow.
    private var routed: [(direction: Direction, name: String, peer: String?)] = []

    public init(file: String) {
        self.file = file
    }

    public mutating func flush() -> [LogEvent] { [] }

    /// Case class → spec message, and the spec field of each constructor argument (nil:
    /// skipped). A `*` prefix marks a point, `#` a signature, `=` a list of signatures.
    static let classes: [String: (String, [String?])] = [
        "Init": ("init", []),
        "Warning": ("warning", ["channel_id", "data"]),
        "Error": ("error", ["channel_id", "data"]),
        "Ping": ("ping", ["num_pong_bytes", "ignored"]),
        "Pong": ("pong", ["ignored"]),
        "OpenChannel": ("open_channel", ["chain_hash", "temporary_channel_id", "funding_satoshis", "push_msat", "dust_limit_satoshis",
            "max_htlc_value_in_flight_msat", "channel_reserve_satoshis", "htlc_minimum_msat", "feerate_per_kw", "to_self_delay",
            "max_accepted_htlcs", "*funding_pubkey", "*revocation_basepoint", "*payment_basepoint", "*delayed_payment_basepoint",
            "*htlc_basepoint", "*first_per_commitment_point", "!channel_flags"]),
        "AcceptChannel": ("accept_channel", ["temporary_channel_id", "dust_limit_satoshis", "max_htlc_value_in_flight_msat",
            "channel_reserve_satoshis", "htlc_minimum_msat", "minimum_depth", "to_self_delay", "max_accepted_htlcs",
            "*funding_pubkey", "*revocation_basepoint", "*payment_basepoint", "*delayed_payment_basepoint", "*htlc_basepoint",
            "*first_per_commitment_point"]),
        "OpenDualFundedChannel": ("open_channel2", ["chain_hash", "temporary_channel_id", "funding_feerate_perkw",
            "commitment_feerate_perkw", "funding_satoshis", "dust_limit_satoshis", "max_htlc_value_in_flight_msat",
            "htlc_minimum_msat", "to_self_delay", "max_accepted_htlcs", "locktime"]),
        "AcceptDualFundedChannel": ("accept_channel2", ["temporary_channel_id", "funding_satoshis", "dust_limit_satoshis",
            "max_htlc_value_in_flight_msat", "htlc_minimum_msat", "minimum_depth", "to_self_delay", "max_accepted_htlcs"]),
        // The funding txid: see `fundingTxid`.
        "FundingCreated": ("funding_created", ["temporary_channel_id", "%funding_txid", "funding_output_index", "#signature"]),
        "FundingSigned": ("funding_signed", ["channel_id", "#signature"]),
        "FundingLocked": ("channel_ready", ["channel_id", "*second_per_commitment_point"]),
        "ChannelReady": ("channel_ready", ["channel_id", "*second_per_commitment_point"]),
        "Shutdown": ("shutdown", ["channel_id", "scriptpubkey"]),
        "ClosingSigned": ("closing_signed", ["channel_id", "fee_satoshis", "#signature"]),
        "ClosingComplete": ("closing_complete", ["channel_id", "closer_scriptpubkey", "closee_scriptpubkey", "fee_satoshis", "locktime"]),
        "ClosingSig": ("closing_sig", ["channel_id", "closer_scriptpubkey", "closee_scriptpubkey", "fee_satoshis", "locktime"]),
        "UpdateAddHtlc": ("update_add_htlc", ["channel_id", "id", "amount_msat", "payment_hash", "cltv_expiry"]),
        "UpdateFulfillHtlc": ("update_fulfill_htlc", ["channel_id", "id", "payment_preimage"]),
        "UpdateFailHtlc": ("update_fail_htlc", ["channel_id", "id", "reason"]),
        "UpdateFailMalformedHtlc": ("update_fail_malformed_htlc", ["channel_id", "id", "sha256_of_onion", "failure_code"]),
        "CommitSig": ("commitment_signed", ["channel_id", "#signature", "=htlc_signature"]),
        "RevokeAndAck": ("revoke_and_ack", ["channel_id", "per_commitment_secret", "*next_per_commitment_point"]),
        "UpdateFee": ("update_fee", ["channel_id", "feerate_per_kw"]),
        "ChannelReestablish": ("channel_reestablish", ["channel_id", "next_commitment_number", "next_revocation_number",
            "your_last_per_commitment_secret", "*my_current_per_commitment_point"]),
        "Stfu": ("stfu", ["channel_id", "initiator"]),
        "AnnouncementSignatures": ("announcement_signatures", ["channel_id", "short_channel_id", "#node_signature", "#bitcoin_signature"]),
        "ChannelAnnouncement": ("channel_announcement", []),
        "NodeAnnouncement": ("node_announcement", []),
        "ChannelUpdate": ("channel_update", ["#signature", "chain_hash", "short_channel_id", "timestamp"]),
        "StartBatch": ("start_batch", ["channel_id", "batch_size"]),
        "PeerStorageStore": ("peer_storage", ["blob"]),
        "PeerStorageRetrieval": ("peer_storage_retrieval", ["blob"]),
        "TxAddInput": ("tx_add_input", ["channel_id", "serial_id"]),
        "TxAddOutput": ("tx_add_output", ["channel_id", "serial_id", "sats", "script"]),
        "TxRemoveInput": ("tx_remove_input", ["channel_id", "serial_id"]),
        "TxRemoveOutput": ("tx_remove_output", ["channel_id", "serial_id"]),
        "TxComplete": ("tx_complete", ["channel_id"]),
        "TxSignatures": ("tx_signatures", ["channel_id"]),
        "TxInitRbf": ("tx_init_rbf", ["channel_id", "locktime", "feerate"]),
        "TxAckRbf": ("tx_ack_rbf", ["channel_id"]),
        "TxAbort": ("tx_abort", ["channel_id", "data"]),
        "SpliceInit": ("splice_init", ["channel_id", "funding_contribution_satoshis", "funding_feerate_perkw", "locktime", "*funding_pubkey"]),
        "SpliceAck": ("splice_ack", ["channel_id", "funding_contribution_satoshis", "*funding_pubkey"]),
        "SpliceLocked": ("splice_locked", ["channel_id"]),
        "QueryShortChannelIds": ("query_short_channel_ids", ["chain_hash"]),
        "ReplyShortChannelIdsEnd": ("reply_short_channel_ids_end", ["chain_hash", "full_information"]),
        "QueryChannelRange": ("query_channel_range", ["chain_hash", "first_blocknum", "number_of_blocks"]),
        "ReplyChannelRange": ("reply_channel_range", ["chain_hash", "first_blocknum", "number_of_blocks", "sync_complete"]),
        "GossipTimestampFilter": ("gossip_timestamp_filter", ["chain_hash", "first_timestamp", "timestamp_range"]),
    ]

    /// `IN msg=` / `OUT msg=` after the logger (` - IN msg=`), or as posters reformat
    /// them (`INFO IN msg=`, `IN ------->  msg=`, `OUT <-------  msg=`): the direction and
    /// where the message starts.
    static func marker(_ bytes: ArraySlice<UInt8>) -> (Direction, Int)? {
        if let at = LogText.find("IN msg=", in: bytes), at == bytes.startIndex || bytes[at - 1] == 0x20 { return (.in, at + 7) }
        if let at = LogText.find("OUT msg=", in: bytes), at == bytes.startIndex || bytes[at - 1] == 0x20 { return (.out, at + 8) }
        if let at = LogText.find(" ------->  msg=", in: bytes), LogText.find("IN", in: bytes[..<at]) != nil { return (.in, at + 15) }
        if let at = LogText.find(" <-------  msg=", in: bytes), LogText.find("OUT", in: bytes[..<at]) != nil { return (.out, at + 15) }
        return nil
    }

    public mutating func parse(_ line: LineReader.Line) -> [LogEvent] {
        let bytes = line.bytes
        guard let (direction, marker) = Self.marker(bytes) else {
            if let message = routerQuery(line) { return [.message(message)] }
            skippedLines += 1
            return []
        }
        let prefix = bytes[..<marker]
        let stamp = LogText.firstTimestamp(prefix, window: 32)
        let (peer, channel) = Self.context(prefix)
        let bodyText = LogText.string(bytes[marker...])
        let body = Substring(bodyText)
        // The other logger's copy of the message just logged (a genuine repeat, such as a
        // retransmitted channel_ready, comes from the same logger as its first copy).
        let diagnostics: Bool? = LogText.find("f.a.eclair.Diagnostics", in: prefix) != nil ? true
            : LogText.find("f.a.e.i.Peer", in: prefix) != nil ? false : nil
        if let time = stamp?.0, let copy = recent.firstIndex(where: {
            $0.direction == direction && $0.body == body && $0.peer == peer
                && abs(time.seconds(since: $0.time ?? time)) <= 2
                && (diagnostics == nil || $0.diagnostics == nil || $0.diagnostics != diagnostics)
        }) {
            recent.remove(at: copy)
            return []
        }
        if let copy = routed.firstIndex(where: { $0.direction == direction && $0.peer == peer && $0.name == Self.classes[Self.className(body)]?.0 }) {
            // The message a Router line just reported.
            routed.remove(at: copy)
            return []
        }
        recent.append((direction, body, peer, stamp?.0, diagnostics))
        if recent.count > 16 { recent.removeFirst() }
        let value = DebugParser.parse(body)
        guard case let .call(className, args) = value, let (name, positions) = Self.classes[className] else {
            // A message eclair logs but lntrace does not know (an experimental or a fork's
            // type): a message of unknown type; `UnknownMessage(tag, data)` gives its type.
            var content = PartialMessage(type: nil, name: "unknown")
            if case let .call("UnknownMessage", args) = value, let tag = args.first?.number, tag <= UInt64(UInt16.max) {
                content = PartialBuilder(type: UInt16(tag)).message
            }
            if let channel { content.fields.append(WireField("channel_id", .bytes(channel))) }
            let location = SourceLocation(file: file, line: line.number)
            return [.diagnostic(Diagnostic(.note, "eclair.unknown-message", at: location, "message of a type lntrace does not know: '\(body.prefix(40))'")),
                    .message(LogMessage(line: line.number, stamp: LogText.stamp(stamp, line), peer: peer, direction: direction,
                                        content: .partial(content)))]
        }
        var b = PartialBuilder(name: name)
        for (index, spec) in positions.enumerated() where index < args.count {
            guard var spec else { continue }
            let arg = args[index]
            switch spec.first {
            case "!":
                // ChannelFlags(announceChannel=true, …), or (before 0.7) the byte itself.
                if let number = arg.number {
                    b.set("channel_flags", .unsigned(number))
                } else if case let .call("ChannelFlags", flags) = arg {
                    b.set("channel_flags", .unsigned(flags.contains(.atom("announceChannel=true")) ? 1 : 0))
                }
            case "%":
                if let txid = Self.fundingTxid(arg, body: body) { b.set("funding_txid", .bytes(txid)) }
            case "*":
                spec.removeFirst()
                if let point = arg.point { b.set(spec, .bytes(point)) }
            case "#":
                spec.removeFirst()
                if let signature = arg.signature { b.set(spec, .bytes(signature)) }
            case "=":
                spec.removeFirst()
                if case let .call("List", items) = arg {
                    let signatures = items.compactMap(\.signature)
                    b.set("num_htlcs", .unsigned(UInt64(items.count)))
                    if signatures.count == items.count { b.set(spec, .array(signatures.map { .bytes($0) })) }
                }
            default:
                Self.setValue(&b, spec, arg)
            }
        }
        if let channel, b.message.fields["channel_id"] == nil, b.message.fields["temporary_channel_id"] == nil {
            b.set(name.hasPrefix("open") || name.hasPrefix("accept") || name == "funding_created" ? "temporary_channel_id" : "channel_id",
                  .bytes(channel))
        }
        return [.message(LogMessage(line: line.number, stamp: LogText.stamp(stamp, line), peer: peer,
                                    direction: direction, content: .partial(b.message)))]
    }

    /// The ` n:<node id>` and ` c:<channel id>` columns of the line's prefix (a pasted
    /// excerpt may start at `n:`).
    static func context(_ prefix: ArraySlice<UInt8>) -> (peer: String?, channel: [UInt8]?) {
        var peer: String?
        if let n = LogText.find("n:", in: prefix), n == prefix.startIndex || prefix[n - 1] == 0x20,
           LogText.isHexRun(prefix, at: n + 2, count: 66) {
            peer = LogText.string(prefix[(n + 2)..<(n + 68)])
        }
        var channel: [UInt8]?
        if let c = LogText.find(" c:", in: prefix), LogText.isHexRun(prefix, at: c + 3, count: 64) {
            channel = Hex.decode(utf8: prefix[(c + 3)..<(c + 67)])
        }
        return (peer, channel)
    }

    /// eclair before 0.10 printed `fundingTxid` as the funding transaction's hash (wire
    /// order); 0.10 made it a `TxId`, printed in display order. The `TlvStream(List(…))` of
    /// eclair before 0.9 dates the first kind; a `TlvStream(Set(…))` is taken as the second
    /// (eclair 0.9.x, which printed Sets and hashes, is read wrongly).
    static func fundingTxid(_ value: DebugValue, body: Substring) -> [UInt8]? {
        guard let bytes = value.bytes, bytes.count == 32 else { return nil }
        if body.contains("TlvStream(Set(") { return bytes.reversed() }
        if body.contains("TlvStream(List(") || !body.contains("TlvStream(") { return bytes }
        return nil
    }

    /// The Router's lines about the gossip queries it sends and receives, and the message each
    /// names (eclair 0.2 on).
    static let routerLines: [(StaticString, (String, Direction))] = [
        (" - sending query_channel_range=", ("query_channel_range", .out)),
        (" - received query_channel_range", ("query_channel_range", .in)),
        (" - received query_short_channel_ids ", ("query_short_channel_ids", .in)),
        (" - received reply_channel_range", ("reply_channel_range", .in)),
        (" - received empty reply_channel_range", ("reply_channel_range", .in)),
        (" - received unsolicited reply_channel_range", ("reply_channel_range", .in)),
        (" - received reply_short_channel_ids_end", ("reply_short_channel_ids_end", .in)),
        (" - received unsolicited reply_short_channel_ids_end", ("reply_short_channel_ids_end", .in)),
    ]

    /// A Router line naming a gossip query (`sending query_channel_range=QueryChannelRange(…)`,
    /// `received query_channel_range with firstBlockNum=0 numberOfBlocks=1 …`). At DEBUG the
    /// same message also has its `IN msg=`/`OUT msg=` line: the two are one message.
    mutating func routerQuery(_ line: LineReader.Line) -> LogMessage? {
        let bytes = line.bytes
        guard let ((name, direction), marker) = LogText.firstMarker(Self.routerLines, in: bytes) else { return nil }
        let (peer, _) = Self.context(bytes[..<(marker + 1)])
        if let copy = recent.firstIndex(where: { $0.direction == direction && $0.peer == peer && Self.classes[Self.className($0.body)]?.0 == name }) {
            recent.remove(at: copy)
            return nil
        }
        var b = PartialBuilder(name: name)
        let text = Substring(LogText.string(bytes[(marker + 3)...]))
        if let equals = text.firstIndex(of: "="), text[text.index(after: equals)...].first?.isUppercase == true,
           case let .call(className, args) = DebugParser.parse(text[text.index(after: equals)...]), let (_, positions) = Self.classes[className] {
            for (index, spec) in positions.enumerated() where index < args.count {
                if let spec { Self.setValue(&b, spec, args[index]) }
            }
        } else {
            for token in text.split(separator: " ") {
                if token.hasPrefix("firstBlockNum=") { b.unsigned("first_blocknum", token.dropFirst(14)) }
                if token.hasPrefix("numberOfBlocks=") { b.unsigned("number_of_blocks", token.dropFirst(15)) }
            }
        }
        routed.append((direction, name, peer))
        if routed.count > 8 { routed.removeFirst() }
        let stamp = LogText.firstTimestamp(bytes[..<marker], window: 32)
        return LogMessage(line: line.number, stamp: LogText.stamp(stamp, line), peer: peer, direction: direction, content: .partial(b.message))
    }

    /// `QueryChannelRange(…)` → `QueryChannelRange`.
    static func className(_ body: Substring) -> String {
        String(body.prefix { $0 != "(" })
    }

    static let byteFields: Set<String> = [
        "channel_id", "temporary_channel_id", "chain_hash", "payment_hash", "payment_preimage", "reason", "data", "ignored",
        "scriptpubkey", "closer_scriptpubkey", "closee_scriptpubkey", "sha256_of_onion", "per_commitment_secret",
        "your_last_per_commitment_secret", "script",
    ]

    static func setValue(_ b: inout PartialBuilder, _ spec: String, _ value: DebugValue) {
        if spec == "short_channel_id" {
            if case let .atom(text) = value, let scid = ShortChannelID(text) { b.set(spec, .shortChannelID(scid)) }
            return
        }
        if byteFields.contains(spec) {
            // Redacted secrets ("<private_key>") stay unknown.
            if case let .call("PrivateKey", args) = value, let bytes = args.first?.bytes {
                b.set(spec, .bytes(bytes))
            } else if let bytes = value.bytes {
                b.set(spec, .bytes(bytes))
            }
            return
        }
        if let number = value.number { b.set(spec, .unsigned(number)) }
    }
}
