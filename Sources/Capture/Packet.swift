import Provenance

/// Link-layer types lntrace decodes (`LINKTYPE_*` values as stored in pcap files).
public enum LinkType {
    public static let null: Int32 = 0  // BSD loopback, host-order address family
    public static let ethernet: Int32 = 1
    public static let raw: Int32 = 101  // raw IPv4 or IPv6
    public static let rawDLT12: Int32 = 12  // DLT_RAW as some systems write it
    public static let rawDLT14: Int32 = 14
    public static let loop: Int32 = 108  // OpenBSD loopback, network-order family
    public static let linuxSLL: Int32 = 113
    public static let ipv4: Int32 = 228
    public static let ipv6: Int32 = 229
    public static let linuxSLL2: Int32 = 276
}

/// An IP datagram's payload as the link and IP layers delivered it (before fragment
/// reassembly).
public struct IPPacket: Sendable {
    public var source: IPAddress
    public var destination: IPAddress
    /// The upper-layer protocol (6 for TCP).
    public var protocolNumber: UInt8
    public var payload: ArraySlice<UInt8>
    /// Set when this is one fragment of a larger datagram.
    public var fragment: Fragment?

    public struct Fragment: Hashable, Sendable {
        public var identification: UInt32
        /// Offset of this fragment's payload in the datagram, in bytes.
        public var offset: Int
        public var moreFragments: Bool

        public init(identification: UInt32, offset: Int, moreFragments: Bool) {
            self.identification = identification
            self.offset = offset
            self.moreFragments = moreFragments
        }
    }
}

/// Why a frame was not decoded as IP (reported only where it matters, for example a
/// truncated TCP header on a Lightning connection).
public enum PacketSkip: Error, Hashable, Sendable {
    case notIP
    case truncated(layer: String)
    case unsupportedLinkType(Int32)
    case encrypted  // IPv6 ESP
}

/// Decodes link-layer and IP headers (BSD/Linux loopback, Ethernet with 802.1Q/QinQ tags,
/// Linux cooked SLL and SLL2, raw IP; IPv4 options; IPv6 extension headers). Checksums are
/// not verified: captures often see offloaded, not yet computed checksums.
public enum PacketDecoder {
    public static func decode(_ data: [UInt8], linkType: Int32) throws(PacketSkip) -> IPPacket {
        let bytes = data[...]
        switch linkType {
        case LinkType.ethernet:
            return try ethernet(bytes)
        case LinkType.linuxSLL:
            guard bytes.count >= 16 else { throw .truncated(layer: "SLL") }
            return try byEtherType(be16(bytes, 14), bytes.dropFirst(16))
        case LinkType.linuxSLL2:
            guard bytes.count >= 20 else { throw .truncated(layer: "SLL2") }
            return try byEtherType(be16(bytes, 0), bytes.dropFirst(20))
        case LinkType.null, LinkType.loop:
            guard bytes.count >= 4 else { throw .truncated(layer: "loopback") }
            // The family is in the capturing host's byte order (NULL) or network order
            // (LOOP); AF_INET is 2 everywhere, AF_INET6 is 10, 24, 28 or 30.
            let b = bytes.startIndex
            let family = bytes[b] != 0 ? UInt32(bytes[b]) : UInt32(bytes[b + 3])
            let payload = bytes.dropFirst(4)
            switch family {
            case 2: return try ipv4(payload)
            case 10, 24, 28, 30: return try ipv6(payload)
            default: throw .notIP
            }
        case LinkType.raw, LinkType.rawDLT12, LinkType.rawDLT14, LinkType.ipv4, LinkType.ipv6:
            return try ip(bytes)
        default:
            throw .unsupportedLinkType(linkType)
        }
    }

    static func be16(_ b: ArraySlice<UInt8>, _ offset: Int) -> UInt16 {
        let i = b.startIndex + offset
        return UInt16(b[i]) << 8 | UInt16(b[i + 1])
    }

