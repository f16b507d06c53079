import Basics
import Testing

/// The one hex codec: every byte value both ways, either case in, lowercase out, and
/// whatever is not hex rejected whole.
struct HexTests {
    @Test func everyByteRoundTrips() {
        let bytes = (0...255).map { UInt8($0) }
        let text = Hex.encode(bytes)
        #expect(text.utf8.count == 512)
        #expect(text.hasPrefix("000102") && text.hasSuffix("fdfeff"))
        #expect(Hex.decode(text) == bytes)
        #expect(Hex.decode(text.uppercased()) == bytes)
        #expect(Hex.decode(utf8: Array(text.utf8)) == bytes)
        #expect([UInt8](hex: text) == bytes)
        #expect(bytes.hex == text)
        #expect(bytes[1..<3].hex == "0102")
    }

    @Test func substringsAndSlicesDecodeInPlace() {
        let line = "peer=02abCDef rest"
        let token = line.split(separator: " ")[0].dropFirst(5)
        #expect(Hex.decode(token) == [0x02, 0xab, 0xcd, 0xef])
        let bytes = Array("xx0aff".utf8)
        #expect(Hex.decode(utf8: bytes[2...]) == [0x0a, 0xff])
        // A collection that is not contiguous still decodes.
        #expect(Hex.decode(utf8: Array("0aff".utf8).lazy.map { $0 }) == [0x0a, 0xff])
    }

    @Test func emptyIsEmpty() {
        #expect(Hex.encode([UInt8]()) == "")
        #expect(Hex.decode("") == [])
    }

    @Test(arguments: ["0", "abc", "0g", "g0", "zz", " 00", "00 ", "0x00", "é0", "00\u{0}", "+1", "٠٠", "０１"])
    func invalidHexIsRejected(_ text: String) {
        #expect(Hex.decode(text) == nil)
        #expect([UInt8](hex: text) == nil)
    }

    @Test func digitsAreClassifiedByByte() {
        let digits = Set("0123456789abcdefABCDEF".utf8)
        for byte in 0...255 {
            #expect(Hex.isDigit(UInt8(byte)) == digits.contains(UInt8(byte)), "byte \(byte)")
        }
        #expect(Hex.digitCount(prefixing: "03abZ9".utf8) == 4)
        #expect(Hex.digitCount(prefixing: "".utf8) == 0)
    }

    @Test func appendsDigitsToBytes() {
        var out = Array("x=".utf8)
        Hex.append([0xde, 0xad], to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "x=dead")
        #expect(Hex.digit(0x0b) == UInt8(ascii: "b"))
    }
}

/// The one SHA-256 helper, against the FIPS 180-2 vectors.
struct SHA256Tests {
    @Test func knownVectors() {
        #expect(Hex.encode(sha256([UInt8]())) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Hex.encode(sha256("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(Hex.encode(sha256(Array(long.utf8)[...])) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        // Bytes that are not contiguous hash the same.
        #expect(sha256(Array(long.utf8).lazy.map { $0 }) == sha256(Array(long.utf8)))
    }
}
