import Basics

/// The scripts of BOLT #3, byte for byte.
public enum Script {
    static let OP_0: UInt8 = 0x00, OP_1: UInt8 = 0x51, OP_2: UInt8 = 0x52, OP_16: UInt8 = 0x60
    static let OP_IF: UInt8 = 0x63, OP_NOTIF: UInt8 = 0x64, OP_ELSE: UInt8 = 0x67, OP_ENDIF: UInt8 = 0x68
    static let OP_DROP: UInt8 = 0x75, OP_DUP: UInt8 = 0x76, OP_SWAP: UInt8 = 0x7c, OP_SIZE: UInt8 = 0x82
    static let OP_EQUAL: UInt8 = 0x87, OP_EQUALVERIFY: UInt8 = 0x88, OP_HASH160: UInt8 = 0xa9
    static let OP_CHECKSIG: UInt8 = 0xac, OP_CHECKSIGVERIFY: UInt8 = 0xad, OP_CHECKMULTISIG: UInt8 = 0xae
    static let OP_CHECKLOCKTIMEVERIFY: UInt8 = 0xb1, OP_CHECKSEQUENCEVERIFY: UInt8 = 0xb2, OP_IFDUP: UInt8 = 0x73

    /// A minimal data push (BIP 62): the size itself below 76 bytes, else `OP_PUSHDATA1/2/4`.
    /// BOLT #3 pushes only keys and hashes, but a key from a log line can have any length,
    /// and the script must still be a script.
    static func push(_ data: [UInt8]) -> [UInt8] {
        let n = data.count
        switch n {
        case ..<76: return [UInt8(n)] + data
        case ..<0x100: return [0x4c, UInt8(n)] + data
        case ..<0x1_0000: return [0x4d, UInt8(n & 0xff), UInt8(n >> 8)] + data
        default: return [0x4e] + withUnsafeBytes(of: UInt32(truncatingIfNeeded: n).littleEndian, Array.init) + data
        }
    }

    /// A minimal number push (`to_self_delay`, `cltv_expiry`).
    static func number(_ value: UInt64) -> [UInt8] {
        if value == 0 { return [OP_0] }
        if value <= 16 { return [OP_1 - 1 + UInt8(value)] }
        var bytes: [UInt8] = []
        var v = value
        while v > 0 {
            bytes.append(UInt8(v & 0xff))
            v >>= 8
        }
        if let last = bytes.last, last & 0x80 != 0 { bytes.append(0) }
        return push(bytes)
    }

    /// `OP_0 <32-byte SHA256(script)>`.
    public static func p2wsh(_ script: [UInt8]) -> [UInt8] { [OP_0] + push(sha256(script)) }

    /// `OP_0 <20-byte HASH160(pubkey)>`.
    public static func p2wpkh(_ pubkey: [UInt8]) -> [UInt8] { [OP_0] + push(Hash.hash160(pubkey)) }

    /// §"Funding Transaction Output": `2 <pubkey1> <pubkey2> 2 OP_CHECKMULTISIG`, keys sorted.
    /// The funding output's script: P2WSH of ``funding(_:_:)``.
    public static func fundingOutput(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] { p2wsh(funding(a, b)) }

    public static func funding(_ a: [UInt8], _ b: [UInt8]) -> [UInt8] {
        let (first, second) = a.lexicographicallyPrecedes(b) ? (a, b) : (b, a)
        return [OP_2] + push(first) + push(second) + [OP_2, OP_CHECKMULTISIG]
    }

    /// §"to_local Output" (also the HTLC transactions' output).
    public static func toLocal(revocation: [UInt8], delay: UInt64, delayed: [UInt8]) -> [UInt8] {
        [OP_IF] + push(revocation) + [OP_ELSE] + number(delay) + [OP_CHECKSEQUENCEVERIFY, OP_DROP] + push(delayed)
            + [OP_ENDIF, OP_CHECKSIG]
    }

    /// §"to_remote Output" with `option_anchors`.
    public static func toRemoteAnchors(_ remote: [UInt8]) -> [UInt8] {
        push(remote) + [OP_CHECKSIGVERIFY, OP_1, OP_CHECKSEQUENCEVERIFY]
    }

    /// §"to_local_anchor and to_remote_anchor Output".
    public static func anchor(_ fundingPubkey: [UInt8]) -> [UInt8] {
        push(fundingPubkey) + [OP_CHECKSIG, OP_IFDUP, OP_NOTIF, OP_16, OP_CHECKSEQUENCEVERIFY, OP_ENDIF]
    }

    /// §"Offered HTLC Outputs".
    public static func offeredHTLC(revocation: [UInt8], localHTLC: [UInt8], remoteHTLC: [UInt8], paymentHash: [UInt8], anchors: Bool) -> [UInt8] {
        var s = [OP_DUP, OP_HASH160] + push(Hash.hash160(revocation)) + [OP_EQUAL, OP_IF, OP_CHECKSIG, OP_ELSE]
        s += push(remoteHTLC) + [OP_SWAP, OP_SIZE] + push([32]) + [OP_EQUAL, OP_NOTIF]
        s += [OP_DROP, OP_2, OP_SWAP] + push(localHTLC) + [OP_2, OP_CHECKMULTISIG, OP_ELSE]
        s += [OP_HASH160] + push(RIPEMD160.hash(paymentHash)) + [OP_EQUALVERIFY, OP_CHECKSIG, OP_ENDIF]
        if anchors { s += [OP_1, OP_CHECKSEQUENCEVERIFY, OP_DROP] }
        return s + [OP_ENDIF]
    }

    /// §"Received HTLC Outputs".
    public static func receivedHTLC(
        revocation: [UInt8], localHTLC: [UInt8], remoteHTLC: [UInt8], paymentHash: [UInt8], cltvExpiry: UInt32, anchors: Bool
    ) -> [UInt8] {
        var s = [OP_DUP, OP_HASH160] + push(Hash.hash160(revocation)) + [OP_EQUAL, OP_IF, OP_CHECKSIG, OP_ELSE]
        s += push(remoteHTLC) + [OP_SWAP, OP_SIZE] + push([32]) + [OP_EQUAL, OP_IF]
        s +=
            [OP_HASH160] + push(RIPEMD160.hash(paymentHash)) + [OP_EQUALVERIFY, OP_2, OP_SWAP] + push(localHTLC)
            + [OP_2, OP_CHECKMULTISIG, OP_ELSE]
        s += [OP_DROP] + number(UInt64(cltvExpiry)) + [OP_CHECKLOCKTIMEVERIFY, OP_DROP, OP_CHECKSIG, OP_ENDIF]
        if anchors { s += [OP_1, OP_CHECKSEQUENCEVERIFY, OP_DROP] }
        return s + [OP_ENDIF]
    }
}
