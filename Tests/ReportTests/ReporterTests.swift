import Basics
import Foundation
@testable import Hazards
import Provenance
import Report
@testable import Rules
import Testing
@testable import Trace
import Wire

/// Each reporter on hand-built records: what it writes, parsed back (JSON) or read line by
/// line (text).
struct ReporterTests {
    @Test func eachFormatHasItsReporter() {
        let options = Sample.options()
        #expect(OutputFormat.text.reporter(.dump, options: options, out: Output(fd: -1)) is TextReporter)
        #expect(OutputFormat.json.reporter(.dump, options: options, out: Output(fd: -1)) is JSONDocumentReporter)
        #expect(OutputFormat.jsonl.reporter(.dump, options: options, out: Output(fd: -1)) is JSONLinesReporter)
        #expect(OutputFormat.text.reporter(.check, options: options, out: Output(fd: -1)).allowsProgress)
        #expect(!OutputFormat.json.reporter(.check, options: options, out: Output(fd: -1)).allowsProgress)
    }

    // MARK: dump

    /// A message and a diagnostic through `dump`'s writer in `format`.
    static func dump(_ format: OutputFormat, raw: Bool = false, text: String = Sample.nasty) throws -> Captured {
        try Captured.run { out, err in
            var options = Sample.options()
            options.raw = raw
            let writer = DumpWriter(format: format, options: options, out: out, err: err)
            writer.write(.message(Sample.message()))
            writer.write(.diagnostic(Sample.diagnostic))
            writer.write(.connection(Sample.connection(problem: text)))
            writer.finish()
            #expect(writer.messageCount == 1 && writer.diagnosticCount == 1 && writer.errorCount == 1)
        }
    }

    @Test func dumpDocumentNamesToolAndCommand() throws {
        let captured = try Self.dump(.json, raw: true)
        #expect(captured.out.hasSuffix("}\n"))
        let document = try captured.document()
        #expect(document["schema_version"] as? Int == 1)
        let tool = try #require(document["tool"] as? [String: Any])
        #expect(tool["name"] as? String == "lntrace" && tool["version"] as? String == "9.9.9")
        #expect(document["command"] as? String == "dump")
        let messages = try #require(document["messages"] as? [[String: Any]])
        #expect(messages.count == 1)
        #expect(messages[0]["type"] as? String == "ping" && messages[0]["type_number"] as? Int == 18)
        #expect((messages[0]["fields"] as? [String: Any])?["ignored"] as? String == "deadbeef")
        #expect(messages[0]["raw"] as? String == Hex.encode(Sample.ping))
        #expect(messages[0]["line"] as? Int == 1 && messages[0]["direction"] as? String == "out")
        let diagnostics = try #require(document["diagnostics"] as? [[String: Any]])
        #expect(diagnostics.first?["message"] as? String == Sample.nasty)
        #expect(diagnostics.first?["code"] as? String == "hex.malformed")
        let connections = try #require(document["connections"] as? [[String: Any]])
        #expect(connections.first?["initiator"] as? String == "10.0.0.1:49152")
        #expect(connections.first?["problems"] as? [String] == [Sample.nasty])
        #expect(document["message_count"] as? Int == 1 && document["diagnostic_count"] as? Int == 1)
        // Members in the order the README shows them.
        let order = ["schema_version", "tool", "command", "messages", "diagnostics", "connections", "logs", "diagnostic_count", "message_count"]
        let positions = order.map { captured.out.range(of: "\"\($0)\":")?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil } && positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
    }

    @Test func dumpJSONLinesWritesEachRecordWithItsKind() throws {
        let captured = try Self.dump(.jsonl)
        let records = try captured.records()
        #expect(records.map { $0["kind"] as? String } == ["message", "diagnostic", "connection"])
        #expect(records[1]["message"] as? String == Sample.nasty)
        #expect(captured.lines.allSatisfy { $0.hasPrefix("{\"kind\":") })
        // Escaped: no control character reaches a line.
        #expect(!captured.out.utf8.contains { ($0 < 0x20 && $0 != 0x0a) || $0 == 0x7f })
        #expect(captured.err.contains("lntrace: hand.hex:2: error: "))
    }

