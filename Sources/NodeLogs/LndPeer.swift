import Basics
import Provenance

/// How lnd's lines name the peer: the per-peer prefix (`Peer(<pk>): `, lnd 0.15.1+), the end
/// of a summary line (` from <pk>@<addr>`), a trace dump's header (`readMessage from <peer>:`),
/// and what kind of name each is (a node id, an alias or redaction, an address).
extension LndLogParser {
    /// How a log line names a peer: `<66 hex>` or `<66 hex>@<addr>` (a node id), `<label>@<addr>`
    /// (an alias or redaction: `[Alice]`, `***`, `PEER`, an elided id), or `<ip:port>` (lnd
    /// before 0.5 named peers by address only).
    static func peer(_ text: ArraySlice<UInt8>) -> (name: String, identity: PeerIdentity) {
        if let at = text.firstIndex(of: UInt8(ascii: "@")) {
            let id = text[..<at]
            if id.count == 66, id.allSatisfy(Hex.isDigit) { return (LogText.string(id), .nodeID) }
            if !id.isEmpty { return (LogText.string(id), .alias) }
            return (LogText.string(text[(at + 1)...]), .address)
        }
        if text.count == 66, text.allSatisfy(Hex.isDigit) { return (LogText.string(text), .nodeID) }
        if text.contains(UInt8(ascii: ":")) || text.contains(UInt8(ascii: ".")) { return (LogText.string(text), .address) }
        return (LogText.string(text), .alias)
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
    static func trailingPeer(_ body: inout ArraySlice<UInt8>, preposition: StaticString) -> (name: String, identity: PeerIdentity)? {
        guard let at = LogText.findLast(preposition, in: body) else { return nil }
        let suffix = body[(at + preposition.utf8CodeUnitCount)...]
        guard !suffix.contains(32), !suffix.isEmpty else { return nil }
        body = body[..<at]
        return peer(suffix)
    }
}
