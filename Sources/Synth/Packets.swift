import Capture

/// Builds link-layer frames carrying TCP segments, for every link type lntrace reads.
struct FrameBuilder {
    var link: LinkKind = .ethernet
    var ipOptions = false
    /// Largest IP payload per fragment; `nil`: never fragment.
    var fragmentSize: Int?
    private var ipID: UInt16 = 1

    /// The libpcap `DLT_*` value (libpcap writes the matching `LINKTYPE_*` into the file:
    /// `DLT_RAW` 12 becomes `LINKTYPE_RAW` 101).
    var linkType: Int32 {
        switch link {
        case .ethernet, .vlan, .qinq: LinkType.ethernet
        case .sll: LinkType.linuxSLL
        case .sll2: LinkType.linuxSLL2
        case .null: LinkType.null
        case .loop: LinkType.loop
        case .raw: LinkType.rawDLT12
        }
    }

    /// The frames for one TCP segment (several when IP fragmentation is on).
    mutating func frames(
        from source: Endpoint, to destination: Endpoint, sequence: UInt32, acknowledgment: UInt32,
        flags: TCPFlags, payload: [UInt8]
    ) -> [[UInt8]] {
        let tcp = tcpSegment(from: source, to: destination, sequence: sequence, acknowledgment: acknowledgment, flags: flags, payload: payload)
        ipID &+= 1
        var packets: [[UInt8]] = []
        let isV6: Bool
        if case .v6 = source.address { isV6 = true } else { isV6 = false }
        if let size = fragmentSize, tcp.count > size {
            let chunk = size / 8 * 8
            var offset = 0
            while offset < tcp.count {
                let end = min(offset + chunk, tcp.count)
                let more = end < tcp.count
                packets.append(
                    isV6
                        ? ipv6(source.address, destination.address, Array(tcp[offset..<end]), fragment: (offset, more))
                        : ipv4(source.address, destination.address, Array(tcp[offset..<end]), fragment: (offset, more)))
                offset = end
            }
        } else {
            packets.append(
                isV6
                    ? ipv6(source.address, destination.address, tcp, fragment: nil)
                    : ipv4(source.address, destination.address, tcp, fragment: nil))
        }
        return packets.map { linkHeader(source: source.address, destination: destination.address, isV6: isV6) + $0 }
    }

    func tcpSegment(
        from source: Endpoint, to destination: Endpoint, sequence: UInt32, acknowledgment: UInt32,
        flags: TCPFlags, payload: [UInt8]
    ) -> [UInt8] {
        // A SYN carries the MSS option (4 bytes), as real stacks send.
        let options: [UInt8] = flags.contains(.syn) ? [2, 4, 0x05, 0xb4] : []
        var header: [UInt8] = []
        header += be16(source.port) + be16(destination.port) + be32(sequence) + be32(acknowledgment)
        header.append(UInt8((20 + options.count) / 4) << 4)
        header.append(flags.rawValue)
        header += be16(65535) + [0, 0] + [0, 0]  // window, checksum (filled below), urgent
        header += options
        var segment = header + payload
        let checksum = internetChecksum(pseudoHeader(source.address, destination.address, length: segment.count) + segment)
        segment[16] = UInt8(checksum >> 8)
        segment[17] = UInt8(checksum & 0xff)
        return segment
    }

    func pseudoHeader(_ source: IPAddress, _ destination: IPAddress, length: Int) -> [UInt8] {
        switch (source, destination) {
        case let (.v4(s), .v4(d)):
            return be32(s) + be32(d) + [0, 6] + be16(UInt16(length))
        default:
            return addressBytes(source) + addressBytes(destination) + be32(UInt32(length)) + [0, 0, 0, 6]
        }
    }

