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
