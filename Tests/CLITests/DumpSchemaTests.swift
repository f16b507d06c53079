import Foundation
import TestSupport
import Testing

/// `dump --format json` and every `--format jsonl` line validate against
/// `Documentation/schema/dump.schema.json`, whose records are check's (the CI cross-check
/// validates them with the jsonschema package too).
@Suite(.serialized)
struct DumpSchemaTests {
    static func schema(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: Fixtures.root.appendingPathComponent("Documentation/schema/\(name).schema.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// One home per record: the records dump's schema shares with check's are the same.
    @Test func recordsAreCheck() throws {
        let dump = try #require(try Self.schema("dump")["$defs"] as? [String: Any])
        let check = try #require(try Self.schema("check")["$defs"] as? [String: Any])
        for name in dump.keys where name != "line" {
            let ours = try JSONSerialization.data(withJSONObject: try #require(dump[name]), options: .sortedKeys)
            let theirs = try JSONSerialization.data(
                withJSONObject: try #require(check[name], "\(name) is not in check's schema"), options: .sortedKeys)
            #expect(ours == theirs, "$defs/\(name) differs from check.schema.json's")
        }
    }

    @Test func reportsMatchTheSchema() throws {
        let schema = try JSONSchema(Data(contentsOf: Fixtures.root.appendingPathComponent("Documentation/schema/dump.schema.json")))
        let runs: [[String]] = [
            [
                "--keylog", "Fixtures/captures/synth/tcp-anomalies.keys", "Fixtures/captures/synth/tcp-anomalies.pcap",
                "Fixtures/hex/channel-life.hex",
            ],
            ["Fixtures/logs/channel-life/alice-cln.log", "Fixtures/logs/channel-life/alice-eclair.log", "Fixtures/logs/channel-life/bob-lnd.log"],
            ["--raw", "Fixtures/hostile/logs/hex-odd-and-huge.hex", "Fixtures/logs/real/eclair/eclair-546-2018-akka.log"],
        ]
        for arguments in runs {
            let document = try LNTraceBinary.run(["dump", "--format", "json"] + arguments)
            let parsed = try JSONSerialization.jsonObject(with: Data(document.stdout.utf8))
            #expect(schema.errors(parsed).isEmpty, "\(arguments): \(schema.errors(parsed).prefix(5))")
            let lines = try LNTraceBinary.run(["dump", "--format", "jsonl"] + arguments)
            var kinds = Set<String>()
            for line in lines.stdout.split(separator: "\n") {
                let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
                #expect(
                    schema.errors(object, at: "#/$defs/line").isEmpty, "\(line.prefix(120)): \(schema.errors(object, at: "#/$defs/line").prefix(3))")
                kinds.insert((object as? [String: Any])?["kind"] as? String ?? "")
            }
            #expect(kinds.contains("message"))
        }
        // Without its tool, or as another command's, a document does not validate.
        let document = try JSONSerialization.jsonObject(
            with: Data(try LNTraceBinary.run(["dump", "--format", "json", "Fixtures/hex/channel-life.hex"]).stdout.utf8))
        var withoutTool = try #require(document as? [String: Any])
        withoutTool["tool"] = nil
        #expect(!schema.errors(withoutTool).isEmpty)
        var checkCommand = try #require(document as? [String: Any])
        checkCommand["command"] = "check"
        #expect(!schema.errors(checkCommand).isEmpty)
    }
}
