import Basics
import Foundation
import TestSupport
import Testing
import Wire

/// The BOLT #1 appendix vectors as extracted by `Scripts/extract-spec-vectors.py`.
struct Bolt1Vectors: Decodable, Sendable {
    struct BigSize: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var value: UInt64
        var bytes: String
        var exp_error: String?
        var testDescription: String { name }
    }
    struct Stream: Decodable, Sendable, CustomTestStringConvertible {
        var stream: String
        var reason: String?
        var explanation: String?
        var values: String?
        var testDescription: String { "0x\(stream): \(reason ?? explanation ?? values ?? "")" }
    }
    struct Extension: Decodable, Sendable {
        var message: String
        var note: String
    }
    struct Signed: Decodable, Sendable {
        var value: Int64
        var bytes: String
    }
    var bigsize_decoding: [BigSize] = []
    var bigsize_encoding: [BigSize] = []
    var tlv_invalid_any_namespace: [Stream] = []
    var tlv_invalid_n1: [Stream] = []
    var tlv_valid_ignored: [Stream] = []
    var tlv_valid_n1: [Stream] = []
    var tlv_stream_invalid_n1: [Stream] = []
    var tlv_stream_invalid_n2: [Stream] = []
    var init_valid: [Extension] = []
    var init_invalid: [Extension] = []
    var signed_integers: [Signed] = []

    static let all: Bolt1Vectors = {
        guard let data = try? Fixtures.data("spec/bolt1-vectors.json"),
            let vectors = try? JSONDecoder().decode(Bolt1Vectors.self, from: data)
        else { return Bolt1Vectors() }
        return vectors
    }()
}

func bytes(_ hex: String) -> [UInt8] { Hex.decode(hex) ?? [0xde, 0xad] }

/// BOLT #1 Appendices A–D, read from `Fixtures/spec/bolt1-vectors.json`.
struct Bolt1VectorTests {
    static let v = Bolt1Vectors.all

    @Test func fixtureLoaded() {
        #expect(Self.v.bigsize_decoding.count == 18)
        #expect(Self.v.tlv_invalid_n1.count == 20)
        #expect(Self.v.signed_integers.count == 23)
        #expect(Self.v.init_invalid.count == 3)
    }

    // MARK: Appendix A: BigSize

    @Test(arguments: v.bigsize_decoding)
    func bigSizeDecoding(_ vector: Bolt1Vectors.BigSize) throws {
        var reader = WireReader(bytes(vector.bytes))
        let expectedError = vector.exp_error
        do {
            let value = try reader.readBigSize("value")
            #expect(expectedError == nil, "\(vector.name) decoded but should fail")
            #expect(value == vector.value)
            #expect(reader.isAtEnd)
        } catch {
            let expected = try #require(expectedError, "\(vector.name): \(error)")
            switch error.kind {
            case .nonMinimalBigSize: #expect(expected.contains("canonical"))
            case .truncated: #expect(expected.contains("EOF"))
            default: Issue.record("unexpected \(error)")
            }
        }
    }

    @Test(arguments: v.bigsize_encoding)
    func bigSizeEncoding(_ vector: Bolt1Vectors.BigSize) {
        var writer = WireWriter()
        writer.writeBigSize(vector.value)
        #expect(writer.bytes == bytes(vector.bytes))
    }

    // MARK: Appendix B: TLV streams

    static func decodeN1(_ bytes: [UInt8]) throws(WireError) -> N1 {
        var reader = WireReader(bytes)
        return try N1(from: &reader)
    }

    static func decodeN2(_ bytes: [UInt8]) throws(WireError) -> N2 {
        var reader = WireReader(bytes)
        return try N2(from: &reader)
    }

    @Test(arguments: v.tlv_invalid_any_namespace)
    func invalidInEitherNamespace(_ vector: Bolt1Vectors.Stream) {
        let stream = bytes(vector.stream)
        #expect(throws: WireError.self) { try Self.decodeN1(stream) }
        #expect(throws: WireError.self) { try Self.decodeN2(stream) }
    }

    @Test(arguments: v.tlv_invalid_n1 + v.tlv_stream_invalid_n1)
    func invalidInN1(_ vector: Bolt1Vectors.Stream) {
        #expect(throws: WireError.self) { try Self.decodeN1(bytes(vector.stream)) }
    }

    @Test(arguments: v.tlv_stream_invalid_n2)
    func invalidInN2(_ vector: Bolt1Vectors.Stream) {
        #expect(throws: WireError.self) { try Self.decodeN2(bytes(vector.stream)) }
    }

