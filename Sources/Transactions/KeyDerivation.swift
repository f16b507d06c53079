import Basics
import Secp256k1

/// BOLT #3 §"Key Derivation": per-commitment keys from basepoints.
public enum KeyDerivation {
    /// `basepoint + SHA256(per_commitment_point || basepoint)·G` (localpubkey, htlc and
    /// delayed keys).
    public static func pubkey(basepoint: [UInt8], perCommitmentPoint: [UInt8]) -> [UInt8]? {
        Secp256k1.add(point: basepoint, tweak: sha256(perCommitmentPoint + basepoint))
    }

    /// `basepoint_secret + SHA256(per_commitment_point || basepoint)`.
    public static func privkey(basepointSecret: [UInt8], basepoint: [UInt8], perCommitmentPoint: [UInt8]) -> [UInt8]? {
        Secp256k1.add(secret: basepointSecret, tweak: sha256(perCommitmentPoint + basepoint))
    }

    /// `revocation_basepoint·SHA256(revocation_basepoint || per_commitment_point)
    ///  + per_commitment_point·SHA256(per_commitment_point || revocation_basepoint)`.
    public static func revocationPubkey(basepoint: [UInt8], perCommitmentPoint: [UInt8]) -> [UInt8]? {
        Secp256k1.sum(
            basepoint, times: sha256(basepoint + perCommitmentPoint),
            perCommitmentPoint, times: sha256(perCommitmentPoint + basepoint))
    }
}
