import Provenance
import Wire

/// LDK's words for wire messages (the structs of `lightning/src/ln/msgs.rs`, the
/// `MessageSendEvent`s that send them, the channel's own lines) and the fixed text around them
/// in its trace lines (`lightning/src/ln/peer_handler.rs`): read by ``LdkLogParser``, written
/// by `lntrace synth`.
public enum LdkDialect {
    /// Struct names, as `Debug` prints them (`Enqueueing message UpdateAddHTLC { … }`); where it
    /// differs, the `wire::Message` variant that wraps the struct follows it
    /// (`Received message Error(ErrorMessage { … })`): see ``variant(of:)``.
    public static let messages = MessageNameTable([
        .init(Init.self, "Init"), .init(ErrorMessage.self, "ErrorMessage", "Error"),
        .init(Warning.self, "WarningMessage", "Warning"),
        .init(Ping.self, "Ping"), .init(Pong.self, "Pong"), .init(OpenChannel.self, "OpenChannel"),
        .init(AcceptChannel.self, "AcceptChannel"), .init(OpenChannel2.self, "OpenChannelV2"),
        .init(AcceptChannel2.self, "AcceptChannelV2"),
        .init(FundingCreated.self, "FundingCreated"), .init(FundingSigned.self, "FundingSigned"),
        .init(ChannelReady.self, "ChannelReady"), .init(Shutdown.self, "Shutdown"), .init(ClosingSigned.self, "ClosingSigned"),
        .init(ClosingComplete.self, "ClosingComplete"), .init(ClosingSig.self, "ClosingSig"),
        .init(UpdateAddHTLC.self, "UpdateAddHTLC"), .init(UpdateFulfillHTLC.self, "UpdateFulfillHTLC"),
        .init(UpdateFailHTLC.self, "UpdateFailHTLC"), .init(UpdateFailMalformedHTLC.self, "UpdateFailMalformedHTLC"),
        .init(CommitmentSigned.self, "CommitmentSigned"), .init(RevokeAndAck.self, "RevokeAndACK"),
        .init(UpdateFee.self, "UpdateFee"), .init(ChannelReestablish.self, "ChannelReestablish"), .init(Stfu.self, "Stfu"),
        .init(SpliceInit.self, "SpliceInit"), .init(SpliceAck.self, "SpliceAck"), .init(SpliceLocked.self, "SpliceLocked"),
        .init(TxAddInput.self, "TxAddInput"), .init(TxAddOutput.self, "TxAddOutput"), .init(TxRemoveInput.self, "TxRemoveInput"),
        .init(TxRemoveOutput.self, "TxRemoveOutput"), .init(TxComplete.self, "TxComplete"),
        .init(TxSignatures.self, "TxSignatures"), .init(TxInitRBF.self, "TxInitRbf"), .init(TxAckRBF.self, "TxAckRbf"),
        .init(TxAbort.self, "TxAbort"), .init(StartBatch.self, "StartBatch"),
        .init(AnnouncementSignatures.self, "AnnouncementSignatures"), .init(ChannelAnnouncement.self, "ChannelAnnouncement"),
        .init(NodeAnnouncement.self, "NodeAnnouncement"), .init(ChannelUpdate.self, "ChannelUpdate"),
        .init(QueryShortChannelIds.self, "QueryShortChannelIds"), .init(ReplyShortChannelIdsEnd.self, "ReplyShortChannelIdsEnd"),
        .init(QueryChannelRange.self, "QueryChannelRange"), .init(ReplyChannelRange.self, "ReplyChannelRange"),
        .init(GossipTimestampFilter.self, "GossipTimestampFilter"),
    ])

    /// The `wire::Message` variant that wraps a received message: the last of its names (the
    /// struct's own name for all but `Error` and `Warning`).
    public static func variant(of type: UInt16) -> String? {
        messages.entry(type: type)?.names.last
    }

