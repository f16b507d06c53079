import Foundation
import Glibc
import Provenance
import Capture
@testable import FuzzHarness
import TestSupport
import Trace
import Testing

/// Every input in `Fixtures/hostile/TARGET/` (what a fuzzer or a user once crashed, hung or
/// exhausted lntrace with, and hand-made hostile cases) goes through its target's harness
/// again: it must end, without a trap.
@Suite(.serialized)
struct HostileTests {
    static let root = Fixtures.url("hostile")

    static var cases: [String] {
        var out: [String] = []
        for target in Harness.targets.keys.sorted() {
            let folder = root.appendingPathComponent(target)
            let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
            out += files.filter { !$0.hasPrefix(".") && $0 != "README.md" }.sorted().map { "\(target)/\($0)" }
        }
        return out
    }

    @Test(arguments: HostileTests.cases)
    func replays(_ name: String) throws {
        _ = FileManager.default.changeCurrentDirectoryPath(Fixtures.root.path)
        let target = String(name.prefix { $0 != "/" })
        let run = try #require(Harness.targets[target])
        let bytes = [UInt8](try Data(contentsOf: Self.root.appendingPathComponent(name)))
        run(bytes)
    }

    @Test func everyTargetHasARegressionCorpus() {
        for target in Harness.targets.keys {
            #expect(Self.cases.contains { $0.hasPrefix(target + "/") }, "\(target)")
        }
    }
}

/// The bounds of issue 12, through the command a user runs.
@Suite(.serialized)
struct BoundsTests {
    /// The trap of issue 12: a nanosecond pcap record whose fraction field does not fit
    /// `Int32` (libpcap hands it on as read). The fraction is carried into the seconds.
    @Test func aPcapFractionOverInt32IsCarriedIntoTheSeconds() throws {
        let reader = try PcapReader(path: Fixtures.url("hostile/input/pcap-fraction-over-int32.pcap").path)
        let first = try #require(reader.next()), second = try #require(reader.next())
        // libpcap hands the fields 0xffffffff and 0x80000000 on as signed (-1 ns and
        // -2,147,483,648 ns): 1 s - 1 ns, and 2 s - 2.147483648 s.
        #expect(first.time == Timestamp(seconds: 0, nanoseconds: 999_999_999))
        #expect(second.time == Timestamp(seconds: -1, nanoseconds: 852_516_352))
        #expect(reader.next() == nil)
    }

    /// Every hostile input file, checked as a user would: it ends with a result or an error
    /// (never a signal), `--format jsonl` gives only JSON objects, and the run stays under
    /// 256 MB (measured for each run alone).
    @Test func everyHostileFileEndsInBoundsThroughTheCLI() throws {
        var files: [String] = []
        for folder in ["input", "logs"] {
            let path = Fixtures.url("hostile/\(folder)").path
            files += try FileManager.default.contentsOfDirectory(atPath: path).sorted().map { "\(path)/\($0)" }
        }
        #expect(files.count >= 20)
        for file in files {
            let run = try LNTraceBinary.measured(["check", "--format", "jsonl", file])
            #expect([0, 1, 2].contains(run.status), "\(file): exit \(run.status)")
            #expect(run.peakKB <= 256 * 1024, "\(file): \(run.peakKB / 1024) MB")
            for line in String(decoding: run.stdout, as: UTF8.self).split(separator: "\n") {
                guard case .object = try JSONValue.parse(String(line)) else {
                    Issue.record("\(file): not a JSON object: \(line.prefix(120))")
                    break
                }
            }
        }
    }

