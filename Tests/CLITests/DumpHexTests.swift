import Foundation
import TestSupport
import Testing

/// `lntrace dump` on hex input, run as a user would.
@Suite(.serialized)
struct DumpHexTests {
    @Test func versionAndHelp() throws {
        let version = try LNTraceBinary.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".").count == 3)
        let help = try LNTraceBinary.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("dump"))
        let dumpHelp = try LNTraceBinary.run(["dump", "--help"])
        #expect(dumpHelp.stdout.contains("--input-format"))
    }

    /// Text that reaches a report from outside (here the input's name; equally an alias,
    /// a log line or an `error`'s data in a hazard note) cannot drive the terminal or forge
    /// report lines: control characters are shown as `\xhh`.
    @Test func controlCharactersFromOutsideAreShownNotObeyed() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lntrace-escape-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("a\u{1B}]0;owned\u{07}\rfake.hex").path
        let life = try String(contentsOfFile: "Fixtures/hex/channel-life.hex", encoding: .utf8)
        try life.split(separator: "\n").prefix(4).joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        for command in [["dump"], ["check"]] {
            let result = try LNTraceBinary.run(command + [path])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(!result.stdout.utf8.contains(0x1B) && !result.stdout.utf8.contains(0x0D) && !result.stdout.utf8.contains(0x07))
            #expect(result.stdout.contains("a\\x1b]0;owned\\x07\\x0dfake.hex"), "\(result.stdout)")
        }
    }

    @Test func bundledChannelLifeDecodes() throws {
        let result = try LNTraceBinary.run(["dump", "--format", "jsonl", "Fixtures/hex/channel-life.hex"])
        #expect(result.status == 0, "\(result.stderr)")
        let all = try JSONValue.lines(result.stdout)
        let lines = all.filter { $0["kind"]?.string == "message" }
        #expect(lines.count == 22)
        #expect(all.last?["kind"]?.string == "streams")
        #expect(all.last?["messages"]?.uint64 == 22)
        #expect(lines.map { $0["type"]?.string ?? "" }.prefix(3) == ["init", "init", "open_channel"])
        let add = try #require(lines.first { $0["type"]?.string == "update_add_htlc" })
        #expect(add["type_number"]?.uint64 == 128)
        #expect(add["fields"]?["amount_msat"]?.uint64 == 50_000)
        #expect(add["fields"]?["id"]?.uint64 == 0)
        #expect(add["line"]?.uint64 == 20)
        #expect(add["fields"]?["onion_routing_packet"]?.string?.count == 2 * 1366)
        let closing = try #require(lines.last)
        #expect(closing["tlvs"]?["fee_range"]?["max_fee_satoshis"]?.uint64 == 300)
    }

    @Test func malformedLinesAreReportedAndTheRestDecoded() throws {
        let input = """
            0012000a0004deadbeef
            not hex at all
            0012ffff
            # a comment

            00130000
            00840000
            """
        let result = try LNTraceBinary.run(["dump", "--input-format", "hex", "--format", "jsonl", "-"], stdin: Data(input.utf8))
        #expect(result.status == 2)
        let lines = try JSONValue.lines(result.stdout)
        let messages = lines.filter { $0["kind"]?.string == "message" }
        let diagnostics = lines.filter { $0["kind"]?.string == "diagnostic" }
        #expect(messages.map { $0["type"]?.string } == ["ping", "pong"])
        #expect(diagnostics.map { $0["line"]?.uint64 } == [2, 3, 7])
        #expect(diagnostics.map { $0["code"]?.string } == ["hex.malformed", "wire.malformed", "wire.malformed"])
        #expect(diagnostics[1]["message"]?.string?.contains("ping.byteslen") == true)
        #expect(diagnostics[2]["message"]?.string?.contains("commitment_signed.channel_id") == true)
        #expect(result.stderr.contains("-:2: error:"))
        #expect(result.stderr.contains("-:7: error:"))
    }

    @Test func jsonDocumentAndVerboseText() throws {
        let result = try LNTraceBinary.run(["dump", "--format", "json", "-"], stdin: Data("0012000a0004deadbeef\n".utf8))
        #expect(result.status == 0)
        let document = try JSONValue.parse(result.stdout)
        #expect(document["schema_version"]?.uint64 == 1)
        // The document names its tool and command, as check's and stats' do.
        #expect(document["tool"]?["name"]?.string == "lntrace")
        #expect(document["tool"]?["version"]?.string?.isEmpty == false)
        #expect(document["command"]?.string == "dump")
        #expect(document["messages"]?[0]?["fields"]?["ignored"]?.string == "deadbeef")
        #expect(document["diagnostics"]?.array?.isEmpty == true)

        let text = try LNTraceBinary.run(["dump", "-v", "-"], stdin: Data("0012000a0004deadbeef\n".utf8))
        #expect(text.stdout.contains("ping num_pong_bytes=10 byteslen=4 ignored=deadbeef"))
        #expect(text.stdout.contains("    num_pong_bytes: 10"))
    }

    @Test func unknownTypesAreKept() throws {
        let result = try LNTraceBinary.run(["dump", "--format", "jsonl", "-"], stdin: Data("8001abcd\n8000ff\n".utf8))
        #expect(result.status == 0)
        let lines = try JSONValue.lines(result.stdout).filter { $0["kind"]?.string == "message" }
        #expect(lines[0]["type_number"]?.uint64 == 32769)
        #expect(lines[0]["known"] == .bool(false))
        #expect(lines[0]["odd"] == .bool(true))
        #expect(lines[0]["fields"]?["payload"]?.string == "abcd")
        #expect(lines[1]["odd"] == .bool(false))
    }

    @Test func missingFileIsAnError() throws {
        let result = try LNTraceBinary.run(["dump", "no/such/file.hex"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("no/such/file.hex"))
    }
}
