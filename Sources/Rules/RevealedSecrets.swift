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

    /// Keeps the secret of commitment `number`, whose point is `point` (when known), and says
    /// whether it was consistent with those kept before.
    @discardableResult
    public mutating func reveal(_ secret: [UInt8], commitment number: UInt64, point: Point?) -> Outcome {
        let index = PerCommitmentSecret.index(commitment: number)
        guard secret.count == 32 else { return .malformed }
        var outcome = Outcome.consistent
        let conflicts = store.conflicts(with: secret, index: index)
        if !conflicts.isEmpty {
            if let point, !Self.opens(secret, point) { return .consistent }
            var disproved = 0
            for kept in conflicts {
                guard let keptPoint = points[kept.index], !Self.opens(kept.secret, keptPoint) else { continue }
                store.remove(index: kept.index)
                disproved += 1
            }
            if disproved < conflicts.count {
                // Another seed from here on: start again from this secret (one finding per change).
                outcome = .otherSeed
                store = PerCommitmentSecretStore()
            }
        }
        do throws(PerCommitmentSecretStore.InsertError) {
            try store.insert(secret, index: index)
        } catch {
            store = PerCommitmentSecretStore()
            try? store.insert(secret, index: index)
        }
        points[index] = point
        if points.count > store.indices.count {
            let kept = Set(store.indices)
            points = points.filter { kept.contains($0.key) }
        }
        return outcome
    }

    private static func opens(_ secret: [UInt8], _ point: Point) -> Bool {
        Secp256k1.publicKey(secret: secret) == point.bytes
    }
}
