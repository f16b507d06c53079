import Foundation
import TestSupport
import Testing
import Transport

/// BOLT #8 Appendix A, read from `Fixtures/spec/bolt8-vectors.json` (extracted from the spec by
/// `Scripts/extract-spec-vectors.py`): both roles of the handshake, every failure case, the
/// final keys, and the message outputs 0, 1, 500, 501, 1000, 1001.
struct Bolt8Vectors: Decodable, Sendable {
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        var name: String
        var inputs: [String]
        var outputs: [String]
        var values: [String: String] = [:]
        var testDescription: String { name }

        enum CodingKeys: String, CodingKey { case name, inputs, outputs }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            inputs = try c.decode([String].self, forKey: .inputs)
            outputs = try c.decode([String].self, forKey: .outputs)
            values = try decoder.singleValueContainer().decode([String: JSONValue].self).compactMapValues(\.string)
        }

        func bytes(_ key: String) -> [UInt8] { [UInt8](hex: values[key] ?? "") }
    }

    struct Messages: Decodable, Sendable {
        var ck: String
        var sk: String
        var rk: String
        var outputs: [String: String]
    }

    var initiator: [Case]
    var responder: [Case]
    var messages: Messages

    static let all: Bolt8Vectors? = {
        guard let data = try? Fixtures.data("spec/bolt8-vectors.json") else { return nil }
        return try? JSONDecoder().decode(Bolt8Vectors.self, from: data)
    }()
}

struct HandshakeTests {
    static let vectors = Bolt8Vectors.all

    @Test func fixtureLoaded() throws {
        let v = try #require(Self.vectors)
        #expect(v.initiator.count == 5)
        #expect(v.responder.count == 10)
        #expect(v.messages.outputs.count == 6)
    }

    /// `ERROR (ACT2_BAD_VERSION 1)` → the matching ``HandshakeError``.
    static func matches(_ error: HandshakeError, _ expected: String) -> Bool {
        switch error {
        case let .shortRead(act): expected.contains("ACT\(act)_READ_FAILED")
        case let .badVersion(act, _): expected.contains("ACT\(act)_BAD_VERSION")
        case let .badPublicKey(act): expected.contains("ACT\(act)_BAD_PUBKEY")
        case let .badTag(act): expected.contains("ACT\(act)_BAD_TAG") || expected.contains("ACT\(act)_BAD_CIPHERTEXT")
        case .invalidKey: false
        }
    }

    @Test(arguments: vectors?.initiator ?? [])
    func initiator(_ c: Bolt8Vectors.Case) throws {
        var handshake = try HandshakeInitiator(localStatic: c.bytes("ls.priv"), remoteStatic: c.bytes("rs.pub"), ephemeral: c.bytes("e.priv"))
        #expect(handshake.ephemeralPublicKey == c.bytes("e.pub"))
        #expect(try handshake.actOne() == [UInt8](hex: c.outputs[0]))
        do {
            let (actThree, keys) = try handshake.actThree(actTwo: [UInt8](hex: c.inputs[0]))
            #expect(actThree == [UInt8](hex: c.outputs[1]))
            // "sk,rk=0x…,0x…": the initiator sends with the first key.
            let keysText = c.outputs[2].split(separator: "=")[1].split(separator: ",")
            #expect(keys.initiatorToResponder == [UInt8](hex: keysText[0].replacingOccurrences(of: "0x", with: "")))
            #expect(keys.responderToInitiator == [UInt8](hex: keysText[1].replacingOccurrences(of: "0x", with: "")))
        } catch {
            #expect(Self.matches(error, c.outputs[1]), "\(error) vs \(c.outputs[1])")
        }
    }

    @Test(arguments: vectors?.responder ?? [])
    func responder(_ c: Bolt8Vectors.Case) throws {
        var handshake = try HandshakeResponder(localStatic: c.bytes("ls.priv"), ephemeral: c.bytes("e.priv"))
        #expect(handshake.ephemeralPublicKey == c.bytes("e.pub"))
        do {
            let actTwo = try handshake.actTwo(actOne: [UInt8](hex: c.inputs[0]))
            #expect(actTwo == [UInt8](hex: c.outputs[0]))
            let (remote, keys) = try handshake.finish(actThree: [UInt8](hex: c.inputs[1]))
            #expect(remote.count == 33)
            // "rk,sk=0x…,0x…": the responder receives with the first key.
            let keysText = c.outputs[1].split(separator: "=")[1].split(separator: ",")
            #expect(keys.initiatorToResponder == [UInt8](hex: keysText[0].replacingOccurrences(of: "0x", with: "")))
            #expect(keys.responderToInitiator == [UInt8](hex: keysText[1].replacingOccurrences(of: "0x", with: "")))
        } catch {
            #expect(Self.matches(error, c.outputs.last ?? ""), "\(error) vs \(c.outputs)")
        }
    }

    @Test func finalChainingKeyAloneGivesBothKeys() throws {
        let m = try #require(Self.vectors?.messages)
        let keys = TransportKeys(chainingKey: [UInt8](hex: m.ck))
        #expect(keys.initiatorToResponder == [UInt8](hex: m.sk))
        #expect(keys.responderToInitiator == [UInt8](hex: m.rk))
    }

    @Test func messageOutputs() throws {
        let m = try #require(Self.vectors?.messages)
        var sender = CipherState(key: [UInt8](hex: m.sk), chainingKey: [UInt8](hex: m.ck))
        var seen = 0
        for i in 0...1001 {
            let packet = sender.encryptMessage(Array("hello".utf8))
            if let want = m.outputs[String(i)] {
                #expect(packet == [UInt8](hex: want), "output \(i)")
                seen += 1
            }
        }
        #expect(seen == 6)
    }
}
