import Basics
import Foundation
import Testing
import Wire

/// The typed view of messages (`Generated/Typed.swift`): a decoded message and the same
/// message given as named fields (as a log line gives them) read the same typed values.
struct TypedMessageTests {
    /// The fields a named source cannot give as typed values: TLV streams (read through
    /// the named TLV records), bytes after a gossip message's fields, and subtype lists.
    static let notFromNames: Set<String> = ["tlvs", "trailingBytes", "witnesses", "checksumsTlv"]

    static func partial(of typed: TypedMessage) -> [(label: String, value: Any)] {
        guard let payload = Mirror(reflecting: typed).children.first?.value else { return [] }
        return Mirror(reflecting: payload).children.map { ($0.label ?? "", $0.value) }
    }

    @Test(arguments: PylnCrossCheckTests.cases)
    func namedFieldsGiveTheDecodedValues(_ c: PylnCrossCheckTests.Case) throws {
        let message = try Message.decode(try #require(Hex.decode(c.hex)))
        let full = TypedMessage(.decoded(message))
        let named = TypedMessage(.partial(PartialMessage(type: nil, name: message.name, fields: message.fields)))
        #expect(full.kind?.rawValue == message.type)
        #expect(named.kind == full.kind)
        let a = Self.partial(of: full), b = Self.partial(of: named)
        #expect(!a.isEmpty && a.count == b.count)
        for (x, y) in zip(a, b) {
            #expect(x.label == y.label)
            let decoded = x.value as? AnyHashable, given = y.value as? AnyHashable
            // Every field of a decoded message is known.
            #expect("\(x.value)" != "nil", "\(c.name).\(x.label) unknown after decoding")
            if "\(y.value)" == "nil" {
                #expect(Self.notFromNames.contains(x.label), "\(c.name).\(x.label) not read from its name")
            } else {
                #expect(decoded == given, "\(c.name).\(x.label)")
            }
        }
    }

    /// TLV records given by name (as a log gives them) read as the decoded records.
    @Test(arguments: PylnCrossCheckTests.cases.filter { $0.variant.hasPrefix("all") })
    func namedRecordsGiveTheDecodedRecords(_ c: PylnCrossCheckTests.Case) throws {
        let message = try Message.decode(try #require(Hex.decode(c.hex)))
        let full = TypedMessage(.decoded(message))
        let named = TypedMessage(
            .partial(
                PartialMessage(
                    type: message.type, name: message.name, fields: message.fields,
                    tlvFields: message.tlvFields)))
        func records(_ typed: TypedMessage) -> [(label: String, value: Any)] {
            guard let tlvs = Self.partial(of: typed).first(where: { $0.label == "tlvs" })?.value,
                let stream = Mirror(reflecting: tlvs).children.first?.value
            else { return [] }
            return Mirror(reflecting: stream).children.filter { $0.label != "unknownRecords" }.map { ($0.label ?? "", $0.value) }
        }
        let a = records(full), b = records(named)
        #expect(a.count == b.count)
        for (x, y) in zip(a, b) {
            // Subtype lists inside records are not read from names.
            if "\(y.value)" == "nil" && Self.notFromNames.contains(x.label) { continue }
            #expect(x.value as? AnyHashable == y.value as? AnyHashable, "\(c.name).tlvs.\(x.label)")
        }
    }

    @Test func kindsNameAndNumberEveryKnownType() {
        #expect(MessageKind.allCases.count == Message.knownTypes.count)
        for kind in MessageKind.allCases {
            #expect(Message.knownTypes[kind.rawValue]?.name == kind.name)
            #expect(MessageKind(name: kind.name) == kind)
        }
        #expect(MessageKind(name: "update_add_htlcs") == nil)
    }

    @Test func fieldPropertiesNameTheirSpecField() {
        #expect(TypedMessage.fieldName(\.amountMsat) == "amount_msat")
        #expect(TypedMessage.fieldName(\.temporaryChannelID) == "temporary_channel_id")
        #expect(TypedMessage.fieldName(\.htlcSignature) == "htlc_signature")
        let add = TypedMessage(
            .partial(
                PartialMessage(
                    type: 128, name: "update_add_htlc",
                    fields: [
                        WireField("id", .unsigned(7)), WireField("cltv_expiry", .unsigned(1 << 40)),
                        WireField("payment_hash", .bytes([1, 2, 3])),
                    ])))
        #expect(add.kind == .updateAddHTLC)
        #expect(add.id == 7)
        // Too wide for `u32`, too short for `sha256`: unknown, not wrapped or padded.
        #expect(add.cltvExpiry == nil)
        #expect(add.paymentHash == nil)
        #expect(add.amountMsat == nil)
        // A field of another message.
        #expect(add.fundingSatoshis == nil)
    }

    /// The typed fields read back as the named view reports print: a decoded message's
    /// fields and records, in wire order, whether reflected from the message or from its
    /// typed form.
    @Test(arguments: PylnCrossCheckTests.cases)
    func typedFieldsReflectAsTheDecodedMessagesFields(_ c: PylnCrossCheckTests.Case) throws {
        let message = try Message.decode(try #require(Hex.decode(c.hex)))
        let typed = TypedMessage(.decoded(message))
        #expect(typed.fields == message.fields, "\(c.name)")
        #expect(typed.tlvFields == message.tlvFields, "\(c.name)")
        // Given by name (as a log gives them), the same fields come back, but for those a
        // name cannot give (subtype lists).
        let named = PartialMessage(type: nil, name: message.name, fields: message.fields, tlvFields: message.tlvFields)
        #expect(named.fields == message.fields.filter { named.fields.contains($0) }, "\(c.name)")
        for missing in message.fields where !named.fields.contains(missing) {
            let words = missing.name.split(separator: "_")
            let label = words.first.map(String.init)! + words.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
            #expect(Self.notFromNames.contains(label), "\(c.name).\(missing.name) not given by name")
        }
    }

    @Test func fieldsAreSetThroughKeyPathsOnlyWhereTheMessageHasThem() throws {
        var add = TypedMessage(kind: .updateAddHTLC)
        add.amountMsat = 5000
        add.id = 3
        add.fundingSatoshis = 1  // not a field of update_add_htlc: ignored
        #expect(add.amountMsat == 5000 && add.id == 3)
        #expect(add.fundingSatoshis == nil)
        #expect(add.fields == [WireField("id", .unsigned(3)), WireField("amount_msat", .unsigned(5000))])
        #expect(add.tlvFields.isEmpty)
        let key = try #require(Hex.decode("02" + String(repeating: "11", count: 32)).flatMap { Point($0) })
        add.blindedPathRecord = key
        #expect(add.blindedPathRecord == key)
        #expect(add.tlvFields == [WireField("blinded_path", .record([WireField("path_key", .bytes(key.bytes))]))])
        add.blindedPathRecord = nil
        #expect(add.blindedPathRecord == nil)
        // By spec name, as the dialect tables name them: converted, or refused.
        let set = (
            add.set(named: "cltv_expiry", .unsigned(800_000)), add.set(named: "amount_msat", .unsigned(1 << 40)),
            add.set(named: "cltv_expiry", .unsigned(1 << 40)), add.set(named: "funding_satoshis", .unsigned(1)),
            add.setRecord(named: "blinded_path", .record([WireField("path_key", .bytes(key.bytes))])),
            add.setRecord(named: "no_such_record", .record([]))
        )
        #expect(set == (true, true, false, false, true, false))
        #expect(add.cltvExpiry == 800_000 && add.amountMsat == 1 << 40)
        #expect(add.blindedPathRecord == key)
        var unknown = TypedMessage(kind: nil, type: 32769)
        unknown.amountMsat = 1
        #expect(unknown.fields.isEmpty && unknown.kind == nil)
    }
}
