import Basics

import Secp256k1

/// Per-commitment secrets (BOLT #3 §"Per-commitment Secret Requirements"): each commitment
/// number has a secret derived from one seed, revealed by `revoke_and_ack` once the
/// commitment is revoked; its point (`secret·G`) is what `open_channel`, `channel_ready` and
/// `revoke_and_ack` send ahead.
public enum PerCommitmentSecret {
    /// The index of the first secret; each later commitment uses the next lower index.
    public static let firstIndex: UInt64 = (1 << 48) - 1

    /// The shachain index of commitment `number` (commitment 0 uses ``firstIndex``).
    public static func index(commitment number: UInt64) -> UInt64 { (firstIndex &- number) & firstIndex }

    /// `generate_from_seed(seed, I)`: the secret of shachain index `index`.
    public static func generate(seed: [UInt8], index: UInt64) -> [UInt8] {
        derive(from: seed, bits: 48, index: index)
    }

    /// The secret of commitment `number`.
    public static func secret(seed: [UInt8], commitment number: UInt64) -> [UInt8] {
        generate(seed: seed, index: index(commitment: number))
    }

    /// The per-commitment point of a secret (`nil` if it is not a valid secret key).
    public static func point(secret: [UInt8]) -> [UInt8]? { Secp256k1.publicKey(secret: secret) }

    /// `derive_secret(base, bits, I)` (§"Efficient Per-commitment Secret Storage"): from a
    /// secret whose index shares bits `bits`…47 with `index`, flip and hash for each set bit
    /// below `bits`, the highest first.
    static func derive(from base: [UInt8], bits: Int, index: UInt64) -> [UInt8] {
        var p = base
        guard p.count == 32 else { return p }
        for bit in stride(from: bits - 1, through: 0, by: -1) where index & (UInt64(1) << UInt64(bit)) != 0 {
            // flip(B): bit B mod 8 of byte B div 8.
            p[bit / 8] ^= UInt8(1 << (bit % 8))
            p = sha256(p)
        }
        return p
    }
}

/// The secrets a node received, in the compact form of BOLT #3 §"Efficient Per-commitment
/// Secret Storage": one secret per count of trailing zero bits of its index (at most 49),
/// from which every earlier secret derives.
public struct PerCommitmentSecretStore: Sendable, Equatable {
    /// Why ``insert(_:index:)`` refused a secret.
    public enum InsertError: Error, Sendable, Equatable {
        /// A secret kept earlier does not derive from this one: they are not from one seed.
        case doesNotDeriveEarlier(index: UInt64)
        /// The secret is not 32 bytes, or its index is beyond 2^48 − 1.
        case malformed
    }

    struct Entry: Sendable, Equatable {
        var index: UInt64
        var secret: [UInt8]
    }

    /// `known[b]`: the secret whose index has `b` trailing zeros.
    private var known: [Entry?] = []

    public init() {}

    /// `where_to_put_secret(I)`: the number of trailing zero bits of `index` (48 for 0).
    static func bucket(_ index: UInt64) -> Int { min(index.trailingZeroBitCount, 48) }

    /// `insert_secret(secret, I)`: keeps the secret of `index` after checking that every
    /// secret kept in a lower bucket derives from it.
    public mutating func insert(_ secret: [UInt8], index: UInt64) throws(InsertError) {
        guard secret.count == 32, index <= PerCommitmentSecret.firstIndex else { throw .malformed }
        if !conflicts(with: secret, index: index).isEmpty { throw .doesNotDeriveEarlier(index: index) }
        let bucket = Self.bucket(index)
        if known.count <= bucket { known += [Entry?](repeating: nil, count: bucket + 1 - known.count) }
        known[bucket] = Entry(index: index, secret: secret)
    }

    /// The kept secrets (index and secret) that the secret of `index` must derive, as
    /// `insert_secret` checks, and does not.
    public func conflicts(with secret: [UInt8], index: UInt64) -> [(index: UInt64, secret: [UInt8])] {
        let bucket = Self.bucket(index)
        var out: [(index: UInt64, secret: [UInt8])] = []
        for b in 0..<min(bucket, known.count) {
            guard let entry = known[b] else { continue }
            if PerCommitmentSecret.derive(from: secret, bits: bucket, index: entry.index) != entry.secret {
                out.append((entry.index, entry.secret))
            }
        }
        return out
    }

    /// Forgets the kept secret of `index` (one found not to be what it claimed).
    public mutating func remove(index: UInt64) {
        let bucket = Self.bucket(index)
        if bucket < known.count, known[bucket]?.index == index { known[bucket] = nil }
    }

    /// The indices of the kept secrets.
    public var indices: [UInt64] { known.compactMap { $0?.index } }

    /// `derive_old_secret(I)`: the secret of `index`, if a kept secret derives it.
    public func secret(index: UInt64) -> [UInt8]? {
        for (b, entry) in known.enumerated() {
            guard let entry else { continue }
            let mask = ~((UInt64(1) << UInt64(b)) - 1)
            if index & mask == entry.index { return PerCommitmentSecret.derive(from: entry.secret, bits: b, index: index) }
        }
        return nil
    }
}
