import NodeLogs
import Provenance
import Testing
import Wire

/// Each dialect's table (`LndDialect`, `ClnDialect`, `EclairDialect`, `LdkDialect`) is read by
/// its parser and by `lntrace synth`'s writer: every name the writer can emit, in the line the
/// writer builds around it, parses back to the same message type; and each table still holds
/// every name its parser recognised before the tables were shared (the lists below, as the
/// parsers had them).
struct DialectTableTests {
    static let node = "03864ef025fde8fb587d989186ce6a4a186895ee44a926bfc370e2c366597a3f8f"
    static let channel = String(repeating: "3a", count: 32)

    static let tables: [(String, MessageNameTable)] = [
        ("lnd", LndDialect.messages), ("lnd trace dumps", LndDialect.goTypes), ("cln", ClnDialect.messages),
        ("eclair", EclairDialect.messages), ("ldk", LdkDialect.messages),
    ]

    /// The one message `text` gives, parsed line by line.
    static func parsed<P: LogParser>(_ parser: P, _ text: String) -> [LogMessage] {
        var parser = parser
        return run(&parser, text).messages
    }

    @Test func aNameStandsForOneTypeAndATypeHasOneEntry() {
        for (dialect, table) in Self.tables {
            var names: [String: UInt16] = [:]
            var types: Set<UInt16> = []
            for entry in table.entries {
                #expect(!entry.names.isEmpty, "\(dialect): \(entry.spec) without a name")
                #expect(types.insert(entry.type).inserted, "\(dialect): \(entry.spec) listed twice")
                for name in entry.names {
                    #expect(names.updateValue(entry.type, forKey: name) == nil, "\(dialect): '\(name)' names two messages")
                    #expect(table.entry(named: name)?.type == entry.type)
                }
                #expect(table.name(of: entry.type) == entry.names.first)
            }
        }
    }

    // MARK: Every name, in the writer's line, back through the parser

    @Test(arguments: [Direction.out, .in])
    func lndNamesRoundTrip(_ direction: Direction) {
        for entry in LndDialect.messages.entries {
            for name in entry.names {
                let line = LndDialect.messageLine(
                    time: "2024-05-01 15:54:18.364", direction: direction, peer: Self.node,
                    address: "127.0.0.1:9735", message: "\(name)(chan_id=\(Self.channel))")
                let messages = Self.parsed(LndLogParser(file: "lnd.log"), line)
                #expect(messages.map(\.content.type) == [UInt16?.some(entry.type)], "\(name): \(line)")
                #expect(messages.map(\.content.name) == [entry.spec])
                #expect(messages.first?.direction == direction)
                #expect(messages.first?.peer == Self.node)
            }
        }
    }

    @Test func lndTraceDumpTypesRoundTrip() {
        for entry in LndDialect.goTypes.entries + LndDialect.messages.entries where entry.isKnown {
            for name in entry.names {
                let dump = """
                    2024-05-01 15:54:18.364 [TRC] PEER: Peer(\(Self.node)): readMessage from peer: (*lnwire.\(name))(0xc000a1b2c0)({
                     ID: (uint64) 7,
                    })

                    """
                let messages = Self.parsed(LndLogParser(file: "lnd.log"), dump)
                #expect(messages.map(\.content.name) == [entry.spec], "(*lnwire.\(name))")
            }
        }
    }

    @Test(arguments: [Direction.out, .in])
    func clnNamesRoundTrip(_ direction: Direction) {
        for entry in ClnDialect.messages.entries {
            for name in entry.names {
                let source = ClnDialect.source(peer: Self.node, channel: 12)
                let line = ClnDialect.nameLine(time: "2023-07-27T13:58:33.812Z", source: source, direction: direction, name: name)
                let messages = Self.parsed(ClnLogParser(file: "cln.log"), line)
                #expect(messages.map(\.content.type) == [UInt16?.some(entry.type)], "\(line)")
                #expect(messages.first?.direction == direction)
                #expect(messages.first?.channelLabel == "chan#12")
                #expect(messages.first?.peer == Self.node)
            }
        }
    }

