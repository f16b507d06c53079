import CSecp256k1
import Synchronization

/// The secp256k1 operations lntrace needs, over libsecp256k1: public keys from secrets,
/// point validation, ECDH as BOLT #8 defines it, and ECDSA.
public enum Secp256k1 {
    /// One context for the process. libsecp256k1 contexts are safe to share between threads
    /// for every operation used here (none of them mutates the context).
    nonisolated(unsafe) static let context: OpaquePointer = secp256k1_context_create(UInt32(SECP256K1_CONTEXT_NONE))

    /// Whether `secret` is a valid private key (non-zero and below the group order).
    public static func isValidSecret(_ secret: [UInt8]) -> Bool {
        secret.count == 32 && secp256k1_ec_seckey_verify(context, secret) == 1
    }

    /// The 33-byte compressed public key `secret·G`, or `nil` for an invalid secret.
    public static func publicKey(secret: [UInt8]) -> [UInt8]? {
        guard isValidSecret(secret) else { return nil }
        var pubkey = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_create(context, &pubkey, secret) == 1 else { return nil }
        return serialize(pubkey)
    }

    /// Whether `point` is a valid compressed public key on the curve.
    public static func isValidPoint(_ point: [UInt8]) -> Bool {
        parse(point) != nil
    }

    /// BOLT #8 `ECDH(k, rk)`: SHA-256 of the compressed shared point `k·rk` (libsecp256k1's
    /// default ECDH hash). `nil` if the point or secret is invalid.
    public static func ecdh(secret: [UInt8], point: [UInt8]) -> [UInt8]? {
        guard secret.count == 32, var pubkey = parse(point) else { return nil }
        var output = [UInt8](repeating: 0, count: 32)
        guard secp256k1_ecdh(context, &output, &pubkey, secret, nil, nil) == 1 else { return nil }
        return output
    }

    /// A compact 64-byte ECDSA signature of a 32-byte digest (low-S, RFC 6979 nonce).
    public static func sign(digest: [UInt8], secret: [UInt8]) -> [UInt8]? {
        guard digest.count == 32, isValidSecret(secret) else { return nil }
        var signature = secp256k1_ecdsa_signature()
        guard secp256k1_ecdsa_sign(context, &signature, digest, secret, nil, nil) == 1 else { return nil }
        var compact = [UInt8](repeating: 0, count: 64)
        secp256k1_ecdsa_signature_serialize_compact(context, &compact, &signature)
        return compact
    }

    /// Verifies a compact signature over a digest; high-S signatures fail, as BOLT #2 requires.
    public static func verify(signature: [UInt8], digest: [UInt8], point: [UInt8]) -> Bool {
        guard signature.count == 64, digest.count == 32, var pubkey = parse(point) else { return false }
        var sig = secp256k1_ecdsa_signature()
        guard secp256k1_ecdsa_signature_parse_compact(context, &sig, signature) == 1 else { return false }
        return secp256k1_ecdsa_verify(context, &sig, digest, &pubkey) == 1
    }

    static func parse(_ point: [UInt8]) -> secp256k1_pubkey? {
        guard point.count == 33 else { return nil }
        if let known = parsed.withLock({ $0.lookup(point) }) { return known }
        var pubkey = secp256k1_pubkey()
        guard secp256k1_ec_pubkey_parse(context, &pubkey, point, 33) == 1 else { return nil }
        parsed.withLock { $0.insert(point, pubkey) }
        return pubkey
    }

    /// Points parsed recently. Parsing a compressed point takes a square root, and a channel
    /// uses the same few points for every commitment: its basepoints, and each
    /// per-commitment point first when it is validated and again when its commitment is
    /// rebuilt.
    static let parsed = Mutex(PointCache())

    static func serialize(_ pubkey: secp256k1_pubkey) -> [UInt8] {
        var key = pubkey
        var output = [UInt8](repeating: 0, count: 33)
        var length = 33
        secp256k1_ec_pubkey_serialize(context, &output, &length, &key, UInt32(SECP256K1_EC_COMPRESSED))
        return output
    }
}

extension Secp256k1 {
    /// The compressed form of a key printed as libsecp256k1's 64-byte internal
    /// `secp256k1_pubkey` (as rust-secp256k1's `Debug` does); `nil` unless the bytes are a
    /// point on the curve.
    public static func compress(internal bytes: [UInt8]) -> [UInt8]? {
        guard bytes.count == 64 else { return nil }
        var pubkey = secp256k1_pubkey()
        withUnsafeMutableBytes(of: &pubkey.data) { raw in
            for i in 0..<64 { raw[i] = bytes[i] }
        }
        let compressed = serialize(pubkey)
        // A valid point re-parses to the same internal bytes.
        guard let reparsed = parse(compressed) else { return nil }
        let same = withUnsafeBytes(of: reparsed.data) { Array($0) } == bytes
        return same ? compressed : nil
    }

