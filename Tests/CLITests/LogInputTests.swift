import Foundation
import TestSupport
import Testing

/// `lntrace dump` on node logs: the same channel life as the bundled capture, written by
/// `lntrace synth --log` in each implementation's format (`Fixtures/logs/channel-life/`).
@Suite(.serialized)
struct LogInputTests {
    static let dir = "Fixtures/logs/channel-life"

    static func messages(_ arguments: [String], stdin: Data = Data()) throws -> (messages: [JSONValue], lines: [JSONValue], status: Int32) {
        let result = try LNTraceBinary.run(["dump", "--format", "jsonl"] + arguments, stdin: stdin)
        let lines = try JSONValue.lines(result.stdout)
        return (lines.filter { $0["kind"]?.string == "message" }, lines, result.status)
    }

    /// The capture's messages of the channel life, as alice sees them: `out` is sent by alice.
    static func captured() throws -> [JSONValue] {
        try messages(["--keylog", "\(dir)/channel-life.keys", "\(dir)/channel-life.pcap"]).messages
    }

    @Test(arguments: ["lnd", "cln-io", "eclair", "ldk"])
    func everyFieldALogGivesMatchesTheCapture(_ style: String) throws {
        let capture = try Self.captured()
        let (log, lines, status) = try Self.messages(["\(Self.dir)/alice-\(style).log"])
        #expect(status == 0)
        #expect(log.count == capture.count, "\(style)")
        for (got, want) in zip(log, capture) {
            #expect(got["type"] == want["type"], "\(style) line \(got["line"]?.uint64 ?? 0)")
            #expect(got["direction"] == want["direction"])
            // Every field the line gives has the captured value; the rest are unknown, not zero.
            for (name, value) in got["fields"]?.object ?? [:] {
                #expect(value == want["fields"]?[name], "\(style) \(got["type"]?.string ?? "") \(name)")
            }
            #expect(got["peer"]?.string?.count == 66)
        }
        let streams = try #require(lines.first { $0["kind"]?.string == "streams" })
        #expect(streams["format"]?.string == (style == "cln-io" ? "cln" : style))
        #expect(streams["skipped_lines"]?.uint64 == 0)
        // Per peer and channel: connection-level messages (init) and the channel's.
        #expect((streams["streams"]?.array?.count ?? 0) >= 2)
    }

    @Test func anLndLogGivesTheCapturesPerChannelSequence() throws {
        let capture = try Self.captured()
        let (log, _, _) = try Self.messages(["\(Self.dir)/alice-lnd.log"])
        let channel = try #require(capture.first { $0["type"]?.string == "funding_signed" }?["fields"]?["channel_id"])
        func sequence(_ messages: [JSONValue]) -> [String] {
            messages.filter { $0["channel"] == channel }.map { m in
                let f = m["fields"]
                return [
                    m["type"]?.string, m["direction"]?.string, f?["id"]?.description, f?["amount_msat"]?.description,
                    f?["payment_hash"]?.string, f?["payment_preimage"]?.string,
                ].map { $0 ?? "-" }.joined(separator: " ")
            }
        }
        #expect(sequence(log).count >= 30)
        #expect(sequence(log) == sequence(capture))
        // Fields lnd's summaries do not carry stay unknown.
        let commit = try #require(log.first { $0["type"]?.string == "commitment_signed" })
        #expect(commit["fields"]?["signature"] == nil)
        #expect(commit["partial"] == .bool(true))
    }

    @Test func aClnIOLogDecodesEveryMessageCompletely() throws {
        let capture = try Self.messages(["--raw", "--keylog", "\(Self.dir)/channel-life.keys", "\(Self.dir)/channel-life.pcap"]).messages
        let (log, _, _) = try Self.messages(["--raw", "\(Self.dir)/alice-cln-io.log"])
        #expect(log.count == capture.count)
        #expect(log.allSatisfy { $0["partial"] == nil && $0["raw"] != nil })
        #expect(log.map { $0["raw"] } == capture.map { $0["raw"] })
        // The debug-level log names the same messages, without fields.
        let (short, _, _) = try Self.messages(["\(Self.dir)/alice-cln.log"])
        #expect(short.map { $0["type"] } == log.map { $0["type"] })
        #expect(short.allSatisfy { $0["fields"]?.object?.isEmpty == true })
    }