    /// 30,000 channels (15,000 opened, then updates of 15,000 never opened): the engine
    /// keeps 10,000 channel models live and lists 10,000 channels, says so, and still reads
    /// every message (each unknown `channel_id` once scanned every channel: quadratic).
    @Test func manyChannelsAreDroppedAndCountedNotHeld() throws {
        let file = Fixtures.url("hostile/bounds/hex-30k-channels.hex.gz").path
        let run = try LNTraceBinary.measured(["check", "--format", "jsonl", file])
        #expect(run.status == 2)  // the dropped models make the result incomplete
        #expect(run.peakKB <= 256 * 1024, "\(run.peakKB / 1024) MB")
        var input: [String: JSONValue]?, summary: [String: JSONValue]?, limit: [String: JSONValue]?
        for line in String(decoding: run.stdout, as: UTF8.self).split(separator: "\n") {
            guard case let .object(object) = try JSONValue.parse(String(line)) else {
                Issue.record("not a JSON object: \(line.prefix(120))")
                continue
            }
            switch object["kind"]?.string {
            case "input": input = object
            case "summary": summary = object
            case "diagnostic" where object["code"]?.string == "check.channel-limit": limit = object
            default: break
            }
        }
        let record = try #require(input)
        #expect(record["messages"]?.int64 == 30_000)
        if case let .array(channels)? = record["channels"] { #expect(channels.count == 10_000) } else { Issue.record("no channels") }
        #expect(record["channels_omitted"]?.int64 == 20_000)
        if case let .object(omitted)? = record["omitted_channels"] {
            #expect(omitted["messages"]?.int64 == 20_000)
        } else {
            Issue.record("no omitted_channels")
        }
        #expect(summary?["channels"]?.int64 == 30_000)
        #expect(limit?["message"]?.string?.contains("least recently active channels were dropped") == true)
    }

    /// The same input gives the same bytes, run after run, in every format.
    @Test(arguments: [
        ["check", "--keylog", "Fixtures/captures/pyln-cascade/keys.log", "Fixtures/captures/pyln-cascade/cascade.pcapng"],
        ["check", "Fixtures/logs/channel-life/alice-lnd.log"],
        ["dump", "--keylog", "Fixtures/captures/pyln-cascade/keys.log", "Fixtures/captures/pyln-cascade/cascade.pcap"],
        ["stats", "Fixtures/logs/channel-life/alice-cln-io.log"],
    ])
    func sameInputSameBytes(_ arguments: [String]) throws {
        for format in ["text", "json", "jsonl"] {
            let first = try LNTraceBinary.run(arguments + ["--format", format])
            let second = try LNTraceBinary.run(arguments + ["--format", format])
            #expect(!first.stdout.isEmpty)
            #expect(first.stdout == second.stdout, "\(arguments) \(format)")
            #expect(first.stderr == second.stderr, "\(arguments) \(format)")
            #expect(first.status == second.status)
        }
    }

    /// The key check every CLI test runs finds a key however it is written.
    @Test func theKeyCheckFindsAKeyInAnyCase() throws {
        #expect(KeyMaterial.secrets.count >= 20)
        let secret = try #require(KeyMaterial.secrets.sorted().first)
        #expect(KeyMaterial.leaked(in: Array("key=\(secret.uppercased()).".utf8)) == [secret])
        #expect(KeyMaterial.leaked(in: Array("00\(secret)ff".utf8)) == [secret])
        #expect(KeyMaterial.leaked(in: Array(String(secret.dropLast()).utf8)).isEmpty)
        // A dump of decrypted messages, in hex, with its key log: no key comes out.
        let run = try LNTraceBinary.run([
            "dump", "--raw", "-v", "--keylog", "Fixtures/captures/pyln-channels/keys.log",
            "Fixtures/captures/pyln-channels/channels.pcap",
        ])
        #expect(run.status == 0, "\(run.stderr)")
    }
}

/// What fuzzers found, beyond replaying the file.
@Suite(.serialized)
struct FuzzFindingTests {
    /// The `input` fuzz target, campaign 1: libpcap gave up on a capture read through a pipe (gzip,
    /// standard input) while the thread feeding the pipe still had megabytes to write; its
    /// next write raised SIGPIPE and killed the process (exit 141). The feeder now gets
    /// EPIPE and stops.
    @Test func libpcapStoppingEarlyDoesNotKillTheProcess() throws {
        _ = FileManager.default.changeCurrentDirectoryPath(Fixtures.root.path)
        let bytes = [UInt8](try Fixtures.data("hostile/input/pcap-rejected-before-an-8mb-tail.pcap.gz"))
        for _ in 0..<3 {
            Harness.input(bytes)
            usleep(200_000)  // the feeder thread's next write happens in here
        }
        let run = try LNTraceBinary.run(["check", "Fixtures/hostile/input/pcap-rejected-before-an-8mb-tail.pcap.gz"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("[capture.truncated]"))
    }
}

/// `--jobs N`'s checking ahead, on captures lntrace did not make (pyln-proto peers, BOLT #3
/// signatures from an independent model, some made invalid on purpose): with the rules'
/// costly parts handed off, the engine reports exactly what it reports running them in
/// line, and a verdict that fails is one the in-line engine reports.
struct OffloadTests {
    @Test(arguments: ["pyln-channels/channels.pcap", "pyln-cascade/cascade.pcap", "synth/channel-life.pcap"])
    func handingWorkOffChangesNoFinding(_ capture: String) throws {
        let dir = Fixtures.url("captures").appendingPathComponent(capture).deletingLastPathComponent().path
        let keys = [dir + "/keys.log", Fixtures.url("captures").appendingPathComponent(capture).deletingPathExtension().path + ".keys"]
            .filter { FileManager.default.fileExists(atPath: $0) }
        let (keyLog, problems) = KeyLogLoader.load(files: keys, lines: [])
        #expect(problems.isEmpty && !keys.isEmpty)
        var events: [MessageEvent] = []
        let reader = InputReader(path: Fixtures.url("captures").appendingPathComponent(capture).path, captureOptions: CaptureOptions(keyLog: keyLog))
        try reader.read(emit: { if case let .message(message) = $0 { events.append(message) } })
        #expect(events.count > 30)
        let (passed, failed) = Harness.offloaded(events)
        #expect(passed > 20, "\(capture): the signatures were verified off the ordered path")
        if capture.hasPrefix("pyln-channels") { #expect(failed > 0, "the injected bad signatures fail") }
    }
}
