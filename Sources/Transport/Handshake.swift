import Basics
import Crypto
import Foundation
import Secp256k1

/// Errors of the BOLT #8 handshake (the `ACT*` failures of the spec's test vectors).
public enum HandshakeError: Error, Hashable, Sendable {
    /// An act shorter than its fixed size (50, 50 or 66 bytes).
    case shortRead(act: Int)
    /// A version byte other than 0.
    case badVersion(act: Int, version: UInt8)
    /// A public key that does not parse.
    case badPublicKey(act: Int)
    /// A MAC that does not verify.
    case badTag(act: Int)
    case invalidKey
}

/// The transport keys at the end of a handshake (BOLT #8 §"Handshake Exchange", final
/// `HKDF(ck, zero)`): the first half encrypts initiator→responder traffic.
public struct TransportKeys: Sendable, Hashable {
    public var initiatorToResponder: [UInt8]
    public var responderToInitiator: [UInt8]
    /// The final chaining key; both directions' rotations start from it.
    public var chainingKey: [UInt8]

    /// Both keys follow from the final chaining key alone.
    public init(chainingKey: [UInt8]) {
        let (k1, k2) = hkdf(salt: chainingKey, ikm: [])
        initiatorToResponder = k1
        responderToInitiator = k2
        self.chainingKey = chainingKey
    }

    /// The cipher of one direction (`fromInitiator`: initiator → responder).
    public func cipher(fromInitiator: Bool) -> CipherState {
        CipherState(key: fromInitiator ? initiatorToResponder : responderToInitiator, chainingKey: chainingKey)
    }
}

/// The sizes of the three acts (BOLT #8 §"Handshake Exchange").
public enum HandshakeSize {
    public static let actOne = 50
    public static let actTwo = 50
    public static let actThree = 66
}

/// The Noise_XK_secp256k1_ChaChaPoly_SHA256 symmetric state shared by both roles.
struct SymmetricState {
    var chainingKey: [UInt8]
    var hash: [UInt8]
    var tempKey: [UInt8] = []

    static let protocolName = Array("Noise_XK_secp256k1_ChaChaPoly_SHA256".utf8)
    static let prologue = Array("lightning".utf8)

    /// `h = SHA-256(protocolName)`, `ck = h`, `h = SHA-256(h ‖ prologue)`, `h = SHA-256(h ‖ rs.pub)`.
    init(responderStatic: [UInt8]) {
        let h0 = sha256(Self.protocolName)
        chainingKey = h0
        hash = sha256(sha256(h0 + Self.prologue) + responderStatic)
    }

    mutating func mixHash(_ data: [UInt8]) {
        hash = sha256(hash + data)
    }

    mutating func mixKey(_ secret: [UInt8]) {
        (chainingKey, tempKey) = hkdf(salt: chainingKey, ikm: secret)
    }

    func encrypt(nonce n: UInt64, _ plaintext: [UInt8]) -> [UInt8] {
        aeadSeal(key: tempKey, nonce: n, associatedData: hash, plaintext: plaintext)
    }

    func decrypt(nonce n: UInt64, _ ciphertext: [UInt8]) -> [UInt8]? {
        aeadOpen(key: tempKey, nonce: n, associatedData: hash, ciphertext: ciphertext)
    }
}

func aeadSeal(key: [UInt8], nonce n: UInt64, associatedData: [UInt8], plaintext: [UInt8]) -> [UInt8] {
    guard let nonceValue = try? ChaChaPoly.Nonce(data: nonce(n)),
        let box = try? ChaChaPoly.seal(plaintext, using: SymmetricKey(data: key), nonce: nonceValue, authenticating: associatedData)
    else { return [] }
    return Array(box.ciphertext) + Array(box.tag)
}

func aeadOpen(key: [UInt8], nonce n: UInt64, associatedData: [UInt8], ciphertext: [UInt8]) -> [UInt8]? {
    guard ciphertext.count >= 16,
        let nonceValue = try? ChaChaPoly.Nonce(data: nonce(n)),
        let box = try? ChaChaPoly.SealedBox(
            nonce: nonceValue, ciphertext: ciphertext[0..<(ciphertext.count - 16)], tag: ciphertext[(ciphertext.count - 16)...]),
        let plaintext = try? ChaChaPoly.open(box, using: SymmetricKey(data: key), authenticating: associatedData)
    else { return nil }
    return Array(plaintext)
}

/// The initiator's side of the handshake (BOLT #8 §"Handshake Exchange").
public struct HandshakeInitiator {
    let localStatic: [UInt8]
    let remoteStatic: [UInt8]
    let ephemeral: [UInt8]
    public let ephemeralPublicKey: [UInt8]
    var state: SymmetricState

    /// `localStatic` and `ephemeral` are 32-byte secrets; `remoteStatic` is the responder's
    /// node id.
    public init(localStatic: [UInt8], remoteStatic: [UInt8], ephemeral: [UInt8]) throws(HandshakeError) {
        guard Secp256k1.isValidPoint(remoteStatic), let e = Secp256k1.publicKey(secret: ephemeral),
            Secp256k1.isValidSecret(localStatic)
        else { throw .invalidKey }
        self.localStatic = localStatic
        self.remoteStatic = remoteStatic
        self.ephemeral = ephemeral
        self.ephemeralPublicKey = e
        self.state = SymmetricState(responderStatic: remoteStatic)
    }

