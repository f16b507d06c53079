import Basics
import Provenance
import Wire

/// lnd's lines that are not wire messages but say what the node did or is: a channel's link
/// failing (kept for hazard analysis) and the version line lnd starts with.
extension LndLogParser {
    /// A note the line gives, if any.
    static func note(_ bytes: ArraySlice<UInt8>, line: Int) -> LogNote? {
        linkFailure(bytes, line: line) ?? version(bytes, line: line)
    }

    /// `… [ERR] HSWC: ChannelLink(<txid>:<index>): failing link: <reason> with error: <error>`
    /// (htlcswitch/link.go `failf`): the channel's link failed.
    static func linkFailure(_ bytes: ArraySlice<UInt8>, line: Int) -> LogNote? {
        guard let marker = LogText.find(LndDialect.failingLink, in: bytes),
            let open = LogText.find(LndDialect.channelLink, in: bytes[..<marker])
        else {
            return nil
        }
        let point = LogText.string(bytes[(open + LndDialect.channelLink.utf8CodeUnitCount)..<marker])
        let parts = point.split(separator: ":")
        var channel: ChannelID?
        if parts.count == 2, let txid = Hex.decode(parts[0]), txid.count == 32, let index = UInt16(parts[1]),
            let hash = SHA256Hash(Array(txid.reversed()))
        {
            // The channel point prints the txid byte-reversed; channel_id XORs the wire order.
            channel = ChannelID(fundingTxid: hash, outputIndex: index)
        }
        let stamp = LogText.firstTimestamp(bytes[..<open], window: 48)
        return LogNote(
            line: line, time: stamp?.0, timeText: stamp?.1, channelID: channel,
            kind: "link-failure", text: LogText.string(bytes[(marker + LndDialect.failingLink.utf8CodeUnitCount)...]))
    }

    /// lnd's first line: `… [INF] LTND: Version: 0.16.0-beta commit=…`.
    static func version(_ bytes: ArraySlice<UInt8>, line: Int) -> LogNote? {
        guard let at = LogText.find(LndDialect.version, in: bytes) else { return nil }
        let version = LogText.string(bytes[(at + LndDialect.version.utf8CodeUnitCount)...].prefix { $0 != 0x20 })
        let stamp = LogText.firstTimestamp(bytes[..<at], window: 48)
        return LogNote(line: line, time: stamp?.0, timeText: stamp?.1, channelID: nil, kind: "version", text: version)
    }
}
