import Provenance
import Wire

/// eclair's words for wire messages (the case classes of `LightningMessageTypes.scala`) and
/// the fixed text around them in its log lines (`TransportHandler.logMessage`,
/// `Peer.MessageLogs`, the Router): read by ``EclairLogParser``, written by `lntrace synth`.
public enum EclairDialect {
    /// Case-class names, as in `IN msg=UpdateAddHtlc(…)`: the one `lntrace synth` writes, then
    /// other versions' (`FundingLocked`).
    public static let messages = MessageNameTable([
        .init(Init.self, "Init"), .init(Warning.self, "Warning"), .init(ErrorMessage.self, "Error"),
        .init(Ping.self, "Ping"), .init(Pong.self, "Pong"),
        .init(OpenChannel.self, "OpenChannel"), .init(AcceptChannel.self, "AcceptChannel"),
        .init(OpenChannel2.self, "OpenDualFundedChannel"), .init(AcceptChannel2.self, "AcceptDualFundedChannel"),
        .init(FundingCreated.self, "FundingCreated"), .init(FundingSigned.self, "FundingSigned"),
        .init(ChannelReady.self, "ChannelReady", "FundingLocked"),
        .init(Shutdown.self, "Shutdown"), .init(ClosingSigned.self, "ClosingSigned"),
        .init(ClosingComplete.self, "ClosingComplete"), .init(ClosingSig.self, "ClosingSig"),
        .init(UpdateAddHTLC.self, "UpdateAddHtlc"), .init(UpdateFulfillHTLC.self, "UpdateFulfillHtlc"),
        .init(UpdateFailHTLC.self, "UpdateFailHtlc"), .init(UpdateFailMalformedHTLC.self, "UpdateFailMalformedHtlc"),
        .init(CommitmentSigned.self, "CommitSig"), .init(RevokeAndAck.self, "RevokeAndAck"), .init(UpdateFee.self, "UpdateFee"),
        .init(ChannelReestablish.self, "ChannelReestablish"), .init(Stfu.self, "Stfu"),
        .init(AnnouncementSignatures.self, "AnnouncementSignatures"), .init(ChannelAnnouncement.self, "ChannelAnnouncement"),
        .init(NodeAnnouncement.self, "NodeAnnouncement"), .init(ChannelUpdate.self, "ChannelUpdate"),
        .init(StartBatch.self, "StartBatch"),
        .init(PeerStorage.self, "PeerStorageStore"), .init(PeerStorageRetrieval.self, "PeerStorageRetrieval"),
        .init(TxAddInput.self, "TxAddInput"), .init(TxAddOutput.self, "TxAddOutput"),
        .init(TxRemoveInput.self, "TxRemoveInput"), .init(TxRemoveOutput.self, "TxRemoveOutput"),
        .init(TxComplete.self, "TxComplete"), .init(TxSignatures.self, "TxSignatures"),
        .init(TxInitRBF.self, "TxInitRbf"), .init(TxAckRBF.self, "TxAckRbf"), .init(TxAbort.self, "TxAbort"),
        .init(SpliceInit.self, "SpliceInit"), .init(SpliceAck.self, "SpliceAck"), .init(SpliceLocked.self, "SpliceLocked"),
        .init(QueryShortChannelIds.self, "QueryShortChannelIds"), .init(ReplyShortChannelIdsEnd.self, "ReplyShortChannelIdsEnd"),
        .init(QueryChannelRange.self, "QueryChannelRange"), .init(ReplyChannelRange.self, "ReplyChannelRange"),
        .init(GossipTimestampFilter.self, "GossipTimestampFilter"),
    ])

    /// The class of a message eclair decoded but does not know: `UnknownMessage(tag, data)`.
    static let unknownMessage = "UnknownMessage"

    /// Text that marks a line as eclair's wherever it appears (after a prefix lntrace does not know).
    static let signatures: [StaticString] = ["IN msg=", "OUT msg=", "------->  msg=", "<-------  msg="]

    // MARK: Line markers

    /// `IN msg=` / `OUT msg=` after the logger (` - IN msg=`), or as posters reformat them
    /// (`INFO IN msg=`, `IN ------->  msg=`, `OUT <-------  msg=`).
    static let received: StaticString = "IN msg="
    static let sent: StaticString = "OUT msg="
    static let receivedArrow: StaticString = " ------->  msg="
    static let sentArrow: StaticString = " <-------  msg="
    static let receivedWord: StaticString = "IN"
    static let sentWord: StaticString = "OUT"
    /// The two loggers that log every channel message (eclair 0.4.2 on): each message has a
    /// line of each.
    public static let diagnosticsLogger: StaticString = "f.a.eclair.Diagnostics"
    public static let peerLogger: StaticString = "f.a.e.i.Peer"
    /// The MDC columns of the line's prefix: ` n:<node id>` and ` c:<channel id>`.
    static let nodeColumn: StaticString = "n:"
    static let channelColumn: StaticString = " c:"
    /// What separates a Router line's logger and MDC from its text.
    static let textSeparator: StaticString = " - "

    /// The Router's lines about the gossip queries it sends and receives, and the message each
    /// names (eclair 0.2 on), each from its ` - ` on.
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
    /// The Router's words for `first_blocknum` and `number_of_blocks`
    /// (`received query_channel_range with firstBlockNum=0 numberOfBlocks=1 …`).
    static let firstBlockNum = "firstBlockNum="
    static let numberOfBlocks = "numberOfBlocks="

    /// A wire-message line as eclair 0.4.2 on writes it, by one of its two loggers:
    /// `2021-09-24 21:59:53,155 INFO  f.a.eclair.Diagnostics n:<pk> c:<channel> - IN msg=CommitSig(…)`.
    /// `time` as eclair prints it; `message`: the case class as `toString` prints it.
    public static func messageLine(
        time: String, logger: StaticString, peer: String, channel: String?, direction: Direction,
        message: String
    ) -> String {
        let columns = " \(nodeColumn)\(peer)" + (channel.map { "\(channelColumn)\($0)" } ?? "")
        return "\(time) INFO  \(logger)\(columns)\(textSeparator)\(direction == .out ? sent : received)\(message)"
    }
}