    @Test(arguments: [Direction.out, .in])
    func eclairNamesRoundTrip(_ direction: Direction) {
        for entry in EclairDialect.messages.entries {
            for name in entry.names {
                // Both loggers' lines: the second is the first's copy, one message.
                let lines = [EclairDialect.diagnosticsLogger, EclairDialect.peerLogger].map {
                    EclairDialect.messageLine(
                        time: "2021-09-24 21:59:53,155", logger: $0, peer: Self.node, channel: Self.channel,
                        direction: direction, message: "\(name)()")
                }
                let messages = Self.parsed(EclairLogParser(file: "eclair.log"), lines.joined(separator: "\n"))
                #expect(messages.map(\.content.type) == [UInt16?.some(entry.type)], "\(lines[0])")
                #expect(messages.first?.direction == direction)
                #expect(messages.first?.peer == Self.node)
            }
        }
    }

    @Test(arguments: [Direction.out, .in])
    func ldkNamesRoundTrip(_ direction: Direction) throws {
        for entry in LdkDialect.messages.entries {
            let variant = try #require(LdkDialect.variant(of: entry.type))
            // The writer's struct name (wrapped in its variant when received), then every other name.
            for name in entry.names {
                let line = LdkDialect.messageLine(
                    time: "2024-02-12 13:54:53.353", direction: direction, peer: Self.node,
                    message: "\(name) { channel_id: ChannelId(\(Self.channel)) }", variant: variant)
                let messages = Self.parsed(LdkLogParser(file: "ldk.log"), line)
                #expect(messages.map(\.content.type) == [UInt16?.some(entry.type)], "\(line)")
                #expect(messages.first?.direction == direction)
                #expect(messages.first?.peer == Self.node)
            }
        }
    }

    // MARK: What each parser recognised before the tables were shared

    /// Parses one line per name with `line` and expects `spec` for each.
    static func expectRecognised<P: LogParser>(
        _ before: [String: String], _ parser: P, _ line: (String) -> String,
        sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) {
        for (name, spec) in before.sorted(by: { $0.key < $1.key }) {
            let messages = parsed(parser, line(name))
            #expect(messages.map(\.content.name) == [spec], "'\(name)'", sourceLocation: sourceLocation)
        }
    }

    @Test func lndTableCoversWhatItsParserRecognised() {
        let before: [String: String] = [
            "Init": "init", "Error": "error", "Warning": "warning", "Ping": "ping", "Pong": "pong",
            "MsgOpenChannel": "open_channel", "MsgAcceptChannel": "accept_channel",
            "MsgFundingCreated": "funding_created", "MsgFundingSigned": "funding_signed",
            "ChannelReady": "channel_ready", "FundingLocked": "channel_ready",
            "Shutdown": "shutdown", "ClosingSigned": "closing_signed",
            "ClosingComplete": "closing_complete", "ClosingSig": "closing_sig",
            "UpdateAddHTLC": "update_add_htlc", "UpdateFulfillHTLC": "update_fulfill_htlc",
            "UpdateFailHTLC": "update_fail_htlc", "UpdateFailMalformedHTLC": "update_fail_malformed_htlc",
            "CommitSig": "commitment_signed", "RevokeAndAck": "revoke_and_ack", "UpdateFee": "update_fee",
            "ChannelReestablish": "channel_reestablish", "Stfu": "stfu",
            "AnnounceSignatures": "announcement_signatures", "ChannelAnnouncement": "channel_announcement",
            "ChannelUpdate": "channel_update", "NodeAnnouncement": "node_announcement",
            "NodeAnnouncement1": "node_announcement",
            "QueryShortChanIDs": "query_short_channel_ids", "ReplyShortChanIDsEnd": "reply_short_channel_ids_end",
            "QueryChannelRange": "query_channel_range", "ReplyChannelRange": "reply_channel_range",
            "GossipTimestampRange": "gossip_timestamp_filter",
            // Type 513, which Wire does not decode.
            "OnionMessage": "unknown_513",
        ]
        Self.expectRecognised(before, LndLogParser(file: "lnd.log")) {
            "2024-05-01 15:54:18.364 [DBG] PEER: Peer(\(Self.node)): Received \($0)() from \(Self.node)@127.0.0.1:9735"
        }
        // Trace dumps: the Go types that differ from the summary names, and the summary names.
        let goTypes: [String: String] = [
            "OpenChannel": "open_channel", "AcceptChannel": "accept_channel", "FundingCreated": "funding_created",
            "FundingSigned": "funding_signed", "AnnounceSignatures1": "announcement_signatures",
            "ChannelAnnouncement1": "channel_announcement", "ChannelUpdate1": "channel_update",
        ]
        Self.expectRecognised(goTypes.merging(before.filter { $0.key != "OnionMessage" }) { a, _ in a }, LndLogParser(file: "lnd.log")) {
            "2024-05-01 15:54:18.364 [TRC] PEER: writeMessage to \(Self.node)@127.0.0.1:9735: (*lnwire.\($0))(0xc000a1b2c0)({\n"
        }
    }

