import Basics
import Foundation
import TestSupport
import Testing
import Wire

/// Malformed variants of a real message of every type (from the pyln-proto fixture):
/// truncation at every byte, over-long input, and each TLV stream violation of BOLT #1.
/// Each must give a typed ``WireError`` naming the message, never a crash.
struct MalformedTests {
    struct Sample: Sendable, CustomTestStringConvertible {
        var name: String
        /// The message without a TLV extension.
        var bare: [UInt8]
        /// The same message with every known TLV record plus unknown odd ones, if it has a stream.
        var withTLVs: [UInt8]?
        var testDescription: String { name }
    }

    /// One sample per message type: `bare-0` and `all-0` share their fields.
    static let samples: [Sample] = {
        let cases = PylnCrossCheckTests.cases
        return cases.filter { $0.variant == "bare-0" }.compactMap { bare in
            guard let bytes = Hex.decode(bare.hex) else { return nil }
            let all = cases.first { $0.name == bare.name && $0.variant == "all-0" }.flatMap { Hex.decode($0.hex) }
            return Sample(name: bare.name, bare: bytes, withTLVs: all)
        }
    }()

    /// Gossip messages whose signed trailing bytes are kept raw rather than read as TLVs (BOLT #7).
    static let rawTrailing: Set<String> = ["channel_announcement", "node_announcement", "channel_update"]

    @Test func everyTypeHasASample() {
        #expect(Self.samples.count == Message.knownTypes.count)
    }

    @Test(arguments: samples)
    func truncatedAtEveryByte(_ sample: Sample) throws {
        for cut in 0..<sample.bare.count {
            do {
                let message = try Message.decode(Array(sample.bare[0..<cut]))
                Issue.record("\(sample.name) cut at \(cut) decoded as \(message.name)")
            } catch {
                if cut < 2 {
                    #expect(error.kind == .missingType)
                } else {
                    guard case .truncated = error.kind else {
                        Issue.record("\(sample.name) cut at \(cut): \(error)")
                        continue
                    }
                    #expect(error.field.hasPrefix(sample.name + "."), "\(error)")
                    #expect(error.offset <= cut)
                }
            }
        }
        guard let full = sample.withTLVs else { return }
        // Inside the extension a cut may fall on a record boundary, which is a valid shorter
        // stream; anywhere else it must be an error.
        for cut in sample.bare.count..<full.count {
            let prefix = Array(full[0..<cut])
            if let message = try? Message.decode(prefix) {
                #expect(try message.encoded() == prefix, "\(sample.name) cut at \(cut)")
            }
        }
    }

    @Test(arguments: samples)
    func overLong(_ sample: Sample) throws {
        let padded = sample.bare + [UInt8](repeating: 0, count: Message.maximumLength + 1 - sample.bare.count)
        #expect(throws: WireError(.messageTooLong(length: Message.maximumLength + 1), field: "", offset: Message.maximumLength)) {
            try Message.decode(padded)
        }
        // Trailing bytes are an extension: an unknown even record (type 256) must fail.
        let extended = sample.bare + [0xfd, 0x01, 0x00, 0x00]
        if Self.rawTrailing.contains(sample.name) {
            let message = try Message.decode(extended)
            #expect(message.fields["trailing_bytes"] == .bytes([0xfd, 0x01, 0x00, 0x00]))
            #expect(try message.encoded() == extended)
        } else {
            let error = try #require(throws: WireError.self) { try Message.decode(extended) }
            #expect(error.kind == .tlvUnknownEven(type: 256))
            #expect(error.offset == sample.bare.count)
            #expect(error.field == sample.name + ".tlvs")
        }
    }

    /// Splits a TLV stream into raw records (type, the record's encoded bytes).
    static func records(_ stream: [UInt8]) -> [(type: UInt64, bytes: [UInt8])] {
        var reader = WireReader(stream)
        var out: [(UInt64, [UInt8])] = []
        while !reader.isAtEnd {
            let start = reader.position
            guard let type = try? reader.readBigSize("type"), let length = try? reader.readBigSize("length"),
                (try? reader.readBytes(Int(length), "value")) != nil
            else { break }
            out.append((type, Array(stream[start..<reader.position])))
        }
        return out
    }

    static func withStream(_ sample: Sample) -> (bare: [UInt8], records: [(type: UInt64, bytes: [UInt8])])? {
        guard let full = sample.withTLVs else { return nil }
        return (sample.bare, records(Array(full[sample.bare.count...])))
    }

    static func expectError(_ bytes: [UInt8], _ sample: Sample, _ check: (WireErrorKind) -> Bool) {
        do {
            let message = try Message.decode(bytes)
            Issue.record("\(sample.name) decoded as \(message.name)")
        } catch {
            #expect(check(error.kind), "\(sample.name): \(error)")
            #expect(error.field.hasPrefix(sample.name + ".tlvs"), "\(error)")
        }
    }

    @Test(arguments: samples.filter { $0.withTLVs != nil })
    func wrongTLVOrder(_ sample: Sample) throws {
        let (bare, records) = try #require(Self.withStream(sample))
        try #require(records.count >= 2)
        var swapped = records
        swapped.swapAt(0, 1)
        Self.expectError(bare + swapped.flatMap(\.bytes), sample) {
            if case .tlvNotIncreasing = $0 { return true }
            return false
        }
    }

    @Test(arguments: samples.filter { $0.withTLVs != nil })
    func duplicateTLV(_ sample: Sample) throws {
        let (bare, records) = try #require(Self.withStream(sample))
        let first = try #require(records.first)
        Self.expectError(bare + first.bytes + records.flatMap(\.bytes), sample) {
            $0 == .tlvDuplicate(type: first.type)
        }
    }

    @Test(arguments: samples.filter { !rawTrailing.contains($0.name) })
    func unknownEvenTLV(_ sample: Sample) throws {
        let records = sample.withTLVs.map { Self.records(Array($0[sample.bare.count...])) } ?? []
        // Type 65538 (even, above every record of the stream), value "00".
        let even: [UInt8] = [0xfe, 0x00, 0x01, 0x00, 0x02, 0x01, 0x00]
        Self.expectError(sample.bare + records.flatMap(\.bytes) + even, sample) { $0 == .tlvUnknownEven(type: 65538) }
    }

    @Test(arguments: samples.filter { !rawTrailing.contains($0.name) })
    func nonMinimalBigSize(_ sample: Sample) throws {
        // Type 1 with its length written in three bytes (fd 00 00) instead of one.
        Self.expectError(sample.bare + [0x01, 0xfd, 0x00, 0x00], sample) { $0 == .nonMinimalBigSize(value: 0) }
        // A type written non-minimally: 0xfd00fd is fine, 0xfd0001 is not.
        Self.expectError(sample.bare + [0xfd, 0x00, 0x01, 0x00], sample) { $0 == .nonMinimalBigSize(value: 1) }
    }
}