    @Test func dumpTextIsOneLinePerMessageThenConnections() throws {
        let captured = try Self.dump(.text, text: Sample.plain)
        #expect(
            captured.lines == [
                "hand.hex:1  #3  →  ping num_pong_bytes=10 byteslen=4 ignored=deadbeef",
                "",
                "Connections:",
                "  #3  10.0.0.1:49152 → 10.0.0.2:9735  frames 1-9  2023-11-14T22:13:20.500000000Z … 2023-11-14T22:13:20.500000000Z",
                "      out: 2 messages, 0 bytes; in: 0 messages, 0 bytes; decrypted",
                "      problem: \(Sample.plain)",
            ])
        #expect(captured.err.hasPrefix("lntrace: hand.hex:2: error: a \"quoted\""))
    }

    // MARK: check

    /// A finding, a hazard with its observation, and a diagnostic through `check`'s writer.
    static func check(_ format: OutputFormat, options: ReportOptions = Sample.options(), text: String = Sample.nasty) throws -> Captured {
        try Captured.run { out, err in
            let writer = CheckWriter(format: format, options: options, out: out, err: err)
            writer.beginInput()
            writer.write(.message(Sample.message(line: 4, index: 1)))
            writer.write(.connection(Sample.connection(problem: text)))
            writer.write(Sample.finding(reason: text))
            writer.write(Sample.hazard(reason: text))
            writer.write(Sample.observation(text: text))
            writer.write(Sample.diagnostic)
            writer.endInput("hand.hex", Sample.summary())
            writer.finish(rules: 1)
            #expect(writer.findingCount == 1 && writer.hazardCount == 1 && writer.errorCount == 1)
        }
    }

    @Test func checkDocument() throws {
        let document = try Self.check(.json).document()
        #expect(document["command"] as? String == "check")
        #expect((document["tool"] as? [String: Any])?["version"] as? String == "9.9.9")
        let finding = try #require((document["findings"] as? [[String: Any]])?.first)
        #expect(finding["rule"] as? String == "test-rule" && finding["title"] as? String == "A rule with a \"title\"")
        #expect(finding["reason"] as? String == Sample.nasty)
        #expect(finding["line"] as? Int == 5 && finding["index"] as? Int == 2)
        #expect(finding["compared"] as? String == "num_pong_bytes" && finding["expected_max"] as? Int == 8)
        #expect((finding["context"] as? [[String: Any]])?.map { $0["line"] as? Int } == [4])
        let hazard = try #require((document["hazards"] as? [[String: Any]])?.first)
        #expect(hazard["hazard"] as? String == "reorder" && hazard["seconds"] as? Double == 0.25)
        #expect((hazard["observed"] as? [[String: Any]])?.first?["text"] as? String == Sample.nasty)
        #expect((document["diagnostics"] as? [[String: Any]])?.count == 1)
        let input = try #require((document["inputs"] as? [[String: Any]])?.first)
        #expect(input["file"] as? String == "hand.hex" && input["messages"] as? Int == 2)
        #expect((input["connections"] as? [[String: Any]])?.first?["connection"] as? Int == 3)
        let summary = try #require(document["summary"] as? [String: Any])
        #expect(summary["findings"] as? Int == 1 && summary["roots"] as? Int == 1 && summary["errors"] as? Int == 1)
        #expect(summary["hazards"] as? Int == 1 && summary["diagnostic_errors"] as? Int == 1 && summary["connections"] as? Int == 1)
    }

    @Test func checkJSONLines() throws {
        let records = try Self.check(.jsonl).records()
        #expect(records.map { $0["kind"] as? String } == ["finding", "hazard", "observation", "diagnostic", "input", "summary"])
        #expect(records[0]["reason"] as? String == Sample.nasty)
        // Messages only when asked for.
        var options = Sample.options()
        options.messages = true
        let withMessages = try Self.check(.jsonl, options: options).records()
        #expect(withMessages.first?["kind"] as? String == "message")
    }

    @Test func checkText() throws {
        let captured = try Self.check(.text, text: "num_pong_bytes 10 is above 8")
        #expect(
            captured.lines == [
                "",
                "hand.hex  capture, 1 Lightning connection",
                "  connection #3  10.0.0.1:49152 → 10.0.0.2:9735, frames 1–9",
                "",
                "    line 5: error: test-rule: num_pong_bytes 10 is above 8 [#1]",
                "          message 1  → ping num_pong_bytes=10 byteslen=4 ignored=deadbeef",
                "        > message 2  → ping num_pong_bytes=10 byteslen=4 ignored=deadbeef",
                "          BOLT #1 §Test (lntrace explain test-rule)",
                "  connection #3  10.0.0.1:49152 → 10.0.0.2:9735, frames 1–9: decrypted",
                "    num_pong_bytes 10 is above 8",
                "",
                "  checked: 2 messages, 0 channels",
                "",
                "  hazards (lnd dispatch)",
                "",
                "    hand.hex:7: hazard: reorder: ping could be processed before ping (peer and link queues, 1",
                "        message, 250.0 ms apart)",
                "          message 3  → ping num_pong_bytes=10 byteslen=4 ignored=deadbeef",
                "        > message 4  → ping num_pong_bytes=10 byteslen=4 ignored=deadbeef",
                "          outcome: test-rule at ping (message 2): num_pong_bytes 10 is above 8",
                "          observed: bob.log:9: link-failed: num_pong_bytes 10 is above 8 (the failure this hazard",
                "            causes)",
                "",
                "Summary",
                "  inputs: 1, connections: 1, channels: 0, messages: 2",
                "  findings: 1 error, 0 warnings: 1 root cause, 0 follow-ons",
                "    rule       roots  follow-ons  severity",
                "    test-rule      1           0  error",
                "  hazards: 1 places where the profiled dispatch could process messages out of order",
                "  rules: 1 selected, 0 evaluated, 0 could not be evaluated, 1 did not apply",
                "  diagnostics: 1 (1 error) on standard error",
            ])
        // On standard error too, control characters are shown, not obeyed (the tab stays).
        #expect(
            captured.err
                == "lntrace: hand.hex:2: error: a \"quoted\" back\\slash, tab\tnewline\\x0anul\\x00 bell\\x07 del\\x7f café 💥 [hex.malformed]\n")
        // Quiet: the findings alone, each with its path.
        var options = Sample.options()
        options.style.quiet = true
        let quiet = try Self.check(.text, options: options, text: "num_pong_bytes 10 is above 8").lines
        #expect(quiet.prefix(2) == ["", "hand.hex:5: error: test-rule: num_pong_bytes 10 is above 8 [#1] [connection #3]"])
        #expect(!quiet.contains("Summary"))
    }

    @Test func checkTextFitsTheWidth() throws {
        let lines = try Self.check(.text, options: Sample.options(width: 40), text: Sample.plain).lines
        let head = try #require(lines.firstIndex { $0.hasPrefix("    line 5: error: test-rule:") })
        // The reason is broken at spaces and continues four columns further in.
        #expect(lines[head + 1].hasPrefix("        ") && !lines[head + 1].hasPrefix("         "))
        // Every line but the context lines, which are cut, not broken.
        for line in lines where !line.hasPrefix("      ") || line.hasPrefix("        >") {
            #expect(line.count <= 40, "\(line)")
        }
    }

    // MARK: stats and rules

    static func stats(_ format: OutputFormat) throws -> Captured {
        var stats = StatsCollector()
        stats.add(.message(Sample.message(time: Sample.time)))
        return try Captured.run { out, _ in
            let reporter = format.reporter(.stats, options: Sample.options(), out: out)
            reporter.write(stats, input: "hand.hex")
            reporter.finish(.stats)
        }
    }

    @Test func statsInEveryFormat() throws {
        let document = try Self.stats(.json).document()
        #expect(document["command"] as? String == "stats")
        let connection = try #require((document["connections"] as? [[String: Any]])?.first)
        #expect(connection["file"] as? String == "hand.hex" && connection["connection"] as? Int == 3)
        #expect(
            ((connection["types"] as? [String: Any])?["ping"] as? [String: Any]).flatMap { $0["messages"] as? [String: Int] } == ["out": 1, "in": 0])
        #expect(try Self.stats(.jsonl).records().map { $0["kind"] as? String } == ["connection"])
        #expect(
            try Self.stats(.text).lines == [
                "hand.hex",
                "  connection #3",
                "    1 messages (1 →, 0 ←), 10 bytes (10 →, 0 ←), 2023-11-14T22:13:20.500000000Z – 2023-11-14T22:13:20.500000000Z",
                "    connection-level messages: 1 messages (1 →, 0 ←), 10 bytes (10 →, 0 ←), 2023-11-14T22:13:20.500000000Z – 2023-11-14T22:13:20.500000000Z",
                "      type      →      ←      bytes",
                "      ping      1      0         10",
            ])
    }

    @Test func rulesDocumentListsTheCatalog() throws {
        let rules = Array(Catalog.rules.prefix(2))
        let captured = try Captured.run { out, _ in
            let reporter = OutputFormat.json.reporter(.rules, options: Sample.options(), out: out)
            reporter.write(rules)
            reporter.finish(.rules)
        }
        let document = try captured.document()
        #expect(document["command"] == nil)
        #expect((document["rules"] as? [[String: Any]])?.map { $0["id"] as? String } == rules.map(\.info.id))
    }
}

