import Basics
import Testing
import Transport

/// The transport cipher across key rotations: what one side encrypts the other decrypts,
/// and the rotated keys are the spec's (BOLT #8 §"Lightning Message Key Rotation").
struct CipherStateTests {
    static let ck = [UInt8](hex: "919219dbb2920afa8db80f9a51787a840bcf111ed8d588caf9ab4be716e42b01")
    static let sk = [UInt8](hex: "969ab31b4d288cedf6218839b27a3e2140827047f2c0f01bf5c04435d43511a9")
    static let hello = Array("hello".utf8)
    @Test func receiverFollowsTheRotations() {
        var sender = CipherState(key: Self.sk, chainingKey: Self.ck)
        var receiver = CipherState(key: Self.sk, chainingKey: Self.ck)
        for _ in 0...1001 {
            let packet = sender.encryptMessage(Self.hello)
            // The receiving side decrypts the same packet: length, then body.
            let length = try? receiver.decrypt(packet[0..<18])
            #expect(length == [0, 5])
            #expect((try? receiver.decrypt(packet[18...])) == Self.hello)
        }
        #expect(sender.epoch == 2)
    }

    @Test func rotatedKeysMatchTheSpec() {
        var cipher = CipherState(key: Self.sk, chainingKey: Self.ck)
        for _ in 0..<500 { _ = cipher.encryptMessage(Self.hello) }
        #expect(cipher.chainingKey == [UInt8](hex: "cc2c6e467efc8067720c2d09c139d1f77731893aad1defa14f9bf3c48d3f1d31"))
        #expect(cipher.key == [UInt8](hex: "3fbdc101abd1132ca3a0ae34a669d8d9ba69a587e0bb4ddd59524541cf4813d8"))
    }

    @Test func wrongKeyIsABadTag() {
        var sender = CipherState(key: Self.sk, chainingKey: Self.ck)
        var receiver = CipherState(key: [UInt8](repeating: 7, count: 32), chainingKey: Self.ck)
        let packet = sender.encryptMessage(Self.hello)
        #expect(throws: TransportError.badTag) { try receiver.decrypt(packet[0..<18]) }
        #expect(receiver.nonce == 0, "a failed decryption must not advance the nonce")
    }
}

extension Array where Element == UInt8 {
    /// A test vector's bytes (`Hex.decode`); text that is not hex gives none, and the
    /// comparison with it fails.
    init(hex: String) {
        self = Hex.decode(hex) ?? []
    }
}