    /// A compact 64-byte signature from its DER encoding (`nil` if not valid DER).
    public static func compact(der: [UInt8]) -> [UInt8]? {
        var signature = secp256k1_ecdsa_signature()
        guard secp256k1_ecdsa_signature_parse_der(context, &signature, der, der.count) == 1 else { return nil }
        var compact = [UInt8](repeating: 0, count: 64)
        secp256k1_ecdsa_signature_serialize_compact(context, &compact, &signature)
        return compact
    }
}

extension Secp256k1 {
    /// The 64-byte internal `secp256k1_pubkey` form of a compressed key (what
    /// rust-secp256k1's `Debug` prints); `nil` for an invalid key.
    public static func internalForm(point: [UInt8]) -> [UInt8]? {
        guard let pubkey = parse(point) else { return nil }
        return withUnsafeBytes(of: pubkey.data) { Array($0) }
    }
}

extension Secp256k1 {
    /// `point + tweak·G` (BOLT #3 key derivation), `nil` if invalid.
    public static func add(point: [UInt8], tweak: [UInt8]) -> [UInt8]? {
        guard tweak.count == 32, var pubkey = parse(point) else { return nil }
        guard secp256k1_ec_pubkey_tweak_add(context, &pubkey, tweak) == 1 else { return nil }
        return serialize(pubkey)
    }

    /// `p·s + q·t` (BOLT #3's revocation key), without encoding the two products; `nil` if a
    /// point or tweak is invalid or the sum is infinity.
    public static func sum(_ p: [UInt8], times s: [UInt8], _ q: [UInt8], times t: [UInt8]) -> [UInt8]? {
        guard s.count == 32, t.count == 32, var a = parse(p), var b = parse(q),
            secp256k1_ec_pubkey_tweak_mul(context, &a, s) == 1, secp256k1_ec_pubkey_tweak_mul(context, &b, t) == 1
        else { return nil }
        return combine(a, b)
    }

    /// `p + q`, `nil` if the sum is infinity.
    static func combine(_ p: secp256k1_pubkey, _ q: secp256k1_pubkey) -> [UInt8]? {
        var sum = secp256k1_pubkey()
        let ok = withUnsafePointer(to: p) { pp in
            withUnsafePointer(to: q) { qp in
                var points: [UnsafePointer<secp256k1_pubkey>?] = [pp, qp]
                return secp256k1_ec_pubkey_combine(context, &sum, &points, 2)
            }
        }
        return ok == 1 ? serialize(sum) : nil
    }

    /// `(secret + tweak) mod n`, `nil` if invalid.
    public static func add(secret: [UInt8], tweak: [UInt8]) -> [UInt8]? {
        guard tweak.count == 32, isValidSecret(secret) else { return nil }
        var key = secret
        guard secp256k1_ec_seckey_tweak_add(context, &key, tweak) == 1 else { return nil }
        return key
    }

    /// `(secret · tweak) mod n`, `nil` if invalid.
    public static func multiply(secret: [UInt8], tweak: [UInt8]) -> [UInt8]? {
        guard tweak.count == 32, isValidSecret(secret) else { return nil }
        var key = secret
        guard secp256k1_ec_seckey_tweak_mul(context, &key, tweak) == 1 else { return nil }
        return key
    }

    /// The DER encoding of a compact 64-byte signature (`nil` if not a valid signature).
    public static func der(compact: [UInt8]) -> [UInt8]? {
        guard compact.count == 64 else { return nil }
        var signature = secp256k1_ecdsa_signature()
        guard secp256k1_ecdsa_signature_parse_compact(context, &signature, compact) == 1 else { return nil }
        var output = [UInt8](repeating: 0, count: 72)
        var length = 72
        guard secp256k1_ecdsa_signature_serialize_der(context, &output, &length, &signature) == 1 else { return nil }
        return Array(output.prefix(length))
    }
}

/// A small direct-mapped table of parsed points, indexed by bits of their x coordinate
/// (uniform for points on the curve; an attacker choosing points only evicts entries).
struct PointCache {
    private static let slots = 1024
    private var keys = [[UInt8]](repeating: [], count: slots)
    private var values = [secp256k1_pubkey](repeating: secp256k1_pubkey(), count: slots)

    private static func slot(_ point: [UInt8]) -> Int {
        (Int(point[1]) << 8 | Int(point[2])) & (slots - 1)
    }

    func lookup(_ point: [UInt8]) -> secp256k1_pubkey? {
        let slot = Self.slot(point)
        return keys[slot] == point ? values[slot] : nil
    }

    mutating func insert(_ point: [UInt8], _ pubkey: secp256k1_pubkey) {
        let slot = Self.slot(point)
        keys[slot] = point
        values[slot] = pubkey
    }
}
