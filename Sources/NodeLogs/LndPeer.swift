import Basics
import Provenance

/// How lnd's lines name the peer: the per-peer prefix (`Peer(<pk>): `, lnd 0.15.1+), the end
/// of a summary line (` from <pk>@<addr>`), a trace dump's header (`readMessage from <peer>:`),
/// and what kind of name each is (a node id, an alias or redaction, an address).
extension LndLogParser {
    /// How a log line names a peer: `<66 hex>` or `<66 hex>@<addr>` (a node id), `<label>@<addr>`
    /// (an alias or redaction: `[Alice]`, `***`, `PEER`, an elided id), or `<ip:port>` (lnd
    /// before 0.5 named peers by address only).
    static func peer(_ text: Substring) -> (name: String, identity: PeerIdentity) {
        let utf8 = text.utf8
        if let at = utf8.firstIndex(of: UInt8(ascii: "@")) {
            let id = utf8[..<at]
            if id.count == 66, id.allSatisfy(Hex.isDigit) { return (String(decoding: id, as: UTF8.self), .nodeID) }
            if !id.isEmpty { return (String(decoding: id, as: UTF8.self), .alias) }
            return (String(decoding: utf8[utf8.index(after: at)...], as: UTF8.self), .address)
        }
        if utf8.count == 66, utf8.allSatisfy(Hex.isDigit) { return (String(text), .nodeID) }
        if utf8.contains(UInt8(ascii: ":")) || utf8.contains(UInt8(ascii: ".")) { return (String(text), .address) }
        return (String(text), .alias)
    }

    /// The optional per-peer prefix (lnd 0.15.1+) at the start of `rest`: `Peer(<66 hex>): `, or
    /// an alias or redaction a user put there (`Peer([Alice]): `, `Peer(xxx): `). Removes it
    /// from `rest` and returns what it names.
    static func prefixPeer(_ rest: inout ArraySlice<UInt8>) -> String? {
        guard LogText.starts(rest, with: LndDialect.peerPrefix),
            let close = LogText.find(LndDialect.peerPrefixEnd, in: rest.prefix(140))
        else { return nil }
        let name = LogText.string(rest[(rest.startIndex + LndDialect.peerPrefix.utf8CodeUnitCount)..<close])
        rest = rest[(close + LndDialect.peerPrefixEnd.utf8CodeUnitCount)...].drop { $0 == 32 }
        return name
    }

    /// The peer at the end of a summary's `body` (` from <pk>@<addr>`, ` to <pk>@<addr>`), read
    /// from the end since an error's text may contain either word; `body` loses it.
    static func trailingPeer(_ body: inout Substring, preposition: String) -> (name: String, identity: PeerIdentity)? {
        guard let range = body.lastRange(of: preposition) else { return nil }
        let suffix = body[range.upperBound...]
        guard !suffix.utf8.contains(32), !suffix.isEmpty else { return nil }
        body = body[..<range.lowerBound]
        return peer(suffix)
    }
}
