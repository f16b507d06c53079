import Foundation
import TestSupport
import Testing

/// `check --sequence` (issue 15): inputs recorded one after another are one trace. A rule
/// that needs the previous connection (`re-nc-mismatch`, `re-raa-retransmit`,
/// `re-retransmit-order`) finds across a rotated log or a ring buffer's files what it finds in
/// the whole, wherever the files were cut; checked one by one, it cannot.
@Suite struct SequenceTests {
    static let rules = ["re-nc-mismatch", "re-raa-retransmit", "re-retransmit-order"]

    /// `check --format short` findings without their file and line (which the split moves).
    static func findings(_ arguments: [String]) throws -> [String] {
        let result = try LNTraceBinary.run(["check", "--format", "short"] + arguments)
        return result.stdout.split(separator: "\n").map { line in
            // `file:line: severity: rule: reason`: the location goes.
            String(line.split(separator: ":", maxSplits: 2).last ?? "")
        }
    }

    /// A pcap cut after `frames` records into two files (each with the global header).
    static func split(pcap path: String, after frames: Int, into first: String, _ second: String) throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let header = Array(bytes[0..<24])
        var records: [[UInt8]] = []
        var at = 24
        while at + 16 <= bytes.count {
            // Little-endian, as synth writes it: the captured length at offset 8.
            let length = Int(bytes[at + 8]) | Int(bytes[at + 9]) << 8 | Int(bytes[at + 10]) << 16 | Int(bytes[at + 11]) << 24
            records.append(Array(bytes[at..<(at + 16 + length)]))
            at += 16 + length
        }
        try Data(header + records.prefix(frames).joined()).write(to: URL(fileURLWithPath: first))
        try Data(header + records.dropFirst(frames).joined()).write(to: URL(fileURLWithPath: second))
    }

    static func frameCount(_ path: String) throws -> Int {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var count = 0
        var at = 24
        while at + 16 <= bytes.count {
            at += 16 + (Int(bytes[at + 8]) | Int(bytes[at + 9]) << 8 | Int(bytes[at + 10]) << 16 | Int(bytes[at + 11]) << 24)
            count += 1
        }
        return count
    }

    /// A ring buffer's two files: cut at every frame, even inside a connection's handshake or
    /// one of its frames, the sequence is the whole capture.
    @Test(arguments: rules)
    func aCaptureCutAnywhereIsCheckedAsTheWhole(_ rule: String) throws {
        let trace = try Synthesized(Fixtures.url("rules/\(rule).scenario"))
        defer { trace.remove() }
        let whole = try Self.findings(["--keylog", trace.keys, trace.capture])
        #expect(whole.count == 1 && whole.first?.contains(rule) == true, "\(whole)")
        let first = trace.directory.appendingPathComponent("a.pcap").path
        let second = trace.directory.appendingPathComponent("b.pcap").path
        let frames = try Self.frameCount(trace.capture)
        // The last frames only close the connection: a file of them alone holds no Lightning.
        for cut in 1..<(frames - 2) {
            try Self.split(pcap: trace.capture, after: cut, into: first, second)
            #expect(try Self.findings(["--sequence", "--keylog", trace.keys, first, second]) == whole, "cut after frame \(cut)")
        }
        // One file at a time, the earlier connection is missing.
        try Self.split(pcap: trace.capture, after: frames / 2, into: first, second)
        #expect(try Self.findings(["--keylog", trace.keys, first, second]).allSatisfy { !$0.contains(rule) })
    }

    /// A rotated log, cut at every line (between the two lines eclair writes per message too).
    @Test(arguments: rules)
    func aLogCutAnywhereIsCheckedAsTheWhole(_ rule: String) throws {
        let trace = try Synthesized(Fixtures.url("rules/\(rule).scenario"), logs: ["alice=eclair", "alice=lnd"])
        defer { trace.remove() }
        for style in ["alice=eclair", "alice=lnd"] {
            let log = trace.log(style)
            let whole = try Self.findings([log])
            #expect(whole.count == 1 && whole.first?.contains(rule) == true, "\(style): \(whole)")
            let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            let first = trace.directory.appendingPathComponent("a.log").path
            let second = trace.directory.appendingPathComponent("b.log").path
            // The last lines hold no message of their own once cut from the rest.
            for cut in 1..<(lines.count - 2) {
                try (lines[..<cut].joined(separator: "\n") + "\n").write(toFile: first, atomically: true, encoding: .utf8)
                try lines[cut...].joined(separator: "\n").write(toFile: second, atomically: true, encoding: .utf8)
                #expect(try Self.findings(["--sequence", first, second]) == whole, "\(style) cut after line \(cut)")
            }
        }
    }

    /// Valid lives with a reconnection, their retransmissions in the second of two traces:
    /// cut anywhere, `--sequence` reports nothing, and the retransmission rules are
    /// evaluated across the cut.
    @Test(arguments: [
        "lost-commitment-signed", "lost-revoke-and-ack", "lost-revocation-and-signing", "splice-signing-retransmitted",
        "splice-signatures-resent", "announcement-retransmitted",
    ])
    func aValidLifeInTwoTracesReportsNothing(_ life: String) throws {
        let trace = try Synthesized(Fixtures.url("rules/valid/\(life).scenario"))
        defer { trace.remove() }
        let first = trace.directory.appendingPathComponent("a.pcap").path
        let second = trace.directory.appendingPathComponent("b.pcap").path
        let frames = try Self.frameCount(trace.capture)
        for cut in stride(from: 1, to: frames - 2, by: 3) {
            try Self.split(pcap: trace.capture, after: cut, into: first, second)
            let result = try LNTraceBinary.run(["check", "--sequence", "--format", "jsonl", "--keylog", trace.keys, first, second])
            let records = try JSONValue.lines(result.stdout)
            #expect(result.status == 0, "\(life) cut after frame \(cut): \(result.stderr)")
            #expect(!records.contains { $0["kind"]?.string == "finding" }, "\(life) cut after frame \(cut)")
        }
    }

    /// The sequence is reported as one input, named by its files.
    @Test func theSequenceIsOneInput() throws {
        let trace = try Synthesized(Fixtures.url("rules/re-nc-mismatch.scenario"))
        defer { trace.remove() }
        let first = trace.directory.appendingPathComponent("a.pcap").path
        let second = trace.directory.appendingPathComponent("b.pcap").path
        try Self.split(pcap: trace.capture, after: 30, into: first, second)
        let result = try LNTraceBinary.run(["check", "--sequence", "--format", "jsonl", "--keylog", trace.keys, first, second])
        let records = try JSONValue.lines(result.stdout)
        let inputs = records.filter { $0["kind"]?.string == "input" }
        #expect(inputs.count == 1)
        #expect(inputs.first?["file"]?.string == "\(first) + \(second)")
        #expect(records.last?["inputs"]?.int64 == 2)
    }
}