    /// Act One: `0 ‖ e.pub ‖ c` (50 bytes).
    public mutating func actOne() throws(HandshakeError) -> [UInt8] {
        state.mixHash(ephemeralPublicKey)
        guard let es = Secp256k1.ecdh(secret: ephemeral, point: remoteStatic) else { throw .invalidKey }
        state.mixKey(es)
        let c = state.encrypt(nonce: 0, [])
        state.mixHash(c)
        return [0] + ephemeralPublicKey + c
    }

    /// Reads Act Two and returns Act Three (66 bytes) and the transport keys.
    public mutating func actThree(actTwo: [UInt8]) throws(HandshakeError) -> (actThree: [UInt8], keys: TransportKeys) {
        guard actTwo.count == HandshakeSize.actTwo else { throw .shortRead(act: 2) }
        guard actTwo[0] == 0 else { throw .badVersion(act: 2, version: actTwo[0]) }
        let re = Array(actTwo[1..<34])
        guard Secp256k1.isValidPoint(re) else { throw .badPublicKey(act: 2) }
        state.mixHash(re)
        guard let ee = Secp256k1.ecdh(secret: ephemeral, point: re) else { throw .badPublicKey(act: 2) }
        state.mixKey(ee)
        let c = Array(actTwo[34...])
        guard state.decrypt(nonce: 0, c) != nil else { throw .badTag(act: 2) }
        state.mixHash(c)
        // Act Three.
        guard let s = Secp256k1.publicKey(secret: localStatic) else { throw .invalidKey }
        let encryptedStatic = state.encrypt(nonce: 1, s)
        state.mixHash(encryptedStatic)
        guard let se = Secp256k1.ecdh(secret: localStatic, point: re) else { throw .invalidKey }
        state.mixKey(se)
        let t = state.encrypt(nonce: 0, [])
        return ([0] + encryptedStatic + t, TransportKeys(chainingKey: state.chainingKey))
    }
}

/// The responder's side of the handshake (BOLT #8 §"Handshake Exchange").
public struct HandshakeResponder {
    let localStatic: [UInt8]
    let ephemeral: [UInt8]
    public let ephemeralPublicKey: [UInt8]
    var state: SymmetricState
    var remoteEphemeral: [UInt8] = []

    public init(localStatic: [UInt8], ephemeral: [UInt8]) throws(HandshakeError) {
        guard let s = Secp256k1.publicKey(secret: localStatic), let e = Secp256k1.publicKey(secret: ephemeral) else {
            throw .invalidKey
        }
        self.localStatic = localStatic
        self.ephemeral = ephemeral
        self.ephemeralPublicKey = e
        self.state = SymmetricState(responderStatic: s)
    }

    /// Reads Act One and returns Act Two (50 bytes).
    public mutating func actTwo(actOne: [UInt8]) throws(HandshakeError) -> [UInt8] {
        guard actOne.count == HandshakeSize.actOne else { throw .shortRead(act: 1) }
        guard actOne[0] == 0 else { throw .badVersion(act: 1, version: actOne[0]) }
        let re = Array(actOne[1..<34])
        guard Secp256k1.isValidPoint(re) else { throw .badPublicKey(act: 1) }
        remoteEphemeral = re
        state.mixHash(re)
        guard let es = Secp256k1.ecdh(secret: localStatic, point: re) else { throw .badPublicKey(act: 1) }
        state.mixKey(es)
        let c = Array(actOne[34...])
        guard state.decrypt(nonce: 0, c) != nil else { throw .badTag(act: 1) }
        state.mixHash(c)
        // Act Two.
        state.mixHash(ephemeralPublicKey)
        guard let ee = Secp256k1.ecdh(secret: ephemeral, point: re) else { throw .invalidKey }
        state.mixKey(ee)
        let tag = state.encrypt(nonce: 0, [])
        state.mixHash(tag)
        return [0] + ephemeralPublicKey + tag
    }

    /// Reads Act Three: the initiator's node id and the transport keys.
    public mutating func finish(actThree: [UInt8]) throws(HandshakeError) -> (remoteStatic: [UInt8], keys: TransportKeys) {
        guard actThree.count == HandshakeSize.actThree else { throw .shortRead(act: 3) }
        guard actThree[0] == 0 else { throw .badVersion(act: 3, version: actThree[0]) }
        let c = Array(actThree[1..<50])
        let t = Array(actThree[50...])
        guard let rs = state.decrypt(nonce: 1, c) else { throw .badTag(act: 3) }
        guard Secp256k1.isValidPoint(rs) else { throw .badPublicKey(act: 3) }
        state.mixHash(c)
        guard let se = Secp256k1.ecdh(secret: ephemeral, point: rs) else { throw .badPublicKey(act: 3) }
        state.mixKey(se)
        guard state.decrypt(nonce: 0, t) != nil else { throw .badTag(act: 3) }
        return (rs, TransportKeys(chainingKey: state.chainingKey))
    }
}