    /// `Handling <Event> event in peer_handler for node <id> …` (`MessageSendEvent`): the
    /// message(s) the event sends, by spec name. `UpdateHTLCs` counts its messages instead.
    static let events: [String: [String]] = [
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
    /// The event that announces a channel's updates with their count.
    static let updateHTLCsEvent = "UpdateHTLCs"

    /// Lines outside the peer handler that report a message, and the message each reports:
    /// `Received peer Init message from <id>: <features>` (LDK 0.0.103 to 0.2; `Received Init
    /// message: …` in 0.3), `Received channel_ready from peer for channel <id>` and `Sending a
    /// channel_ready to our peer for channel <id>` (channel.rs), `Received channel_update … for
    /// channel <id>.` (the channel manager).
    static let notes: [(StaticString, (String, Direction))] = [
        ("Received peer Init message", ("init", .in)), ("Received Init message: ", ("init", .in)),
        ("Received channel_ready from peer for channel ", ("channel_ready", .in)),
        ("Sending a channel_ready to our peer for channel ", ("channel_ready", .out)),
        ("Received channel_update ", ("channel_update", .in)),
        ("Received valid commitment_signed from peer", ("commitment_signed", .in)),
        ("Received a valid revoke_and_ack", ("revoke_and_ack", .in)),
        ("Received funding_signed from peer for channel ", ("funding_signed", .in)),
        ("Received counterparty stfu proposing quiescence", ("stfu", .in)),
        ("Sending stfu as quiescence initiator", ("stfu", .out)),
        ("Got Err message from ", ("error", .in)), ("Got warning message", ("warning", .in)),
        ("Sending private initial channel_update for our counterparty", ("channel_update", .out)),
        ("Received a shutdown message from our counterparty", ("shutdown", .in)),
        ("Sending announcement_signatures", ("announcement_signatures", .out)),
        ("Sending bogus ChannelReestablish for unknown channel", ("channel_reestablish", .out)),
        ("Received splice_locked txid ", ("splice_locked", .in)), ("Received peer_storage from ", ("peer_storage", .in)),
    ]

    /// Text that marks a line as LDK's wherever it appears (after a prefix lntrace does not know).
    static let signatures: [StaticString] = [
        "lightning::ln::", "Enqueueing message ", "Received message ", " in peer_handler ", "Received peer Init message",
        "Encoding and sending message of type", "Got Err message from ",
    ]

    // MARK: Line markers

    /// `Received message X(X { … }) from <pk>` / `Enqueueing message X { … } to <pk>` (TRACE).
    static let received: StaticString = "Received message "
    static let enqueueing: StaticString = "Enqueueing message "
    static let from = " from "
    static let to = " to "
    /// What ends a wire line's message when the peer follows it (LDK ≤ 0.2), in the order tried.
    static let peerSuffixes = [from, to]
    /// `Unknown…`/`Custom…` messages LDK logs: not wire messages lntrace reads.
    static let unknownMessage = "Unknown"
    static let customMessage = "Custom"
    /// LDK before 0.0.10 named messages by number: `Encoding and sending message of type 16 to
    /// <id>`, `Received message of type 16 from <id>`.
    static let numbered: [(StaticString, Direction)] = [
        ("Encoding and sending message of type ", .out), ("Received message of type ", .in),
    ]
    /// `Handling SendChannelReady event in peer_handler for node <id> for channel <id>` (DEBUG).
    static let handling: StaticString = "Handling "
    static let inPeerHandler: StaticString = " in peer_handler"
    static let forNode = " for node "
    static let forChannel = " for channel "
    static let forChannelMarker: StaticString = " for channel "
    static let inChannel = " in channel "
    /// LDK 0.3's peer column: ` p:0355f8` (six hex digits).
    static let peerColumn: StaticString = " p:"

    /// A wire-message line as ldk-node writes LDK's records (`peer_handler.rs` lines 1240 and 1381):
    /// `2024-02-12 13:54:53.353 TRACE [lightning::ln::peer_handler:1240] Enqueueing message Init { … } to <pk>`,
    /// `… Received message Init(Init { … }) from <pk>`. `time` as ldk-node prints it; `message`:
    /// the struct as `Debug` prints it; `variant`: the `wire::Message` variant around a received one.
    public static func messageLine(time: String, direction: Direction, peer: String, message: String, variant: String) -> String {
        let prefix = "\(time) TRACE [lightning::ln::peer_handler:\(direction == .out ? 1240 : 1381)]"
        return direction == .out
            ? "\(prefix) \(enqueueing)\(message)\(to)\(peer)"
            : "\(prefix) \(received)\(variant)(\(message))\(from)\(peer)"
    }
}
