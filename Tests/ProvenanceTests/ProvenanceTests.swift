import Foundation
import Provenance
import Testing

/// Where evidence came from: locations print as compilers print them, times as RFC 3339.
@Suite struct SourceLocationTests {
    @Test func locationsPrintAsLintersDo() {
        #expect(SourceLocation(file: "lnd.log", line: 12).description == "lnd.log:12")
        #expect(SourceLocation(file: "c.pcap", frames: [54]).description == "c.pcap:54")
        #expect(SourceLocation(file: "c.pcap", frames: [54, 55, 56]).description == "c.pcap:54-56")
        #expect(SourceLocation(file: "-").description == "-")
        #expect(SourceLocation(file: "c.pcap", frames: [54, 56]).place == "frames 54-56")
        #expect(SourceLocation(file: "lnd.log", line: 3).place == "line 3")
        #expect(Direction.out.reversed == .in && Direction.in.reversed == .out)
    }
}

@Suite struct TimestampTests {
    @Test func printsRFC3339InUTCWithNanoseconds() {
        #expect(Timestamp(seconds: 0).description == "1970-01-01T00:00:00.000000000Z")
        #expect(Timestamp(seconds: 1_705_570_200, nanoseconds: 123_456_789).description == "2024-01-18T09:30:00.123456789Z")
        // A leap day, and a time before the epoch.
        #expect(Timestamp(seconds: 951_782_400).description == "2000-02-29T00:00:00.000000000Z")
        #expect(Timestamp(seconds: -1).description == "1969-12-31T23:59:59.000000000Z")
    }

    @Test func hostileNanosecondsAreCarriedAndSaturate() {
        let carried = Timestamp(seconds: 10, nanosecondsCarried: 2_500_000_000)
        #expect(carried.seconds == 12 && carried.nanoseconds == 500_000_000)
        let negative = Timestamp(seconds: 10, nanosecondsCarried: -1)
        #expect(negative.seconds == 9 && negative.nanoseconds == 999_999_999)
        let saturated = Timestamp(seconds: .max, nanosecondsCarried: 5_000_000_000)
        #expect(saturated.seconds == .max)
        // Far-apart hostile times still subtract without trapping.
        let gap = Timestamp(seconds: .max).seconds(since: Timestamp(seconds: .min))
        #expect(gap > 1e18)
        #expect(Timestamp(seconds: 5, nanoseconds: 1) > Timestamp(seconds: 5))
    }
}

/// Byte sources: what the readers see is exactly the input, in any read size.
@Suite struct ByteSourceTests {
    static func drain(_ source: ByteSource, chunk: Int) throws -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: chunk)
        while true {
            let n = try source.read(into: &buffer, from: 0)
            if n == 0 { return out }
            out += buffer[0..<n]
        }
    }

    @Test func prefixedSourceReturnsThePeekedBytesThenTheRest() throws {
        let bytes = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let memory = MemorySource(bytes)
        let peeked = try InputFile.peek(memory, limit: 100) { $0.count >= 10 }
        #expect(peeked.count >= 10 && peeked == Array(bytes.prefix(peeked.count)))
        for chunk in [1, 7, 4096] {
            let again = MemorySource(bytes)
            let head = try InputFile.peek(again, limit: 64) { _ in false }
            #expect(try Self.drain(PrefixedSource(prefix: head, rest: again), chunk: chunk) == bytes)
        }
    }

    /// Two concatenated gzip members (as `cat a.gz b.gz` makes) read as one stream; a cut
    /// member is an error, not a silent end.
    @Test func gzipMembersConcatenateAndATruncatedOneIsAnError() throws {
        let first = Array("first member\n".utf8), second = Array("second member\n".utf8)
        let gz = try Self.gzip(first) + Self.gzip(second)
        #expect(GzipSource.isGzip(gz) && !GzipSource.isGzip(first))
        let source = try #require(GzipSource(MemorySource(gz)))
        #expect(try Self.drain(source, chunk: 5) == first + second)
        let cut = try #require(GzipSource(MemorySource(Array(gz.prefix(gz.count - 12)))))
        #expect(throws: ReadError.self) { try Self.drain(cut, chunk: 64) }
    }

    /// gzip(1) from the system, so the test does not trust our own encoder.
    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-c"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(bytes))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Array(data)
    }
}