    func ipv4(_ source: IPAddress, _ destination: IPAddress, _ payload: [UInt8], fragment: (offset: Int, more: Bool)?) -> [UInt8] {
        let options: [UInt8] = ipOptions ? [1, 1, 1, 0] : []  // NOP NOP NOP EOL
        let headerLength = 20 + options.count
        var flagsOffset: UInt16 = 0x4000  // don't fragment
        if let fragment {
            flagsOffset = UInt16(fragment.offset / 8) | (fragment.more ? 0x2000 : 0)
        }
        var header: [UInt8] = [0x40 | UInt8(headerLength / 4), 0] + be16(UInt16(headerLength + payload.count)) + be16(ipID)
        header += be16(flagsOffset) + [64, 6, 0, 0] + addressBytes(source) + addressBytes(destination) + options
        let checksum = internetChecksum(header)
        header[10] = UInt8(checksum >> 8)
        header[11] = UInt8(checksum & 0xff)
        return header + payload
    }

    func ipv6(_ source: IPAddress, _ destination: IPAddress, _ payload: [UInt8], fragment: (offset: Int, more: Bool)?) -> [UInt8] {
        var extensions: [UInt8] = []
        var next: UInt8 = 6
        if let fragment {
            // Fragment header: next header, reserved, offset|M, identification.
            extensions = [next, 0] + be16(UInt16(fragment.offset / 8) << 3 | (fragment.more ? 1 : 0)) + be32(UInt32(ipID))
            next = 44
        }
        if ipOptions {
            // Hop-by-hop options: next header, length 0 (8 bytes), PadN of 4.
            extensions = [next, 0, 1, 4, 0, 0, 0, 0] + extensions
            next = 0
        }
        let body = extensions + payload
        return [0x60, 0, 0, 0] + be16(UInt16(body.count)) + [next, 64] + addressBytes(source) + addressBytes(destination) + body
    }

    func linkHeader(source: IPAddress, destination: IPAddress, isV6: Bool) -> [UInt8] {
        let etherType: [UInt8] = isV6 ? [0x86, 0xdd] : [0x08, 0x00]
        switch link {
        case .ethernet:
            return mac(destination) + mac(source) + etherType
        case .vlan:
            return mac(destination) + mac(source) + [0x81, 0x00, 0x00, 100] + etherType
        case .qinq:
            return mac(destination) + mac(source) + [0x88, 0xa8, 0x00, 200] + [0x81, 0x00, 0x00, 100] + etherType
        case .sll:
            // packet type "sent to us" (0), ARPHRD_ETHER, address length 6, address, protocol.
            return [0, 0, 0, 1, 0, 6] + mac(source) + [0, 0] + etherType
        case .sll2:
            // protocol, reserved, interface index, ARPHRD_ETHER, packet type, address length, address.
            return etherType + [0, 0] + [0, 0, 0, 1] + [0, 1] + [0, 6] + mac(source) + [0, 0]
        case .null:
            // Host byte order (little-endian here): AF_INET 2, AF_INET6 30 (as BSD writes it).
            return isV6 ? [30, 0, 0, 0] : [2, 0, 0, 0]
        case .loop:
            return isV6 ? [0, 0, 0, 24] : [0, 0, 0, 2]
        case .raw:
            return []
        }
    }

    func mac(_ address: IPAddress) -> [UInt8] {
        let bytes = addressBytes(address)
        return [0x02, 0x00] + bytes.suffix(4)
    }
}

func be16(_ v: UInt16) -> [UInt8] { [UInt8(v >> 8), UInt8(v & 0xff)] }
func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }

func addressBytes(_ address: IPAddress) -> [UInt8] {
    switch address {
    case let .v4(a): return be32(a)
    case let .v6(high, low):
        return (0..<8).map { UInt8(truncatingIfNeeded: high >> UInt64(56 - 8 * $0)) }
            + (0..<8).map { UInt8(truncatingIfNeeded: low >> UInt64(56 - 8 * $0)) }
    }
}

/// RFC 1071 ones' complement checksum.
func internetChecksum(_ bytes: [UInt8]) -> UInt16 {
    var sum: UInt32 = 0
    var i = 0
    while i + 1 < bytes.count {
        sum += UInt32(bytes[i]) << 8 | UInt32(bytes[i + 1])
        i += 2
    }
    if i < bytes.count { sum += UInt32(bytes[i]) << 8 }
    while sum > 0xffff { sum = (sum & 0xffff) + (sum >> 16) }
    return ~UInt16(sum)
}
