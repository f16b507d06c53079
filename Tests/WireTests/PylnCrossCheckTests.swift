import Basics
import Foundation
import TestSupport
import Testing
import Wire

/// Messages of every type encoded by pyln-proto, an independent encoder
/// (`Scripts/crosscheck/pyln_messages.py` → `Fixtures/wire/pyln-messages.jsonl`): lntrace
/// must decode each to exactly the values pyln-proto was given, and re-encode the same bytes.
struct PylnCrossCheckTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var typeNumber: UInt16
        var variant: String
        var hex: String
        var fields: JSONValue
        var tlvs: JSONValue
        var testDescription: String { "\(name) \(variant)" }
    }

    static let cases: [Case] = {
        guard let data = try? Fixtures.data("wire/pyln-messages.jsonl") else { return [] }
        return (try? JSONValue.lines(String(decoding: data, as: UTF8.self)))?.compactMap { line in
            guard let name = line["name"]?.string, let number = line["type_number"]?.uint64,
                let variant = line["variant"]?.string, let hex = line["hex"]?.string,
                let fields = line["fields"], let tlvs = line["tlvs"]
            else { return nil }
            return Case(name: name, typeNumber: UInt16(number), variant: variant, hex: hex, fields: fields, tlvs: tlvs)
        } ?? []
    }()

    @Test func everyKnownTypeIsCovered() {
        let covered = Set(Self.cases.map(\.typeNumber))
        #expect(Self.cases.count > 100)
        #expect(covered == Set(Message.knownTypes.keys), "missing \(Set(Message.knownTypes.keys).subtracting(covered))")
        let withTLVs = Set(Self.cases.filter { $0.variant.hasPrefix("all") }.map(\.name))
        #expect(withTLVs.count >= 20)
    }

    @Test(arguments: cases)
    func decodesToPylnValues(_ c: Case) throws {
        let bytes = try #require(Hex.decode(c.hex))
        let message = try Message.decode(bytes)
        #expect(message.name == c.name)
        #expect(message.type == c.typeNumber)
        try expectMatch(message.fields, c.fields, path: c.name)
        try expectMatch(message.tlvFields, c.tlvs, path: c.name + ".tlvs")
        #expect(try message.encoded() == bytes, "re-encoding changed the bytes")
    }
}

/// Checks that `ours` carries every value of pyln-proto's `to_py()` rendering `theirs`. pyln
/// omits length prefixes (`len`, `num_htlcs`); ours may carry them as extra integers.
func expectMatch(_ ours: [WireField], _ theirs: JSONValue, path: String) throws {
    let object = try #require(theirs.object, "\(path): not an object")
    for (name, value) in object {
        let field = try #require(ours.first { $0.name == name }, "\(path): no field \(name)")
        expectMatch(field.value, value, path: "\(path).\(name)")
    }
    for field in ours where object[field.name] == nil {
        guard case .unsigned = field.value else {
            Issue.record("\(path): extra field \(field.name) = \(field.value)")
            continue
        }
    }
}

func expectMatch(_ ours: FieldValue, _ theirs: JSONValue, path: String) {
    switch (ours, theirs) {
    case let (.unsigned(a), _):
        #expect(theirs.uint64 == a, "\(path): \(a) vs \(theirs)")
    case let (.signed(a), _):
        #expect(theirs.int64 == a, "\(path): \(a) vs \(theirs)")
    case let (.bytes(a), .string(b)):
        #expect(Hex.encode(a) == b, "\(path)")
    case let (.shortChannelID(a), .string(b)):
        #expect(a.description == b, "\(path): \(a) vs \(b)")
    case let (.array(a), .string(b)):
        // A fixed array of short byte strings that pyln sees as one byte string.
        let joined = a.compactMap { if case let .bytes(x) = $0 { Hex.encode(x) } else { nil } }.joined()
        #expect(joined == b, "\(path)")
    case let (.array(a), .array(b)):
        #expect(a.count == b.count, "\(path): \(a.count) vs \(b.count) elements")
        for (i, (x, y)) in zip(a, b).enumerated() {
            expectMatch(x, y, path: "\(path)[\(i)]")
        }
    case let (.record(a), .object):
        do {
            try expectMatch(a, theirs, path: path)
        } catch {
            Issue.record("\(path): \(error)")
        }
    default:
        Issue.record("\(path): \(ours) vs \(theirs)")
    }
}
