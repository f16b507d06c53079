import Basics
import Secp256k1
import Wire

/// A valid secp256k1 secret derived from `material` (hashed until valid; practically once).
func deriveSecret(from material: [UInt8]) -> [UInt8] {
    var candidate = sha256(material)
    while !Secp256k1.isValidSecret(candidate) { candidate = sha256(candidate) }
    return candidate
}

/// A node of a scenario: its static key (node id) and the keys derived from it.
struct NodeKeys {
    let name: String
    let secret: [UInt8]
    let nodeID: [UInt8]

    init(name: String, secret: [UInt8]) throws(ScenarioError) {
        guard let id = Secp256k1.publicKey(secret: secret) else {
            throw ScenarioError(line: 0, "node \(name): invalid secret key")
        }
        self.name = name
        self.secret = secret
        self.nodeID = id
    }

    /// A secret for `purpose` (a basepoint, an ephemeral key, …), deterministic per node.
    func derive(_ purpose: String) -> [UInt8] {
        deriveSecret(from: self.secret + Array(purpose.utf8))
    }

    func point(_ purpose: String) -> Point {
        Point(unchecked: Secp256k1.publicKey(secret: derive(purpose)) ?? [])
    }

    /// A real, low-S ECDSA signature by the key for `purpose` over `message` (shape only: a
    /// scenario does not build the transactions the spec signs).
    func signature(_ purpose: String, over message: String) -> Signature {
        Signature(unchecked: Secp256k1.sign(digest: sha256(message.utf8), secret: derive(purpose)) ?? [UInt8](repeating: 0, count: 64))
    }
}

/// BOLT #3 §"Per-commitment Secret Requirements": the secret for commitment `number` is
/// `generate_from_seed(seed, 2^48 - 1 - number)`, flipping and hashing per set bit.
func perCommitmentSecret(seed: [UInt8], number: UInt64) -> [UInt8] {
    let index = (UInt64(1) << 48) - 1 - number
    var p = seed
    for bit in stride(from: 47, through: 0, by: -1) where index & (UInt64(1) << UInt64(bit)) != 0 {
        p[bit / 8] ^= UInt8(1 << (bit % 8))
        p = sha256(p)
    }
    return p
}

/// The per-commitment point of a secret.
func perCommitmentPoint(secret: [UInt8]) -> Point {
    Point(unchecked: Secp256k1.publicKey(secret: secret) ?? [])
}