    @Test func clnTableCoversWhatItsParserRecognised() {
        // Every spec name in capitals, the earlier names, and two of CLN's own types.
        var before = Dictionary(uniqueKeysWithValues: Message.knownTypes.values.map { ("WIRE_" + $0.name.uppercased(), $0.name) })
        before["WIRE_FUNDING_LOCKED"] = "channel_ready"
        before["WIRE_SPLICE"] = "splice_init"
        before["WIRE_UPDATE_BLOCKHEIGHT"] = "unknown_137"
        before["WIRE_ONION_MESSAGE"] = "unknown_513"
        Self.expectRecognised(before, ClnLogParser(file: "cln.log")) {
            "2023-07-27T13:58:33.812Z DEBUG   \(Self.node)-channeld-chan#12: peer_in \($0)"
        }
    }

    @Test func eclairTableCoversWhatItsParserRecognised() {
        let before: [String: String] = [
            "Init": "init", "Warning": "warning", "Error": "error", "Ping": "ping", "Pong": "pong",
            "OpenChannel": "open_channel", "AcceptChannel": "accept_channel", "OpenDualFundedChannel": "open_channel2",
            "AcceptDualFundedChannel": "accept_channel2", "FundingCreated": "funding_created", "FundingSigned": "funding_signed",
            "FundingLocked": "channel_ready", "ChannelReady": "channel_ready", "Shutdown": "shutdown",
            "ClosingSigned": "closing_signed", "ClosingComplete": "closing_complete", "ClosingSig": "closing_sig",
            "UpdateAddHtlc": "update_add_htlc", "UpdateFulfillHtlc": "update_fulfill_htlc", "UpdateFailHtlc": "update_fail_htlc",
            "UpdateFailMalformedHtlc": "update_fail_malformed_htlc", "CommitSig": "commitment_signed",
            "RevokeAndAck": "revoke_and_ack", "UpdateFee": "update_fee", "ChannelReestablish": "channel_reestablish",
            "Stfu": "stfu", "AnnouncementSignatures": "announcement_signatures", "ChannelAnnouncement": "channel_announcement",
            "NodeAnnouncement": "node_announcement", "ChannelUpdate": "channel_update", "StartBatch": "start_batch",
            "PeerStorageStore": "peer_storage", "PeerStorageRetrieval": "peer_storage_retrieval",
            "TxAddInput": "tx_add_input", "TxAddOutput": "tx_add_output", "TxRemoveInput": "tx_remove_input",
            "TxRemoveOutput": "tx_remove_output", "TxComplete": "tx_complete", "TxSignatures": "tx_signatures",
            "TxInitRbf": "tx_init_rbf", "TxAckRbf": "tx_ack_rbf", "TxAbort": "tx_abort", "SpliceInit": "splice_init",
            "SpliceAck": "splice_ack", "SpliceLocked": "splice_locked", "QueryShortChannelIds": "query_short_channel_ids",
            "ReplyShortChannelIdsEnd": "reply_short_channel_ids_end", "QueryChannelRange": "query_channel_range",
            "ReplyChannelRange": "reply_channel_range", "GossipTimestampFilter": "gossip_timestamp_filter",
        ]
        Self.expectRecognised(before, EclairLogParser(file: "eclair.log")) {
            "2021-09-24 21:59:53,155 INFO  f.a.eclair.Diagnostics n:\(Self.node) - IN msg=\($0)()"
        }
    }

