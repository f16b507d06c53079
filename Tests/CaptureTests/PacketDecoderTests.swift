import Capture
import Provenance
import Testing

/// Link layers and IP headers, built byte by byte here (independently of `lntrace synth`).
struct PacketDecoderTests {
    static let tcp: [UInt8] = [0x9c, 0x40, 0x26, 0x07] + [0, 0, 0, 1] + [0, 0, 0, 0] + [0x50, 0x18, 0xff, 0xff, 0, 0, 0, 0] + [0xaa, 0xbb]

    static func ipv4(options: [UInt8] = [], payload: [UInt8] = tcp, fragment: (offset: Int, more: Bool)? = nil, id: UInt16 = 7) -> [UInt8] {
        let ihl = (20 + options.count) / 4
        let total = 20 + options.count + payload.count
        var flags: UInt16 = 0
        if let fragment { flags = UInt16(fragment.offset / 8) | (fragment.more ? 0x2000 : 0) }
        return [
            UInt8(0x40 | ihl), 0, UInt8(total >> 8), UInt8(total & 0xff), UInt8(id >> 8), UInt8(id & 0xff),
            UInt8(flags >> 8), UInt8(flags & 0xff), 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        ] + options + payload
    }

    static func ipv6(extensions: [UInt8] = [], next: UInt8 = 6, payload: [UInt8] = tcp) -> [UInt8] {
        let length = extensions.count + payload.count
        return [0x60, 0, 0, 0, UInt8(length >> 8), UInt8(length & 0xff), next, 64]
            + [0xfd] + [UInt8](repeating: 0, count: 14) + [1] + [0xfd] + [UInt8](repeating: 0, count: 14) + [2]
            + extensions + payload
    }

    static let macs: [UInt8] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1]

    func expectTCP(_ frame: [UInt8], _ link: Int32, v6: Bool = false) throws {
        let packet = try PacketDecoder.decode(frame, linkType: link)
        #expect(packet.protocolNumber == 6)
        let segment = try TCPSegment.parse(packet, frames: [1], time: Timestamp(seconds: 0))
        #expect(segment.source.port == 40000)
        #expect(segment.destination.port == 9735)
        #expect(Array(segment.payload) == [0xaa, 0xbb])
        #expect(segment.flags == [.ack, .psh])
        if v6 {
            #expect(segment.source.address.description == "fd00::1")
        } else {
            #expect(segment.source.address.description == "10.0.0.1")
        }
    }

    @Test func ethernetWithAndWithoutTags() throws {
        try expectTCP(Self.macs + [0x08, 0x00] + Self.ipv4(), LinkType.ethernet)
        try expectTCP(Self.macs + [0x81, 0x00, 0, 100, 0x08, 0x00] + Self.ipv4(), LinkType.ethernet)
        try expectTCP(Self.macs + [0x88, 0xa8, 0, 200, 0x81, 0x00, 0, 100, 0x86, 0xdd] + Self.ipv6(), LinkType.ethernet, v6: true)
        // Ethernet padding after a short IPv4 packet is trimmed by the IP total length.
        try expectTCP(Self.macs + [0x08, 0x00] + Self.ipv4() + [0, 0, 0, 0], LinkType.ethernet)
    }

    @Test func linuxCookedAndLoopback() throws {
        try expectTCP([0, 0, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00] + Self.ipv4(), LinkType.linuxSLL)
        try expectTCP([0x86, 0xdd, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0] + Self.ipv6(), LinkType.linuxSLL2, v6: true)
        try expectTCP([2, 0, 0, 0] + Self.ipv4(), LinkType.null)  // little-endian host
        try expectTCP([0, 0, 0, 2] + Self.ipv4(), LinkType.null)  // big-endian host
        try expectTCP([30, 0, 0, 0] + Self.ipv6(), LinkType.null, v6: true)
        try expectTCP([0, 0, 0, 24] + Self.ipv6(), LinkType.loop, v6: true)
        try expectTCP(Self.ipv4(), LinkType.raw)
        try expectTCP(Self.ipv6(), LinkType.rawDLT12, v6: true)
    }

    @Test func ipv4OptionsAndIPv6ExtensionHeaders() throws {
        try expectTCP(Self.ipv4(options: [1, 1, 1, 0, 7, 7, 0, 0]), LinkType.raw)
        // Hop-by-hop (8 bytes), then destination options (16 bytes), then TCP.
        let hop: [UInt8] = [60, 0, 1, 4, 0, 0, 0, 0]
        let destination: [UInt8] = [6, 1, 1, 12] + [UInt8](repeating: 0, count: 12)
        try expectTCP(Self.ipv6(extensions: hop + destination, next: 0), LinkType.raw, v6: true)
    }

    @Test func fragmentsAreReassembled() throws {
        var reassembler = IPReassembler()
        let payload = Self.tcp + [UInt8](repeating: 0x11, count: 30)  // 52 bytes
        let parts = [(0, true, Array(payload[0..<24])), (24, true, Array(payload[24..<48])), (48, false, Array(payload[48...]))]
        // Out of order: last, first, middle.
        var result: IPReassembler.Datagram?
        for (i, index) in [2, 0, 1].enumerated() {
            let (offset, more, bytes) = parts[index]
            let packet = try PacketDecoder.decode(Self.ipv4(payload: bytes, fragment: (offset, more)), linkType: LinkType.raw)
            let (done, abandoned) = reassembler.add(packet, frame: i + 1, time: Timestamp(seconds: 0))
            #expect(abandoned.isEmpty)
            if let done { result = done }
        }
        let datagram = try #require(result)
        #expect(Array(datagram.packet.payload) == payload)
        #expect(datagram.frames == [1, 2, 3])
        // An incomplete datagram is reported at the end, with its frames.
        let lone = try PacketDecoder.decode(Self.ipv4(payload: parts[0].2, fragment: (0, true), id: 9), linkType: LinkType.raw)
        _ = reassembler.add(lone, frame: 4, time: Timestamp(seconds: 0))
        let abandoned = reassembler.finish()
        #expect(abandoned.map(\.frames) == [[4]])
    }

    @Test func ipv6FragmentHeader() throws {
        // Fragment header: next 6, offset 0, M=1, id 5.
        let fragment: [UInt8] = [6, 0, 0, 1, 0, 0, 0, 5]
        let packet = try PacketDecoder.decode(Self.ipv6(extensions: fragment, next: 44, payload: Array(Self.tcp[0..<16])), linkType: LinkType.raw)
        #expect(packet.fragment == IPPacket.Fragment(identification: 5, offset: 0, moreFragments: true))
    }

    @Test func truncatedAndForeignFramesAreErrorsNotCrashes() {
        let frame = Self.macs + [0x08, 0x00] + Self.ipv4()
        for cut in 0..<frame.count {
            let bytes = Array(frame[0..<cut])
            if let packet = try? PacketDecoder.decode(bytes, linkType: LinkType.ethernet) {
                _ = try? TCPSegment.parse(packet, frames: [1], time: Timestamp(seconds: 0))
            }
        }
        #expect(throws: PacketSkip.notIP) {
            try PacketDecoder.decode(Self.macs + [0x08, 0x06] + [UInt8](repeating: 0, count: 28), linkType: LinkType.ethernet)
        }
        #expect(throws: PacketSkip.unsupportedLinkType(147)) { try PacketDecoder.decode(frame, linkType: 147) }
        #expect(throws: PacketSkip.truncated(layer: "IPv4")) { try PacketDecoder.decode(Array(Self.ipv4().prefix(19)), linkType: LinkType.raw) }
    }
}
