/// BOLT #7 §"The node_announcement Message": an address descriptor is a type byte, the
/// address, and a 2-byte port. Types 1 (IPv4, 4 bytes), 2 (IPv6, 16), 3 (Tor v2, 10,
/// deprecated), 4 (Tor v3, 35) and 5 (DNS hostname: a length byte, then that many bytes).
/// `node_announcement` lists them; `init`'s `remote_addr` holds one (BOLT #1).
enum AddressDescriptor {
    /// The length of the descriptor that starts `bytes` (type, address and port), or `nil`
    /// for a type BOLT #7 does not define or a hostname without its length byte. Whether
    /// that many bytes follow is the caller's to check.
    static func length(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard let type = bytes.first else { return nil }
        switch type {
        case 1: return 1 + 4 + 2
        case 2: return 1 + 16 + 2
        case 3: return 1 + 10 + 2
        case 4: return 1 + 35 + 2
        case 5:
            guard bytes.count >= 2 else { return nil }
            return 2 + Int(bytes[bytes.startIndex + 1]) + 2
        default: return nil
        }
    }

    /// The port of a descriptor `length` bytes long at the start of `bytes`.
    static func port(_ bytes: ArraySlice<UInt8>, length: Int) -> UInt16 {
        let end = bytes.startIndex + length
        return UInt16(bytes[end - 2]) << 8 | UInt16(bytes[end - 1])
    }
}
