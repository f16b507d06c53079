import Testing
import Transport

/// BOLT #8 Appendix A, "Message Encryption Tests": the initiator's sending cipher after the
/// handshake (ck, sk from the vectors) encrypts "hello" 1002 times; outputs 0, 1, 500, 501,
/// 1000 and 1001 are given, which covers both key rotations.
struct CipherStateTests {
    static let ck = [UInt8](hex: "919219dbb2920afa8db80f9a51787a840bcf111ed8d588caf9ab4be716e42b01")
    static let sk = [UInt8](hex: "969ab31b4d288cedf6218839b27a3e2140827047f2c0f01bf5c04435d43511a9")
    static let hello = Array("hello".utf8)
    static let expected: [Int: String] = [
        0: "cf2b30ddf0cf3f80e7c35a6e6730b59fe802473180f396d88a8fb0db8cbcf25d2f214cf9ea1d95",
        1: "72887022101f0b6753e0c7de21657d35a4cb2a1f5cde2650528bbc8f837d0f0d7ad833b1a256a1",
        500: "178cb9d7387190fa34db9c2d50027d21793c9bc2d40b1e14dcf30ebeeeb220f48364f7a4c68bf8",
        501: "1b186c57d44eb6de4c057c49940d79bb838a145cb528d6e8fd26dbe50a60ca2c104b56b60e45bd",
        1000: "4a2f3cc3b5e78ddb83dcb426d9863d9d9a723b0337c89dd0b005d89f8d3c05c52b76b29b740f09",
        1001: "2ecd8c8a5629d0d02ab457a0fdd0f7b90a192cd46be5ecb6ca570bfc5e268338b1a16cf4ef2d36",
    ]

    @Test func messageEncryptionVectors() {
        var sender = CipherState(key: Self.sk, chainingKey: Self.ck)
        var receiver = CipherState(key: Self.sk, chainingKey: Self.ck)
        for i in 0...1001 {
            let packet = sender.encryptMessage(Self.hello)
            if let want = Self.expected[i] {
                #expect(packet == [UInt8](hex: want), "output \(i)")
            }
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
    init(hex: String) {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        self = bytes
    }
}
