import Basics
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
    public internal(set) var file: String
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

    /// The spec field of each constructor argument of a message's case class (nil: skipped),
    /// by spec name (the class: ``EclairDialect/messages``). A `*` prefix marks a point, `#` a
    /// signature, `=` a list of signatures; a message without an entry has no fields read.
    static let arguments: [String: [String?]] = [
        "warning": ["channel_id", "data"],
        "error": ["channel_id", "data"],
        "ping": ["num_pong_bytes", "ignored"],
        "pong": ["ignored"],
        "open_channel": [
            "chain_hash", "temporary_channel_id", "funding_satoshis", "push_msat", "dust_limit_satoshis",
            "max_htlc_value_in_flight_msat", "channel_reserve_satoshis", "htlc_minimum_msat", "feerate_per_kw", "to_self_delay",
            "max_accepted_htlcs", "*funding_pubkey", "*revocation_basepoint", "*payment_basepoint", "*delayed_payment_basepoint",
            "*htlc_basepoint", "*first_per_commitment_point", "!channel_flags",
        ],
        "accept_channel": [
            "temporary_channel_id", "dust_limit_satoshis", "max_htlc_value_in_flight_msat",
            "channel_reserve_satoshis", "htlc_minimum_msat", "minimum_depth", "to_self_delay", "max_accepted_htlcs",
            "*funding_pubkey", "*revocation_basepoint", "*payment_basepoint", "*delayed_payment_basepoint", "*htlc_basepoint",
            "*first_per_commitment_point",
        ],
        "open_channel2": [
            "chain_hash", "temporary_channel_id", "funding_feerate_perkw",
            "commitment_feerate_perkw", "funding_satoshis", "dust_limit_satoshis", "max_htlc_value_in_flight_msat",
            "htlc_minimum_msat", "to_self_delay", "max_accepted_htlcs", "locktime",
        ],
        "accept_channel2": [
            "temporary_channel_id", "funding_satoshis", "dust_limit_satoshis",
            "max_htlc_value_in_flight_msat", "htlc_minimum_msat", "minimum_depth", "to_self_delay", "max_accepted_htlcs",
        ],
        // The funding txid: see `fundingTxid`.
        "funding_created": ["temporary_channel_id", "%funding_txid", "funding_output_index", "#signature"],
        "funding_signed": ["channel_id", "#signature"],
        "channel_ready": ["channel_id", "*second_per_commitment_point"],
        "shutdown": ["channel_id", "scriptpubkey"],
        "closing_signed": ["channel_id", "fee_satoshis", "#signature"],
        "closing_complete": ["channel_id", "closer_scriptpubkey", "closee_scriptpubkey", "fee_satoshis", "locktime"],
        "closing_sig": ["channel_id", "closer_scriptpubkey", "closee_scriptpubkey", "fee_satoshis", "locktime"],
        "update_add_htlc": ["channel_id", "id", "amount_msat", "payment_hash", "cltv_expiry"],
        "update_fulfill_htlc": ["channel_id", "id", "payment_preimage"],
        "update_fail_htlc": ["channel_id", "id", "reason"],
        "update_fail_malformed_htlc": ["channel_id", "id", "sha256_of_onion", "failure_code"],
        "commitment_signed": ["channel_id", "#signature", "=htlc_signature"],
        "revoke_and_ack": ["channel_id", "per_commitment_secret", "*next_per_commitment_point"],
        "update_fee": ["channel_id", "feerate_per_kw"],
        "channel_reestablish": [
            "channel_id", "next_commitment_number", "next_revocation_number",
            "your_last_per_commitment_secret", "*my_current_per_commitment_point",
        ],
        "stfu": ["channel_id", "initiator"],
        "announcement_signatures": ["channel_id", "short_channel_id", "#node_signature", "#bitcoin_signature"],
        "channel_update": ["#signature", "chain_hash", "short_channel_id", "timestamp"],
        "start_batch": ["channel_id", "batch_size"],
        "peer_storage": ["blob"],
        "peer_storage_retrieval": ["blob"],
        "tx_add_input": ["channel_id", "serial_id"],
        "tx_add_output": ["channel_id", "serial_id", "sats", "script"],
        "tx_remove_input": ["channel_id", "serial_id"],
        "tx_remove_output": ["channel_id", "serial_id"],
        "tx_complete": ["channel_id"],
        "tx_signatures": ["channel_id"],
        "tx_init_rbf": ["channel_id", "locktime", "feerate"],
        "tx_ack_rbf": ["channel_id"],
        "tx_abort": ["channel_id", "data"],
        "splice_init": ["channel_id", "funding_contribution_satoshis", "funding_feerate_perkw", "locktime", "*funding_pubkey"],
        "splice_ack": ["channel_id", "funding_contribution_satoshis", "*funding_pubkey"],
        "splice_locked": ["channel_id"],
        "query_short_channel_ids": ["chain_hash"],
        "reply_short_channel_ids_end": ["chain_hash", "full_information"],
        "query_channel_range": ["chain_hash", "first_blocknum", "number_of_blocks"],
        "reply_channel_range": ["chain_hash", "first_blocknum", "number_of_blocks", "sync_complete"],
        "gossip_timestamp_filter": ["chain_hash", "first_timestamp", "timestamp_range"],
    ]

    /// `IN msg=` / `OUT msg=` after the logger (` - IN msg=`), or as posters reformat
    /// them (`INFO IN msg=`, `IN ------->  msg=`, `OUT <-------  msg=`): the direction and
    /// where the message starts.
    static func marker(_ bytes: ArraySlice<UInt8>) -> (Direction, Int)? {
        typealias D = EclairDialect
        if let at = LogText.find(D.received, in: bytes), at == bytes.startIndex || bytes[at - 1] == 0x20 {
            return (.in, at + D.received.utf8CodeUnitCount)
        }
        if let at = LogText.find(D.sent, in: bytes), at == bytes.startIndex || bytes[at - 1] == 0x20 {
            return (.out, at + D.sent.utf8CodeUnitCount)
        }
        if let at = LogText.find(D.receivedArrow, in: bytes), LogText.find(D.receivedWord, in: bytes[..<at]) != nil {
            return (.in, at + D.receivedArrow.utf8CodeUnitCount)
        }
        if let at = LogText.find(D.sentArrow, in: bytes), LogText.find(D.sentWord, in: bytes[..<at]) != nil {
            return (.out, at + D.sentArrow.utf8CodeUnitCount)
        }
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
        let diagnostics: Bool? =
            LogText.find(EclairDialect.diagnosticsLogger, in: prefix) != nil
            ? true
            : LogText.find(EclairDialect.peerLogger, in: prefix) != nil ? false : nil
        if let time = stamp?.0,
            let copy = recent.firstIndex(where: {
                $0.direction == direction && $0.body == body && $0.peer == peer
                    && abs(time.seconds(since: $0.time ?? time)) <= 2
                    && (diagnostics == nil || $0.diagnostics == nil || $0.diagnostics != diagnostics)
            })
        {
            recent.remove(at: copy)
            return []
        }
        if let copy = routed.firstIndex(where: { $0.direction == direction && $0.peer == peer && $0.name == Self.spec(ofClass: body) }) {
            // The message a Router line just reported.
            routed.remove(at: copy)
            return []
        }
        recent.append((direction, body, peer, stamp?.0, diagnostics))
        if recent.count > 16 { recent.removeFirst() }
        let value = DebugParser.parse(body)
        guard case let .call(className, args) = value, let name = EclairDialect.messages.entry(named: className)?.spec else {
            // A message eclair logs but lntrace does not know (an experimental or a fork's
            // type): a message of unknown type; `UnknownMessage(tag, data)` gives its type.
            var content = PartialMessage(type: nil, name: "unknown")
            if case .call(EclairDialect.unknownMessage, let args) = value, let tag = args.first?.number, tag <= UInt64(UInt16.max) {
                content = PartialMessage(type: UInt16(tag))
            }
            content.channel = channel.flatMap { ChannelID($0) }
            let location = SourceLocation(file: file, line: line.number)
            return [
                .diagnostic(
                    Diagnostic(.note, "eclair.unknown-message", at: location, "message of a type lntrace does not know: '\(body.prefix(40))'")),
                .message(
                    LogMessage(
                        line: line.number, stamp: LogText.stamp(stamp, line), peer: peer, direction: direction,
                        content: .partial(content))),
            ]
        }
        var b = PartialBuilder(name: name)
        for (index, spec) in (Self.arguments[name] ?? []).enumerated() where index < args.count {
            guard var spec else { continue }
            let arg = args[index]
            switch spec.first {
            case "!":
                // ChannelFlags(announceChannel=true, …), or (before 0.7) the byte itself.
                if let number = arg.number {
                    b.set(\.channelFlags, UInt8(exactly: number))
                } else if case let .call("ChannelFlags", flags) = arg {
                    b.set(\.channelFlags, flags.contains(.atom("announceChannel=true")) ? 1 : 0)
                }
            case "%":
                b.set(\.fundingTxid, Self.fundingTxid(arg, body: body).flatMap { SHA256Hash($0) })
            case "*":
                spec.removeFirst()
                if let point = arg.point { b.set(named: spec, .bytes(point)) }
            case "#":
                spec.removeFirst()
                if let signature = arg.signature { b.set(named: spec, .bytes(signature)) }
            case "=":
                spec.removeFirst()
                if case let .call("List", items) = arg {
                    let signatures = items.compactMap(\.signature)
                    b.set(\.numHTLCs, UInt16(exactly: items.count))
                    if signatures.count == items.count { b.set(named: spec, .array(signatures.map { .bytes($0) })) }
                }
            default:
                Self.setValue(&b, spec, arg)
            }
        }
        b.inChannel(channel.flatMap { ChannelID($0) })
        return [
            .message(
                LogMessage(
                    line: line.number, stamp: LogText.stamp(stamp, line), peer: peer,
                    direction: direction, content: .partial(b.message)))
        ]
    }

    /// The ` n:<node id>` and ` c:<channel id>` columns of the line's prefix (a pasted
    /// excerpt may start at `n:`).
    static func context(_ prefix: ArraySlice<UInt8>) -> (peer: String?, channel: [UInt8]?) {
        var peer: String?
        if let n = LogText.find(EclairDialect.nodeColumn, in: prefix), n == prefix.startIndex || prefix[n - 1] == 0x20,
            case let id = n + EclairDialect.nodeColumn.utf8CodeUnitCount, LogText.isHexRun(prefix, at: id, count: 66)
        {
            peer = LogText.string(prefix[id..<(id + 66)])
        }
        var channel: [UInt8]?
        if let c = LogText.find(EclairDialect.channelColumn, in: prefix),
            case let id = c + EclairDialect.channelColumn.utf8CodeUnitCount, LogText.isHexRun(prefix, at: id, count: 64)
        {
            channel = Hex.decode(utf8: prefix[id..<(id + 64)])
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

    /// A Router line naming a gossip query (`sending query_channel_range=QueryChannelRange(…)`,
    /// `received query_channel_range with firstBlockNum=0 numberOfBlocks=1 …`). At DEBUG the
    /// same message also has its `IN msg=`/`OUT msg=` line: the two are one message.
    mutating func routerQuery(_ line: LineReader.Line) -> LogMessage? {
        let bytes = line.bytes
        guard let ((name, direction), marker) = LogText.firstMarker(EclairDialect.routerLines, in: bytes) else { return nil }
        let (peer, _) = Self.context(bytes[..<(marker + 1)])
        if let copy = recent.firstIndex(where: { $0.direction == direction && $0.peer == peer && Self.spec(ofClass: $0.body) == name }) {
            recent.remove(at: copy)
            return nil
        }
        var b = PartialBuilder(name: name)
        let text = Substring(LogText.string(bytes[(marker + EclairDialect.textSeparator.utf8CodeUnitCount)...]))
        if let equals = text.firstIndex(of: "="), text[text.index(after: equals)...].first?.isUppercase == true,
            case let .call(className, args) = DebugParser.parse(text[text.index(after: equals)...]),
            let message = EclairDialect.messages.entry(named: className)?.spec
        {
            for (index, spec) in (Self.arguments[message] ?? []).enumerated() where index < args.count {
                if let spec { Self.setValue(&b, spec, args[index]) }
            }
        } else {
            for token in text.split(separator: " ") {
                if token.hasPrefix(EclairDialect.firstBlockNum) { b.unsigned(\.firstBlocknum, token.dropFirst(EclairDialect.firstBlockNum.count)) }
                if token.hasPrefix(EclairDialect.numberOfBlocks) {
                    b.unsigned(\.numberOfBlocks, token.dropFirst(EclairDialect.numberOfBlocks.count))
                }
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

    /// The spec name of the message a logged body (`QueryChannelRange(…)`) is, when eclair's
    /// table knows its class.
    static func spec(ofClass body: Substring) -> String? {
        EclairDialect.messages.entry(named: className(body))?.spec
    }

    static let byteFields: Set<String> = [
        "channel_id", "temporary_channel_id", "chain_hash", "payment_hash", "payment_preimage", "reason", "data", "ignored",
        "scriptpubkey", "closer_scriptpubkey", "closee_scriptpubkey", "sha256_of_onion", "per_commitment_secret",
        "your_last_per_commitment_secret", "script",
    ]

    static func setValue(_ b: inout PartialBuilder, _ spec: String, _ value: DebugValue) {
        if spec == "short_channel_id" {
            if case let .atom(text) = value { b.set(\.shortChannelID, ShortChannelID(text)) }
            return
        }
        if byteFields.contains(spec) {
            // Redacted secrets ("<private_key>") stay unknown.
            if case let .call("PrivateKey", args) = value, let bytes = args.first?.bytes {
                b.set(named: spec, .bytes(bytes))
            } else if let bytes = value.bytes {
                b.set(named: spec, .bytes(bytes))
            }
            return
        }
        if let number = value.number { b.set(named: spec, .unsigned(number)) }
    }
}