    static func be32(_ b: ArraySlice<UInt8>, _ offset: Int) -> UInt32 {
        let i = b.startIndex + offset
        return UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
    }

    static func ethernet(_ bytes: ArraySlice<UInt8>) throws(PacketSkip) -> IPPacket {
        guard bytes.count >= 14 else { throw .truncated(layer: "Ethernet") }
        var etherType = be16(bytes, 12)
        var rest = bytes.dropFirst(14)
        // 802.1Q (0x8100), 802.1ad QinQ (0x88a8) and the older 0x9100: a 4-byte tag each.
        while etherType == 0x8100 || etherType == 0x88a8 || etherType == 0x9100 {
            guard rest.count >= 4 else { throw .truncated(layer: "VLAN") }
            etherType = be16(rest, 2)
            rest = rest.dropFirst(4)
        }
        return try byEtherType(etherType, rest)
    }

    static func byEtherType(_ etherType: UInt16, _ payload: ArraySlice<UInt8>) throws(PacketSkip) -> IPPacket {
        switch etherType {
        case 0x0800: return try ipv4(payload)
        case 0x86dd: return try ipv6(payload)
        case 0x8100, 0x88a8, 0x9100:
            guard payload.count >= 4 else { throw .truncated(layer: "VLAN") }
            return try byEtherType(be16(payload, 2), payload.dropFirst(4))
        default: throw .notIP
        }
    }

    static func ip(_ bytes: ArraySlice<UInt8>) throws(PacketSkip) -> IPPacket {
        guard let first = bytes.first else { throw .truncated(layer: "IP") }
        switch first >> 4 {
        case 4: return try ipv4(bytes)
        case 6: return try ipv6(bytes)
        default: throw .notIP
        }
    }

    static func ipv4(_ bytes: ArraySlice<UInt8>) throws(PacketSkip) -> IPPacket {
        guard bytes.count >= 20 else { throw .truncated(layer: "IPv4") }
        let b = bytes.startIndex
        guard bytes[b] >> 4 == 4 else { throw .notIP }
        let headerLength = Int(bytes[b] & 0x0f) * 4
        let totalLength = Int(be16(bytes, 2))
        guard headerLength >= 20, bytes.count >= headerLength else { throw .truncated(layer: "IPv4") }
        // Trim link-layer padding; a total length of 0 (TSO captures) means "all of it".
        let end = totalLength >= headerLength ? min(bytes.count, totalLength) : bytes.count
        let flagsOffset = be16(bytes, 6)
        let moreFragments = flagsOffset & 0x2000 != 0
        let offset = Int(flagsOffset & 0x1fff) * 8
        var packet = IPPacket(
            source: .v4(be32(bytes, 12)), destination: .v4(be32(bytes, 16)),
            protocolNumber: bytes[b + 9],
            payload: bytes[(b + headerLength)..<(b + end)])
        if moreFragments || offset != 0 {
            packet.fragment = .init(identification: UInt32(be16(bytes, 4)), offset: offset, moreFragments: moreFragments)
        }
        return packet
    }

