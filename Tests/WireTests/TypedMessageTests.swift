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
}