    /// The reason each vector gives maps to the error kind lntrace reports.
    @Test func invalidReasonsMatchErrorKinds() throws {
        for vector in Self.v.tlv_invalid_n1 + Self.v.tlv_stream_invalid_n1 + Self.v.tlv_invalid_any_namespace {
            let reason = vector.reason ?? ""
            do {
                _ = try Self.decodeN1(bytes(vector.stream))
            } catch {
                switch error.kind {
                case .tlvUnknownEven: #expect(reason.contains("unknown even"), "\(reason) → \(error)")
                case .tlvDuplicate: #expect(reason.contains("duplicate"), "\(reason) → \(error)")
                case .tlvNotIncreasing: #expect(reason.contains("ordering"), "\(reason) → \(error)")
                case .nonMinimalBigSize: #expect(reason.contains("minimally"), "\(reason) → \(error)")
                case .nonMinimalTruncatedInt: #expect(reason.contains("not minimal"), "\(reason) → \(error)")
                case .tlvValueTooLong, .truncatedIntTooLong:
                    #expect(reason.contains("greater than encoding length"), "\(reason) → \(error)")
                case .truncated, .tlvLengthOverrun:
                    #expect(
                        reason.contains("truncated") || reason.contains("less than") || reason.contains("missing"),
                        "\(reason) → \(error)")
                case .invalidPointPrefix: #expect(reason.contains("not a valid point"), "\(reason) → \(error)")
                default: Issue.record("\(reason) → unexpected \(error)")
                }
            }
        }
    }

    @Test(arguments: v.tlv_valid_ignored)
    func validIgnoredInBothNamespaces(_ vector: Bolt1Vectors.Stream) throws {
        let encoded = bytes(vector.stream)
        for stream in [try Self.decodeN1(encoded) as any TLVStream, try Self.decodeN2(encoded)] {
            #expect(stream.fields.count == stream.unknownRecords.count)
            var writer = WireWriter()
            try stream.encode(to: &writer)
            #expect(writer.bytes == encoded, "unknown records must re-encode byte for byte")
        }
    }

    @Test(arguments: v.tlv_valid_n1)
    func validN1Values(_ vector: Bolt1Vectors.Stream) throws {
        let encoded = bytes(vector.stream)
        let stream = try Self.decodeN1(encoded)
        // "`tlv3` `node_id`=02… `amount_msat_1`=1" → record tlv3 with those fields.
        let text = try #require(vector.values).replacingOccurrences(of: "`", with: "")
        var parts = text.split(separator: " ").map(String.init)
        let record = parts.removeFirst()
        let field = try #require(stream.fields.first { $0.name == record })
        guard case let .record(inner) = field.value else {
            Issue.record("\(record) is not a record")
            return
        }
        for assignment in parts {
            let pair = assignment.split(separator: "=").map(String.init)
            let value = try #require(inner[pair[0]], "missing \(pair[0])")
            switch value {
            case let .unsigned(n): #expect(String(n) == pair[1])
            case let .bytes(b): #expect(Hex.encode(b) == pair[1])
            case let .shortChannelID(scid): #expect(scid.description == pair[1])
            default: Issue.record("unexpected \(value)")
            }
        }
        var writer = WireWriter()
        try stream.encode(to: &writer)
        #expect(writer.bytes == encoded)
    }

    @Test func appendingStreams() throws {
        let valid = Self.v.tlv_valid_n1.map { bytes($0.stream) }
        let invalid = (Self.v.tlv_invalid_n1 + Self.v.tlv_invalid_any_namespace).map { bytes($0.stream) }
        for prefix in valid {
            for suffix in invalid {
                #expect(throws: WireError.self) { try Self.decodeN1(prefix + suffix) }
            }
        }
        // A higher-numbered valid stream after a lower-numbered one still decodes.
        let byType = Dictionary(grouping: valid, by: { (try? Self.decodeN1($0).fields.first?.name) ?? "" })
        let ordered = ["tlv1", "tlv2", "tlv3", "tlv4"].compactMap { byType[$0]?.first }
        for i in ordered.indices {
            for j in ordered.indices where j > i {
                let stream = try Self.decodeN1(ordered[i] + ordered[j])
                #expect(stream.fields.count == 2)
            }
        }
    }

    // MARK: Appendix C: message extension

    @Test(arguments: v.init_valid)
    func validInitExtension(_ vector: Bolt1Vectors.Extension) throws {
        let encoded = bytes(vector.message)
        let message = try Message.decode(encoded)
        guard case let .initMessage(initMessage) = message else {
            Issue.record("not init: \(message)")
            return
        }
        #expect(initMessage.features.isEmpty && initMessage.globalfeatures.isEmpty)
        #expect(try message.encoded() == encoded)
    }

    @Test(arguments: v.init_invalid)
    func invalidInitExtension(_ vector: Bolt1Vectors.Extension) {
        #expect(throws: WireError.self) { try Message.decode(bytes(vector.message)) }
    }

    // MARK: Appendix D: signed integers

    @Test(arguments: v.signed_integers)
    func signedIntegers(_ vector: Bolt1Vectors.Signed) throws {
        let encoded = bytes(vector.bytes)
        var reader = WireReader(encoded)
        #expect(try reader.readSigned(width: encoded.count, "value") == vector.value)
        var writer = WireWriter()
        writer.writeSigned(vector.value, width: encoded.count)
        #expect(writer.bytes == encoded)
    }
}
