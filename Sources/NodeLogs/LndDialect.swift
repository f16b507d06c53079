import Provenance
import Wire

/// lnd's words for wire messages (`lnwire.MessageType.String()`, the `lnwire` Go types) and
/// the fixed text around them in its log lines (`peer/brontide.go` `logWireMessage`): read by
/// ``LndLogParser``, written by `lntrace synth`.
///
/// Markers searched in a line's bytes are `StaticString`s (`LogText.find`);
/// those the parser compares with text it already decoded are `String`s.
public enum LndDialect {
    /// `MessageType.String()` names, as in `Received UpdateAddHTLC(…)`: the one `lntrace synth`
    /// writes, then other versions' (`FundingLocked`, `NodeAnnouncement1`).
    public static let messages = MessageNameTable([
        .init(Init.self, "Init"), .init(ErrorMessage.self, "Error"), .init(Warning.self, "Warning"),
        .init(Ping.self, "Ping"), .init(Pong.self, "Pong"),
        .init(OpenChannel.self, "MsgOpenChannel"), .init(AcceptChannel.self, "MsgAcceptChannel"),
        .init(FundingCreated.self, "MsgFundingCreated"), .init(FundingSigned.self, "MsgFundingSigned"),
        .init(ChannelReady.self, "ChannelReady", "FundingLocked"),
        .init(Shutdown.self, "Shutdown"), .init(ClosingSigned.self, "ClosingSigned"),
        .init(ClosingComplete.self, "ClosingComplete"), .init(ClosingSig.self, "ClosingSig"),
        .init(UpdateAddHTLC.self, "UpdateAddHTLC"), .init(UpdateFulfillHTLC.self, "UpdateFulfillHTLC"),
        .init(UpdateFailHTLC.self, "UpdateFailHTLC"), .init(UpdateFailMalformedHTLC.self, "UpdateFailMalformedHTLC"),
        .init(CommitmentSigned.self, "CommitSig"), .init(RevokeAndAck.self, "RevokeAndAck"), .init(UpdateFee.self, "UpdateFee"),
        .init(ChannelReestablish.self, "ChannelReestablish"), .init(Stfu.self, "Stfu"),
        .init(AnnouncementSignatures.self, "AnnounceSignatures"), .init(ChannelAnnouncement.self, "ChannelAnnouncement"),
        .init(ChannelUpdate.self, "ChannelUpdate"), .init(NodeAnnouncement.self, "NodeAnnouncement", "NodeAnnouncement1"),
        .init(QueryShortChannelIds.self, "QueryShortChanIDs"), .init(ReplyShortChannelIdsEnd.self, "ReplyShortChanIDsEnd"),
        .init(QueryChannelRange.self, "QueryChannelRange"), .init(ReplyChannelRange.self, "ReplyChannelRange"),
        .init(GossipTimestampFilter.self, "GossipTimestampRange"),
        // Type 513, which Wire does not decode: kept as a message of that type, without fields.
        .init(type: 513, ["OnionMessage"]),
    ])

    /// The `lnwire` Go types of trace dumps (`(*lnwire.OpenChannel)(0xc…)({`) where they differ
    /// from ``messages``' names; a dump's type is looked up here first, then there.
    public static let goTypes = MessageNameTable([
        .init(OpenChannel.self, "OpenChannel"), .init(AcceptChannel.self, "AcceptChannel"),
        .init(FundingCreated.self, "FundingCreated"), .init(FundingSigned.self, "FundingSigned"),
        .init(AnnouncementSignatures.self, "AnnounceSignatures1"), .init(ChannelAnnouncement.self, "ChannelAnnouncement1"),
        .init(ChannelUpdate.self, "ChannelUpdate1"),
    ])

    /// The message a trace dump's Go type names: only a type Wire decodes, since the dump's
    /// fields are read by the spec's names.
    static func goType(_ name: String) -> MessageNameTable.Entry? {
        guard let entry = goTypes.entry(named: name) ?? messages.entry(named: name), entry.isKnown else { return nil }
        return entry
    }

    /// Text that marks a line as lnd's wherever it appears (after a prefix lntrace does not know).
    static let signatures: [StaticString] = ["PEER: ", "(*lnwire."]

    // MARK: Line markers

    /// The end of the level tag and the subsystem of every wire-message line: `[DBG] PEER: `,
    /// or with a call site (lnd 0.19+) `[DBG] PEER brontide.go:2910: `.
    static let peerSubsystem: StaticString = "] PEER"
    /// What ends the subsystem (and the call site): `PEER: `, `PEER brontide.go:2910: `.
    static let subsystemEnd: StaticString = ": "
    /// lnd's first line: `… [INF] LTND: Version: 0.16.0-beta commit=…`.
    static let version: StaticString = "] LTND: Version: "
    /// The per-peer prefix (lnd 0.15.1+): `Peer(<66 hex>): `.
    static let peerPrefix: StaticString = "Peer("
    static let peerPrefixEnd: StaticString = "): "
    /// A summary line: `Received X(…) from <peer>`, `Sending X(…) to <peer>`.
    static let received: StaticString = "Received "
    static let sending: StaticString = "Sending "
    static let from: StaticString = " from "
    static let to: StaticString = " to "
    /// A trace dump's header: `readMessage from <peer>: (*lnwire.X)(0x…)({`, `writeMessage to …`.
    static let readMessage: StaticString = "readMessage from "
    static let writeMessage: StaticString = "writeMessage to "
    static let goTypePrefix = "(*lnwire."
    static let dumpPeerEnd = ": (*lnwire."
    /// `custom(type=32769)`, `<unknown>`: messages outside lnd's table.
    static let custom: StaticString = "custom"
    static let customType: StaticString = "type="
    static let unknown = "<unknown>"
    /// `ChannelLink(<txid>:<index>): failing link: <reason>` (htlcswitch/link.go `failf`).
    static let channelLink: StaticString = "ChannelLink("
    static let failingLink: StaticString = "): failing link: "

    /// A wire-message line as lnd 0.19+ writes it at debug level, without a call site (the
    /// level tag `[DBG` and ``peerSubsystem`` make `[DBG] PEER`):
    /// `2024-05-01 15:54:18.364 [DBG] PEER: Peer(<pk>): Sending UpdateAddHTLC(…) to <pk>@<addr>`.
    /// `time` as lnd prints it; `message`: the name and its summary.
    public static func messageLine(time: String, direction: Direction, peer: String, address: String, message: String) -> String {
        let (verb, preposition) = direction == .out ? (sending, to) : (received, from)
        return "\(time) [DBG\(peerSubsystem): \(peerPrefix)\(peer)\(peerPrefixEnd)\(verb)\(message)\(preposition)\(peer)@\(address)"
    }
}
