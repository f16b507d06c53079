import Testing

@testable import Rules

/// `tx_signatures` witnesses as `itx-sigs-witness` reads them (BOLT #2: bitcoin's witness
/// stack encoding; signatures in BIP 66's DER form with a sighash byte).
struct WitnessTests {
    static let der: [UInt8] = [0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01, 0x01, 0x01]
    static let key: [UInt8] = [0x02] + [UInt8](repeating: 0x11, count: 32)

    @Test func aP2WPKHWitnessIsTwoElements() throws {
        let data: [UInt8] = [0x02, UInt8(Self.der.count)] + Self.der + [UInt8(Self.key.count)] + Self.key
        let stack = try #require(InteractiveTxRules.witnessStack(data))
        #expect(stack == [Self.der, Self.key])
        #expect(InteractiveTxRules.isDERSignature(stack[0]))
        #expect(!InteractiveTxRules.isDERSignature(stack[1]))
    }

    @Test func anEmptyStackAndALongLengthDecode() throws {
        #expect(InteractiveTxRules.witnessStack([0x00]) == [])
        // A CompactSize length of 0xfd: two bytes follow (253 bytes of data).
        let long = [UInt8](repeating: 0x42, count: 253)
        #expect(InteractiveTxRules.witnessStack([0x01, 0xfd, 0xfd, 0x00] + long) == [long])
    }

    @Test func truncatedOrTrailingBytesAreNoStack() {
        #expect(InteractiveTxRules.witnessStack([]) == nil)
        #expect(InteractiveTxRules.witnessStack([0x01, 0x05, 0x01]) == nil)
        #expect(InteractiveTxRules.witnessStack([0x01, 0x01, 0x01, 0x00]) == nil)
        #expect(InteractiveTxRules.witnessStack([0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]) == nil)
    }

    @Test func aDERSignatureNeedsItsInnerLengthsToAddUp() {
        var wrongTotal = Self.der
        wrongTotal[1] = 0x07
        #expect(!InteractiveTxRules.isDERSignature(wrongTotal))
        var wrongS = Self.der
        wrongS[6] = 0x02
        #expect(!InteractiveTxRules.isDERSignature(wrongS))
        #expect(!InteractiveTxRules.isDERSignature([0x30]))
    }
}
