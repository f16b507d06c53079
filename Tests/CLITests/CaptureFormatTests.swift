import Foundation
import TestSupport
import Testing

/// Every capture-file variant decodes to the same messages: pcap in both byte orders and
/// both timestamp resolutions, pcapng with several interfaces and sections, and any of them
/// on standard input.
@Suite(.serialized)
struct CaptureFormatTests {
    static let source = "captures/synth/channel-life"

    static func write(_ bytes: [UInt8], _ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lntrace-\(getpid())-\(name)")
        try Data(bytes).write(to: url)
        return url
    }

    static func expectSameMessages(_ path: String, stdin: Data? = nil, file: String) throws -> [JSONValue] {
        let expected = try SynthTests.expected("channel-life")
        let arguments = ["dump", "--raw", "--format", "jsonl", "--keylog", "Fixtures/\(source).keys", path]
        let result = try LNTraceBinary.run(arguments, stdin: stdin ?? Data())
        #expect(result.status == 0, "\(file): \(result.stderr)")
        let lines = try JSONValue.lines(result.stdout)
        var got: [SynthTests.Key: [String]] = [:]
        for message in lines where message["kind"]?.string == "message" {
            got[SynthTests.Key(port: 9735, direction: message["direction"]?.string ?? ""), default: []]
                .append(sha256Hex([UInt8](hexString: message["raw"]?.string ?? "") ?? []))
        }
        #expect(got == expected, "\(file)")
        return lines.filter { $0["kind"]?.string == "message" }
    }

    static func original() throws -> PcapRewriter {
        try #require(PcapRewriter([UInt8](try Fixtures.data("\(source).pcap"))))
    }

    @Test(arguments: [(false, true), (true, true), (false, false), (true, false)])
    func pcapVariants(_ variant: (bigEndian: Bool, nanosecond: Bool)) throws {
        let rewriter = try Self.original()
        #expect(rewriter.nanosecond)
        let url = try Self.write(rewriter.pcap(bigEndian: variant.bigEndian, nanosecond: variant.nanosecond), "variant.pcap")
        defer { try? FileManager.default.removeItem(at: url) }
        let messages = try Self.expectSameMessages(url.path, file: "pcap \(variant)")
        // The scenario's clock ticks in whole microseconds, so every variant gives the same times.
        let original = try Self.expectSameMessages("Fixtures/\(Self.source).pcap", file: "pcap")
        #expect(messages.map { $0["time"] } == original.map { $0["time"] })
        #expect(messages.map { $0["frames"] } == original.map { $0["frames"] })
    }

    @Test(arguments: [(1, 1), (1, 3), (2, 2), (3, 1)])
    func pcapngWithInterfacesAndSections(_ layout: (sections: Int, interfaces: Int)) throws {
        let rewriter = try Self.original()
        let url = try Self.write(rewriter.pcapng(sections: layout.sections, interfaces: layout.interfaces), "layout.pcapng")
        defer { try? FileManager.default.removeItem(at: url) }
        let messages = try Self.expectSameMessages(url.path, file: "pcapng \(layout)")
        // Frame numbers count every packet of every section and interface, from 1.
        let original = try Self.expectSameMessages("Fixtures/\(Self.source).pcap", file: "pcap")
        #expect(messages.map { $0["frames"] } == original.map { $0["frames"] })
        #expect(messages.map { $0["time"] } == original.map { $0["time"] })
    }

    @Test func bigEndianPcapngAndStandardInput() throws {
        let rewriter = try Self.original()
        let bytes = rewriter.pcapng(sections: 2, interfaces: 2, bigEndian: true)
        _ = try Self.expectSameMessages("-", stdin: Data(bytes), file: "pcapng on stdin")
        _ = try Self.expectSameMessages("-", stdin: try Fixtures.data("\(Self.source).pcap"), file: "pcap on stdin")
    }
}