    @Test func ldkTableCoversWhatItsParserRecognised() {
        let before: [String: String] = [
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
        Self.expectRecognised(before, LdkLogParser(file: "ldk.log")) {
            "2024-02-12 13:54:53.353 TRACE [lightning::ln::peer_handler:1240] Enqueueing message \($0) { } to \(Self.node)"
        }
        // The events that send messages, by the messages each sends.
        let events: [String: [String]] = [
            "SendAcceptChannel": ["accept_channel"], "SendAcceptChannelV2": ["accept_channel2"],
            "SendOpenChannel": ["open_channel"], "SendOpenChannelV2": ["open_channel2"],
            "SendFundingCreated": ["funding_created"], "SendFundingSigned": ["funding_signed"],
            "SendChannelReady": ["channel_ready"], "SendFundingLocked": ["channel_ready"], "SendStfu": ["stfu"],
            "SendSplice": ["splice_init"], "SendSpliceInit": ["splice_init"], "SendSpliceAck": ["splice_ack"],
            "SendSpliceLocked": ["splice_locked"], "SendTxAddInput": ["tx_add_input"], "SendTxAddOutput": ["tx_add_output"],
            "SendTxRemoveInput": ["tx_remove_input"], "SendTxRemoveOutput": ["tx_remove_output"], "SendTxComplete": ["tx_complete"],
            "SendTxSignatures": ["tx_signatures"], "SendTxInitRbf": ["tx_init_rbf"], "SendTxAckRbf": ["tx_ack_rbf"],
            "SendTxAbort": ["tx_abort"], "SendAnnouncementSignatures": ["announcement_signatures"],
            "SendRevokeAndACK": ["revoke_and_ack"], "SendClosingSigned": ["closing_signed"],
            "SendClosingComplete": ["closing_complete"], "SendClosingSig": ["closing_sig"], "SendShutdown": ["shutdown"],
            "SendChannelReestablish": ["channel_reestablish"], "SendChannelAnnouncement": ["channel_announcement", "channel_update"],
            "SendChannelUpdate": ["channel_update"], "SendErrorMessage": ["error"], "SendWarningMessage": ["warning"],
            "SendChannelRangeQuery": ["query_channel_range"], "SendShortIdsQuery": ["query_short_channel_ids"],
            "SendReplyChannelRange": ["reply_channel_range"], "SendGossipTimestampFilter": ["gossip_timestamp_filter"],
            "SendPeerStorage": ["peer_storage"], "SendPeerStorageRetrieval": ["peer_storage_retrieval"],
        ]
        for (event, names) in events.sorted(by: { $0.key < $1.key }) {
            let line =
                "2024-02-12 13:54:53.353 DEBUG [lightning::ln::peer_handler:2067] Handling \(event) event in peer_handler "
                + "for node \(Self.node) for channel \(Self.channel)"
            #expect(Self.parsed(LdkLogParser(file: "ldk.log"), line).map(\.content.name) == names, "\(event)")
        }
    }
}