    @Test func bothEndsLogsAtOnceKeepTheirOwnOrder() throws {
        // Read apart (joined, each message is listed once: JoinTests).
        let (messages, lines, _) = try Self.messages(["--no-join", "\(Self.dir)/alice-lnd.log", "\(Self.dir)/bob-lnd.log"])
        let alice = messages.filter { $0["file"]?.string?.hasSuffix("alice-lnd.log") == true }
        let bob = messages.filter { $0["file"]?.string?.hasSuffix("bob-lnd.log") == true }
        #expect(alice.count == bob.count)
        #expect(alice.map { $0["type"] } == bob.map { $0["type"] })
        // What alice sends, bob receives.
        #expect(alice.map { $0["direction"]?.string } == bob.map { $0["direction"]?.string == "out" ? "in" : "out" })
        #expect(alice.map { $0["line"]?.uint64 ?? 0 } == alice.map { $0["line"]?.uint64 ?? 0 }.sorted())
        #expect(lines.filter { $0["kind"]?.string == "streams" }.count == 2)
    }

    @Test func gzipRotatedLogsAreReadDirectly() throws {
        let log = try Fixtures.data("logs/channel-life/alice-lnd.log")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lntrace-gz-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try log.write(to: dir.appendingPathComponent("lnd.log.3"))
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-f", dir.appendingPathComponent("lnd.log.3").path]
        try gzip.run()
        gzip.waitUntilExit()
        let plain = try Self.messages(["\(Self.dir)/alice-lnd.log"]).messages
        let zipped = try Self.messages([dir.appendingPathComponent("lnd.log.3.gz").path]).messages
        #expect(zipped.count == plain.count)
        #expect(zipped.map { $0["fields"] } == plain.map { $0["fields"] })
    }

    @Test func malformedAndBinaryLinesAreDiagnosedNotFatal() throws {
        var input = Data()
        input.append(
            Data(
                "2024-01-01T00:00:00.000Z 03864ef025fde8fb587d989186ce6a4a186895ee44a926bfc370e2c366597a3f8f-channeld-chan#1: [IN] 0012000a0004deadbeef\n"
                    .utf8))
        input.append(Data((0..<500).map { UInt8(truncatingIfNeeded: $0 &* 37) }))
        input.append(Data("\n".utf8))
        // The binary junk holds newlines of its own: the malformed line is the next one.
        let malformedLine = input.filter { $0 == UInt8(ascii: "\n") }.count + 1
        input.append(
            Data("2024-01-01T00:00:01.000Z 03864ef025fde8fb587d989186ce6a4a186895ee44a926bfc370e2c366597a3f8f-channeld-chan#1: [OUT] 00130\n".utf8))
        input.append(
            Data("2024-01-01T00:00:02.000Z 03864ef025fde8fb587d989186ce6a4a186895ee44a926bfc370e2c366597a3f8f-channeld-chan#1: [OUT] 00130000\n".utf8)
        )
        let result = try LNTraceBinary.run(["dump", "--format", "jsonl", "-"], stdin: input)
        let lines = try JSONValue.lines(result.stdout)
        #expect(result.status == 2)
        #expect(lines.filter { $0["kind"]?.string == "message" }.map { $0["type"]?.string } == ["ping", "pong"])
        let diagnostic = try #require(lines.first { $0["kind"]?.string == "diagnostic" })
        #expect(diagnostic["line"]?.uint64 == UInt64(malformedLine))
        #expect(malformedLine > 3)
    }

    @Test func streamingInputIsReportedAsItArrives() throws {
        guard let binary = LNTraceBinary.url else { throw FixtureError.missing("lntrace") }
        let process = Process()
        process.executableURL = binary
        process.arguments = ["dump", "--format", "jsonl", "-"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let lines = try String(contentsOf: Fixtures.url("logs/channel-life/alice-lnd.log"), encoding: .utf8).split(separator: "\n")
        let reader = output.fileHandleForReading
        var seen = 0
        for line in lines.prefix(3) {
            input.fileHandleForWriting.write(Data((line + "\n").utf8))
            // The message must come out while the writer keeps the pipe open.
            var received = Data()
            let deadline = Date().addingTimeInterval(10)
            while !received.contains(UInt8(ascii: "\n")) && Date() < deadline {
                received.append(reader.availableData)
            }
            let event = try JSONValue.parse(String(decoding: received.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self))
            #expect(event["kind"]?.string == "message")
            #expect(event["line"]?.uint64 == UInt64(seen + 1))
            seen += 1
        }
        try input.fileHandleForWriting.close()
        process.waitUntilExit()
        #expect(seen == 3)
        #expect(process.terminationStatus == 0)
    }
}