/// The records themselves: `kind` first in JSON Lines, the same members in a document.
struct RecordTests {
    static func json(_ record: some JSONRecord, kind: Bool) -> String {
        var json = JSONWriter()
        record.writeJSON(into: &json, kind: kind)
        return String(decoding: json.bytes, as: UTF8.self)
    }

    @Test func kindComesFirstAndOnlyInJSONLines() {
        let records: [(any JSONRecord, String)] = [
            (Sample.finding(), "finding"), (Sample.diagnostic, "diagnostic"), (MessageRecord(Sample.message()), "message"),
            (Sample.connection(), "connection"), (HazardRecord(Sample.hazard()), "hazard"), (Sample.observation(), "observation"),
            (InputReport(path: "x", summary: Sample.summary()), "input"), (CheckTotals(), "summary"),
        ]
        for (record, kind) in records {
            let line = Self.json(record, kind: true), element = Self.json(record, kind: false)
            #expect(line.hasPrefix("{\"kind\":\"\(kind)\","))
            #expect("{" + line.dropFirst("{\"kind\":\"\(kind)\",".count) == element)
        }
    }

    @Test func diagnosticEscapesEverything() throws {
        let text = Self.json(Sample.diagnostic, kind: false)
        #expect(
            text
                == #"{"severity":"error","code":"hex.malformed","message":"a \"quoted\" back\\slash, tab\tnewline\nnul\u0000 bell\u0007 del\u007f café 💥","file":"hand.hex","line":2}"#
        )
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["message"] as? String == Sample.nasty)
    }

    @Test func summaryCountsRoots() {
        var totals = CheckTotals()
        totals.findings = 5
        totals.followOns = 2
        #expect(Self.json(totals, kind: false).contains(#""findings":5,"roots":3,"follow_ons":2"#))
    }
}
