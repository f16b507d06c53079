import Provenance
import Wire

/// Core Lightning's words for wire messages (`peer_wire_name`, generated from its
/// `peer_wire.csv`) and the fixed text around them in its log lines (`common/status.c`,
/// `lightningd/log.c`): read by ``ClnLogParser``, written by `lntrace synth`.
public enum ClnDialect {
    /// `WIRE_` and the spec name in capitals, for every type Wire decodes, then its earlier
    /// names; and the types of CLN's `peer_wire.csv` outside the BOLTs lntrace decodes.
    public static let messages = MessageNameTable(
        Message.knownTypes.keys.sorted().map { type in
            MessageNameTable.Entry(type: type, ["\(wirePrefix)\(Message.name(ofType: type).uppercased())"] + (earlierNames[type] ?? []))
        } + [
            MessageNameTable.Entry(type: 137, ["WIRE_UPDATE_BLOCKHEIGHT"]),
            MessageNameTable.Entry(type: 513, ["WIRE_ONION_MESSAGE"]),
        ]
    )

    /// Names CLN used before the spec's: `WIRE_FUNDING_LOCKED` (before 0.12), and `WIRE_SPLICE`
    /// for `splice_init` (the experimental splicing of 23.08).
    static let earlierNames: [UInt16: [String]] = [
        ChannelReady.type: ["WIRE_FUNDING_LOCKED"],
        SpliceInit.type: ["WIRE_SPLICE"],
    ]

    /// The end of lightningd's start line, before its version (`lightningd/lightningd.c`):
    /// `Server started with public key …, alias … (color #…) and lightningd v23.11.2` (before
    /// 2018 without the color).
    static let version: StaticString = " and lightningd "

    /// The messages CLN does not name at `debug` level: pings, pongs and gossip.
    public static let unnamedAtDebug: Set<UInt16> = [
        Ping.type, Pong.type, ChannelAnnouncement.type, NodeAnnouncement.type, ChannelUpdate.type,
        ReplyShortChannelIdsEnd.type, ReplyChannelRange.type,
    ]

    /// Text that marks a line as Core Lightning's wherever it appears (after a prefix lntrace
    /// does not know); also a `getlog` entry's `source` (`ClnShape.isJSONSource`).
    static let signatures: [StaticString] = [": peer_in ", ": peer_out ", "\"log\": \"peer_", ": [IN] ", ": [OUT] ", "Read decrypt "]

    // MARK: Line markers

    /// `peer_in WIRE_X` / `peer_out WIRE_X` (debug level): the name only.
    static let peerIn: StaticString = "peer_in "
    static let peerOut: StaticString = "peer_out "
    /// `[IN] <hex>` / `[OUT] <hex>` (io level): the whole message.
    static let ioIn: StaticString = "[IN] "
    static let ioOut: StaticString = "[OUT] "
    /// `Read decrypt <hex>` (before 0.6): a received message, named again by `peer_in`.
    static let readDecrypt: StaticString = "Read decrypt "
    /// The start of every name in ``messages``.
    public static let wirePrefix = "WIRE_"
    /// `UNKNOWN 32769`: a type by number.
    static let unknownPrefix = "UNKNOWN"
    /// A channel's database id in an entry prefix: `…-channeld-chan#14429: `, before 0.8 `chan #12`.
    static let channel: StaticString = "chan#"
    static let oldChannel: StaticString = "chan #"
    /// The fields of a `getlog` entry (JSON): `"source": "channeld-chan#1699"`,
    /// `"node_id": "<66 hex>"`, `"log": "peer_out WIRE_PONG"`.
    static let jsonSource: StaticString = "\"source\": \""
    static let jsonNodeID: StaticString = "\"node_id\": \""
    static let jsonLog: StaticString = "\"log\": \""

    /// An entry prefix's source: the peer's node id and channeld with the channel's number, or
    /// connectd for a message outside a channel.
    public static func source(peer: String, channel: Int?) -> String {
        channel.map { "\(peer)-channeld-\(Self.channel)\($0)" } ?? "\(peer)-connectd"
    }

    /// A `debug`-level line naming a message, as CLN 0.9.1 on writes it:
    /// `2023-07-27T13:58:33.812Z DEBUG   <pk>-channeld-chan#1: peer_out WIRE_COMMITMENT_SIGNED`.
    public static func nameLine(time: String, source: String, direction: Direction, name: String) -> String {
        "\(time) DEBUG   \(source): \(direction == .out ? peerOut : peerIn)\(name)"
    }

    /// An `io`-level line with the whole message: `2024-01-01T00:00:00.000Z <pk>-channeld-chan#1: [IN] 0084…`.
    public static func ioLine(time: String, source: String, direction: Direction, hex: String) -> String {
        "\(time) \(source): \(direction == .out ? ioOut : ioIn)\(hex)"
    }
}
