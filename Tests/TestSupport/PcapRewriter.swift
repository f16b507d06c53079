import Foundation

/// Rewrites a little-endian pcap (as libpcap writes on x86) into the other capture-file
/// variants lntrace must read, without libpcap: big-endian pcap, microsecond timestamps, and
/// pcapng with several interfaces and sections. Test-only; the formats follow the pcap and
/// pcapng specifications (draft-ietf-opsawg-pcap, draft-ietf-opsawg-pcapng).
public struct PcapRewriter {
    public struct Record {
        public var seconds: UInt32
        public var fraction: UInt32
        public var data: [UInt8]
        public var originalLength: UInt32
    }

    public let nanosecond: Bool
    public let linkType: UInt32
    public let records: [Record]

    public init?(_ bytes: [UInt8]) {
        func le32(_ i: Int) -> UInt32 {
            UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
        }
        guard bytes.count >= 24 else { return nil }
        switch le32(0) {
        case 0xa1b2_c3d4: nanosecond = false
        case 0xa1b2_3c4d: nanosecond = true
        default: return nil
        }
        linkType = le32(20)
        var records: [Record] = []
        var offset = 24
        while offset + 16 <= bytes.count {
            let length = Int(le32(offset + 8))
            guard offset + 16 + length <= bytes.count else { break }
            records.append(
                Record(
                    seconds: le32(offset), fraction: le32(offset + 4),
                    data: Array(bytes[(offset + 16)..<(offset + 16 + length)]), originalLength: le32(offset + 12)))
            offset += 16 + length
        }
        self.records = records
    }

    static func u32(_ v: UInt32, bigEndian: Bool) -> [UInt8] {
        let le = [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24)]
        return bigEndian ? le.reversed() : le
    }

    static func u16(_ v: UInt16, bigEndian: Bool) -> [UInt8] {
        let le = [UInt8(v & 0xff), UInt8(v >> 8)]
        return bigEndian ? le.reversed() : le
    }

    /// A pcap in the given byte order and timestamp resolution.
    public func pcap(bigEndian: Bool, nanosecond wantNano: Bool) -> [UInt8] {
        var out = Self.u32(wantNano ? 0xa1b2_3c4d : 0xa1b2_c3d4, bigEndian: bigEndian)
        out += Self.u16(2, bigEndian: bigEndian) + Self.u16(4, bigEndian: bigEndian)
        out += Self.u32(0, bigEndian: bigEndian) + Self.u32(0, bigEndian: bigEndian)
        out += Self.u32(262_144, bigEndian: bigEndian) + Self.u32(linkType, bigEndian: bigEndian)
        for r in records {
            var fraction = r.fraction
            if nanosecond && !wantNano { fraction /= 1000 }
            if !nanosecond && wantNano { fraction *= 1000 }
            out += Self.u32(r.seconds, bigEndian: bigEndian) + Self.u32(fraction, bigEndian: bigEndian)
            out += Self.u32(UInt32(r.data.count), bigEndian: bigEndian) + Self.u32(r.originalLength, bigEndian: bigEndian)
            out += r.data
        }
        return out
    }

    /// A pcapng file: `sections` sections, each with `interfaces` interface description
    /// blocks of this link type; packets go round-robin over the interfaces and are split
    /// evenly over the sections. Timestamps in nanoseconds (`if_tsresol` = 9).
    public func pcapng(sections: Int, interfaces: Int, bigEndian: Bool = false) -> [UInt8] {
        func block(_ type: UInt32, _ body: [UInt8]) -> [UInt8] {
            var body = body
            while body.count % 4 != 0 { body.append(0) }
            let total = UInt32(12 + body.count)
            return Self.u32(type, bigEndian: bigEndian) + Self.u32(total, bigEndian: bigEndian) + body + Self.u32(total, bigEndian: bigEndian)
        }
        var out: [UInt8] = []
        let perSection = (records.count + sections - 1) / max(sections, 1)
        for section in 0..<sections {
            // Section header: byte-order magic, version 1.0, section length unknown (-1).
            out += block(
                0x0a0d_0d0a,
                Self.u32(0x1a2b_3c4d, bigEndian: bigEndian) + Self.u16(1, bigEndian: bigEndian)
                    + Self.u16(0, bigEndian: bigEndian) + [UInt8](repeating: 0xff, count: 8))
            for _ in 0..<interfaces {
                // Interface description: link type, reserved, snaplen, option if_tsresol=9, end.
                let options =
                    Self.u16(9, bigEndian: bigEndian) + Self.u16(1, bigEndian: bigEndian) + [9, 0, 0, 0]
                    + Self.u16(0, bigEndian: bigEndian) + Self.u16(0, bigEndian: bigEndian)
                out += block(
                    1,
                    Self.u16(UInt16(linkType), bigEndian: bigEndian) + Self.u16(0, bigEndian: bigEndian)
                        + Self.u32(262_144, bigEndian: bigEndian) + options)
            }
            let slice = records.dropFirst(section * perSection).prefix(perSection)
            for (index, r) in slice.enumerated() {
                let nanos = UInt64(r.seconds) * 1_000_000_000 + UInt64(nanosecond ? r.fraction : r.fraction * 1000)
                // Enhanced packet block: interface, timestamp high/low, lengths, data.
                out += block(
                    6,
                    Self.u32(UInt32(index % interfaces), bigEndian: bigEndian)
                        + Self.u32(UInt32(nanos >> 32), bigEndian: bigEndian) + Self.u32(UInt32(nanos & 0xffff_ffff), bigEndian: bigEndian)
                        + Self.u32(UInt32(r.data.count), bigEndian: bigEndian) + Self.u32(r.originalLength, bigEndian: bigEndian) + r.data)
            }
        }
        return out
    }
}