    static func ipv6(_ bytes: ArraySlice<UInt8>) throws(PacketSkip) -> IPPacket {
        guard bytes.count >= 40 else { throw .truncated(layer: "IPv6") }
        let b = bytes.startIndex
        guard bytes[b] >> 4 == 6 else { throw .notIP }
        let payloadLength = Int(be16(bytes, 4))
        func address(_ at: Int) -> IPAddress {
            var high: UInt64 = 0, low: UInt64 = 0
            for i in 0..<8 { high = high << 8 | UInt64(bytes[b + at + i]) }
            for i in 8..<16 { low = low << 8 | UInt64(bytes[b + at + i]) }
            return .v6(high, low)
        }
        let end = payloadLength > 0 ? min(bytes.count, 40 + payloadLength) : bytes.count
        var next = bytes[b + 6]
        var position = b + 40
        var fragment: IPPacket.Fragment?
        // Walk the extension headers up to the upper-layer protocol.
        loop: while true {
            switch next {
            case 0, 43, 60, 135, 139, 140:  // hop-by-hop, routing, destination, mobility, HIP, shim6
                guard position + 2 <= b + end else { throw .truncated(layer: "IPv6 extension header") }
                let length = (Int(bytes[position + 1]) + 1) * 8
                next = bytes[position]
                position += length
            case 44:  // fragment
                guard position + 8 <= b + end else { throw .truncated(layer: "IPv6 fragment header") }
                let offsetFlags = be16(bytes, position - b + 2)
                fragment = .init(
                    identification: be32(bytes, position - b + 4),
                    offset: Int(offsetFlags >> 3) * 8, moreFragments: offsetFlags & 1 == 1)
                next = bytes[position]
                position += 8
            case 51:  // authentication header: length in 4-byte units, minus 2
                guard position + 2 <= b + end else { throw .truncated(layer: "IPv6 AH") }
                let length = (Int(bytes[position + 1]) + 2) * 4
                next = bytes[position]
                position += length
            case 50:
                throw .encrypted
            default:
                break loop
            }
            guard position <= b + end else { throw .truncated(layer: "IPv6 extension header") }
        }
        var packet = IPPacket(source: address(8), destination: address(24), protocolNumber: next, payload: bytes[position..<(b + end)])
        // A fragment with offset 0 and no more fragments is an atomic fragment: no reassembly.
        if let fragment, fragment.offset != 0 || fragment.moreFragments { packet.fragment = fragment }
        return packet
    }
}

/// TCP header flags.
public struct TCPFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let fin = TCPFlags(rawValue: 0x01)
    public static let syn = TCPFlags(rawValue: 0x02)
    public static let rst = TCPFlags(rawValue: 0x04)
    public static let psh = TCPFlags(rawValue: 0x08)
    public static let ack = TCPFlags(rawValue: 0x10)
}

/// One TCP segment, with the frame(s) that carried it.
public struct TCPSegment: Sendable {
    public var source: Endpoint
    public var destination: Endpoint
    public var sequence: UInt32
    public var acknowledgment: UInt32
    public var flags: TCPFlags
    public var payload: ArraySlice<UInt8>
    /// The frame that completed the segment (several when IP fragments were reassembled).
    public var frames: [Int]
    public var time: Timestamp

    public init(
        source: Endpoint, destination: Endpoint, sequence: UInt32, acknowledgment: UInt32,
        flags: TCPFlags, payload: ArraySlice<UInt8>, frames: [Int], time: Timestamp
    ) {
        self.source = source
        self.destination = destination
        self.sequence = sequence
        self.acknowledgment = acknowledgment
        self.flags = flags
        self.payload = payload
        self.frames = frames
        self.time = time
    }

    /// Parses the TCP header of an IP packet's payload.
    public static func parse(_ packet: IPPacket, frames: [Int], time: Timestamp) throws(PacketSkip) -> TCPSegment {
        let bytes = packet.payload
        guard bytes.count >= 20 else { throw .truncated(layer: "TCP") }
        let b = bytes.startIndex
        let dataOffset = Int(bytes[b + 12] >> 4) * 4
        guard dataOffset >= 20, bytes.count >= dataOffset else { throw .truncated(layer: "TCP") }
        return TCPSegment(
            source: Endpoint(address: packet.source, port: PacketDecoder.be16(bytes, 0)),
            destination: Endpoint(address: packet.destination, port: PacketDecoder.be16(bytes, 2)),
            sequence: PacketDecoder.be32(bytes, 4),
            acknowledgment: PacketDecoder.be32(bytes, 8),
            flags: TCPFlags(rawValue: bytes[b + 13] & 0x1f),
            payload: bytes[(b + dataOffset)...],
            frames: frames, time: time)
    }
}
