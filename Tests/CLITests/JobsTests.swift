import Foundation
import TestSupport
import Testing

/// `--jobs N` (issue 14): signatures and other libsecp256k1 work verified on other cores,
/// while messages are checked in order. The report must be byte for byte the one a single
/// job writes, on every bundled capture: clean ones, and ones whose signatures fail (where
/// the messages checked ahead are checked again).
@Suite struct JobsTests {
    /// Every bundled capture, with the key log beside it.
    static let captures: [(capture: String, keys: String?)] = {
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: "Fixtures") else { return [] }
        var out: [(String, String?)] = []
        for case let path as String in walker where path.hasSuffix(".pcap") || path.hasSuffix(".pcapng") {
            let full = "Fixtures/" + path
            let dir = (full as NSString).deletingLastPathComponent
            let stem = (full as NSString).deletingPathExtension
            let keys = [stem + ".keys", dir + "/keys.log"].first { fm.fileExists(atPath: $0) }
            out.append((full, keys))
        }
        return out.sorted { $0.0 < $1.0 }
    }()

    @Test func everyBundledCaptureIsFound() {
        #expect(Self.captures.count >= 20)
        #expect(Self.captures.contains { $0.capture.hasSuffix("pyln-channels/channels.pcap") && $0.keys != nil })
    }

    /// Node logs too: with more than one job they are read and parsed on a thread of their own.
    static let logs = [
        "Fixtures/logs/channel-life/alice-lnd.log", "Fixtures/logs/channel-life/alice-eclair.log",
        "Fixtures/logs/channel-life/alice-cln-io.log", "Fixtures/logs/channel-life/alice-ldk.log",
    ]

    @Test(arguments: JobsTests.captures.map(\.capture) + JobsTests.logs)
    func oneJobAndManyWriteTheSameReport(_ capture: String) throws {
        let keys = Self.captures.first { $0.capture == capture }?.keys
        let common = (keys.map { ["--keylog", $0] } ?? []) + [capture]
        for format in ["jsonl", "text"] {
            let one = try LNTraceBinary.run(["check", "--format", format, "--jobs", "1"] + common)
            let many = try LNTraceBinary.run(["check", "--format", format, "--jobs", "3"] + common)
            #expect(one.status == many.status, "\(capture) \(format)")
            #expect(one.stdout == many.stdout, "\(capture) \(format)")
            #expect(one.stderr == many.stderr, "\(capture) \(format)")
        }
    }

    /// `dump` formats its lines (text, with `-v`, and JSON Lines) on the other cores, and
    /// `dump` and `stats` read on a thread of their own: the same bytes, on every bundled
    /// capture and on node logs.
    @Test(arguments: JobsTests.captures.map(\.capture) + JobsTests.logs)
    func dumpAndStatsWriteTheSameWithManyJobs(_ input: String) throws {
        let keys = Self.captures.first { $0.capture == input }?.keys
        for format in [["dump", "--format", "jsonl"], ["dump", "--format", "text", "-v"], ["stats", "--format", "json"]] {
            let common = format + (keys.map { ["--keylog", $0] } ?? []) + [input]
            let one = try LNTraceBinary.run(common + ["--jobs", "1"])
            let many = try LNTraceBinary.run(common + ["--jobs", "3"])
            #expect(one.status == many.status, "\(input) \(format)")
            #expect(one.stdout == many.stdout, "\(input) \(format)")
            #expect(one.stderr == many.stderr, "\(input) \(format)")
        }
    }

    /// The captures above include failing signatures: the path that checks again is taken.
    @Test func failingSignaturesAreReportedTheSameWithManyJobs() throws {
        let dir = "Fixtures/captures/pyln-channels"
        let result = try LNTraceBinary.run(["check", "--format", "jsonl", "--jobs", "4", "--keylog", "\(dir)/keys.log", "\(dir)/channels.pcap"])
        let rules = try JSONValue.lines(result.stdout).filter { $0["kind"]?.string == "finding" }.compactMap { $0["rule"]?.string }
        #expect(rules.contains("commit-sig-valid"))
        #expect(rules.contains("raa-secret"))
    }

    @Test func jobsMustBeOneOrMore() throws {
        let result = try LNTraceBinary.run(["check", "--jobs", "0", "Fixtures/captures/synth/midstream.pcap"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--jobs takes a number of cores, 1 or more"))
    }
}