/// Real log excerpts from issue threads (Fixtures/logs/real), each cut in two at three places:
/// read as one trace, the two parts give the findings of the whole.
@Suite struct RealSequenceTests {
    static let excerpts: [String] = {
        guard let walker = FileManager.default.enumerator(atPath: "Fixtures/logs/real") else { return [] }
        return walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".log") }.map { "Fixtures/logs/real/" + $0 }.sorted()
    }()

    @Test func theExcerptsAreFound() { #expect(Self.excerpts.count >= 100) }

    @Test(arguments: RealSequenceTests.excerpts)
    func aRealLogCutInTwoIsCheckedAsTheWhole(_ path: String) throws {
        let whole = try SequenceTests.findings([path])
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count > 4 else { return }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lntrace-sequence-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = directory.appendingPathComponent("a.log").path
        let second = directory.appendingPathComponent("b.log").path
        for cut in Set([lines.count / 4, lines.count / 2, 3 * lines.count / 4]) where cut > 0 {
            try (lines[..<cut].joined(separator: "\n") + "\n").write(toFile: first, atomically: true, encoding: .utf8)
            try lines[cut...].joined(separator: "\n").write(toFile: second, atomically: true, encoding: .utf8)
            // A part without a message of its own is an input error, but adds no finding.
            #expect(try SequenceTests.findings(["--sequence", first, second]) == whole, "\(path) cut after line \(cut)")
        }
    }
}
