import Secp256k1
import Transactions
import Wire

/// The per-commitment secrets one side revealed in `revoke_and_ack`, in BOLT #3's compact
/// store (§"Efficient Per-commitment Secret Storage"), with the point each was revealed for.
/// `raa-shachain` asks whether a new secret derives the ones kept before it.
///
/// A secret that does not open its own commitment's point is `raa-secret`'s finding, not a
/// seed change: it is not kept, and a kept one found not to open its point (only checked when
/// a later secret conflicts with it, so libsecp256k1 runs only then) is forgotten.
public struct RevealedSecrets: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// Consistent with every kept secret (or judged by `raa-secret` instead).
        case consistent
        /// The secret does not derive a kept one that opened its point: another seed.
        case otherSeed
        case malformed
    }

    private var store = PerCommitmentSecretStore()
    /// The point each kept secret was revealed for, by shachain index.
    private var points: [UInt64: Point] = [:]

    public init() {}

    /// What keeping the secret of shachain `index` would mean: the outcome, the kept secrets
    /// it conflicts with, and whether it is kept (not when it fails to open its own point).
    private func assess(_ secret: [UInt8], index: UInt64, point: Point?) -> (outcome: Outcome, conflicts: [UInt64], keep: Bool) {
        guard secret.count == 32 else { return (.malformed, [], false) }
        let conflicts = store.conflicts(with: secret, index: index)
        guard !conflicts.isEmpty else { return (.consistent, [], true) }
        // A secret that does not open its own point is raa-secret's finding, and not kept.
        if let point, !Self.opens(secret, point) { return (.consistent, [], false) }
        let disproved = conflicts.filter { kept in points[kept.index].map { !Self.opens(kept.secret, $0) } ?? false }
        return (disproved.count < conflicts.count ? .otherSeed : .consistent, conflicts.map(\.index), true)
    }

    /// Whether the secret of commitment `number` (whose point is `point`, when known) is
    /// consistent with the secrets kept, without keeping it (`raa-shachain`).
    public func judge(_ secret: [UInt8], commitment number: UInt64, point: Point?) -> Outcome {
        assess(secret, index: PerCommitmentSecret.index(commitment: number), point: point).outcome
    }

    /// Keeps the secret of commitment `number`, whose point is `point` (when known), and says
    /// whether it was consistent with those kept before.
    @discardableResult
    public mutating func reveal(_ secret: [UInt8], commitment number: UInt64, point: Point?) -> Outcome {
        let index = PerCommitmentSecret.index(commitment: number)
        let (outcome, conflicts, keep) = assess(secret, index: index, point: point)
        guard keep else { return outcome }
        if outcome == .otherSeed {
            // Another seed from here on: start again from this secret (one finding per change).
            store = PerCommitmentSecretStore()
            points = [:]
        } else {
            // The kept secrets it conflicts with did not open their own points (raa-secret's).
            for kept in conflicts { store.remove(index: kept) }
        }
        do throws(PerCommitmentSecretStore.InsertError) {
            try store.insert(secret, index: index)
        } catch {
            return outcome
        }
        points[index] = point
        // At most 49 secrets are kept; forget the points of those replaced, now and then.
        if points.count > 2 * 49 {
            let kept = Set(store.indices)
            points = points.filter { kept.contains($0.key) }
        }
        return outcome
    }

    private static func opens(_ secret: [UInt8], _ point: Point) -> Bool {
        Secp256k1.publicKey(secret: secret) == point.bytes
    }
}
