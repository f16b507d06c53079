import Foundation
import Provenance

/// Which messages a command shows (`--type`, `--channel`, `--peer`, `--connection`,
/// `--since`, `--until`): tshark's display filters for the fields users ask for most.
public struct MessageFilter: Sendable {
    /// Message types by their spec names (`update_add_htlc`).
    public var types: Set<String> = []
    /// A `channel_id` (or `temporary_channel_id`) prefix in hex, or a log's channel label.
    public var channel: String?
    /// A node id prefix, an alias or an address as the trace names the peer or endpoint.
    public var peer: String?
    public var connection: Int?
    public var since: Timestamp?
    public var until: Timestamp?

    public init() {}

    public var isEmpty: Bool {
        types.isEmpty && channel == nil && peer == nil && connection == nil && since == nil && until == nil
    }

    public func matches(_ m: MessageEvent) -> Bool {
        if !types.isEmpty, !types.contains(m.content.name) { return false }
        if let connection, m.connection != connection { return false }
        if let channel {
            let ids = [
                m.channel,
                m.content.temporaryChannelID?.hex,
            ].compactMap { $0 }
            if !ids.contains(where: { $0.lowercased().hasPrefix(channel.lowercased()) }) { return false }
        }
        if let peer {
            let names = [m.peer, m.sender, m.receiver].compactMap { $0 }
            if !names.contains(where: { $0.lowercased().hasPrefix(peer.lowercased()) }) { return false }
        }
        if let since, let time = m.time, time < since { return false }
        if let until, let time = m.time, until < time { return false }
        if (since != nil || until != nil) && m.time == nil { return false }
        return true
    }

    /// `2024-01-18T09:30:00Z`, `2024-01-18T09:30:00.5+01:00`, `2024-01-18 09:30:00` and
    /// `2024-01-18` (UTC without a zone).
    public static func time(_ text: String) -> Timestamp? {
        var value = text.trimmingCharacters(in: .whitespaces)
        if value.count == 10 { value += "T00:00:00" }
        guard value.count >= 19 else { return nil }
        let separator = value.index(value.startIndex, offsetBy: 10)
        if value[separator] == " " { value.replaceSubrange(separator...separator, with: "T") }
        // No zone after the time: UTC.
        let time = value[value.index(after: separator)...]
        if !time.hasSuffix("Z"), !time.contains("+"), !time.contains("-") { value += "Z" }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let date =
            formatter.date(from: value)
            ?? {
                formatter.formatOptions = [.withInternetDateTime]
                return formatter.date(from: value)
            }()
        guard let date else { return nil }
        let seconds = date.timeIntervalSince1970.rounded(.down)
        return Timestamp(seconds: Int64(seconds), nanoseconds: Int32(((date.timeIntervalSince1970 - seconds) * 1e9).rounded()))
    }
}
