import Foundation
import TestSupport
import Testing

/// `lntrace dump` on captures made by an independent implementation (pyln-proto over real
/// kernel TCP on loopback, recorded by dumpcap; `Scripts/fixtures/pyln_loopback_capture.py`):
/// three interleaved connections, 1300 messages per direction on one (two key rotations),
/// 60 KB messages over many segments, several messages per segment.
@Suite(.serialized)
struct CaptureTests {
    static let dir = "Fixtures/captures/pyln-loopback"

    struct Sent: Hashable {
        var port: Int
        var direction: String
    }

    /// Per connection port and direction, the SHA-256 of every message sent, in order.
    static func expected() throws -> [Sent: [String]] {
        let lines = try JSONValue.lines(String(decoding: try Fixtures.data("captures/pyln-loopback/expected.jsonl"), as: UTF8.self))
        var out: [Sent: [String]] = [:]
        for line in lines {
            let key = Sent(port: Int(line["port"]?.uint64 ?? 0), direction: line["direction"]?.string ?? "")
            out[key, default: []].append(line["sha256"]?.string ?? "")
        }
        return out
    }

    struct Decoded {
        var messages: [Sent: [String]] = [:]
        var connections: [JSONValue] = []
        var diagnostics: [JSONValue] = []
        var status: Int32 = 0
        var messageLines: [JSONValue] = []
    }

    static func decode(_ arguments: [String]) throws -> Decoded {
        let result = try LNTraceBinary.run(["dump", "--raw", "--format", "jsonl"] + arguments)
        let lines = try JSONValue.lines(result.stdout)
        var decoded = Decoded(status: result.status)
        var portOf: [UInt64: Int] = [:]
        decoded.connections = lines.filter { $0["kind"]?.string == "connection" }
        for connection in decoded.connections {
            let responder = connection["responder"]?.string ?? ""
            portOf[connection["connection"]?.uint64 ?? 0] = Int(responder.split(separator: ":").last ?? "") ?? 0
        }
        decoded.diagnostics = lines.filter { $0["kind"]?.string == "diagnostic" }
        decoded.messageLines = lines.filter { $0["kind"]?.string == "message" }
        for message in decoded.messageLines {
            let key = Sent(port: portOf[message["connection"]?.uint64 ?? 0] ?? -1, direction: message["direction"]?.string ?? "")
            let raw = [UInt8](hexString: message["raw"]?.string ?? "") ?? []
            decoded.messages[key, default: []].append(sha256Hex(raw))
        }
        return decoded
    }

    @Test(arguments: [
        ["--keylog", "\(dir)/keys-ephemeral.log", "\(dir)/loopback.pcapng"],
        ["--keylog", "\(dir)/keys-mac.log", "\(dir)/loopback.pcapng"],
        ["--keylog", "\(dir)/keys-ephemeral.log", "\(dir)/loopback.pcap"],
        ["--keylog", "\(dir)/keys-mac.log", "\(dir)/loopback.pcap"],
    ])
    func decodesExactlyWhatWasSent(_ arguments: [String]) throws {
        let expected = try Self.expected()
        let decoded = try Self.decode(arguments)
        #expect(decoded.status == 0, "\(decoded.diagnostics)")
        #expect(decoded.diagnostics.isEmpty)
        #expect(decoded.messages.keys.count == 6)
        for (key, hashes) in expected {
            #expect(decoded.messages[key] == hashes, "port \(key.port) \(key.direction)")
        }
        #expect(expected[Sent(port: 40101, direction: "out")]?.count == 1300)
        for connection in decoded.connections {
            #expect(connection["decryption"]?.string == "decrypted")
            #expect(connection["handshake"] == .bool(true))
            #expect(connection["initiator_known"] == .bool(true))
        }
    }

    @Test func messagesCarryFramesTimesAndOrder() throws {
        let decoded = try Self.decode(["--keylog", "\(Self.dir)/keys-ephemeral.log", "\(Self.dir)/loopback.pcapng"])
        var lastFrame: UInt64 = 0
        var indexes: [UInt64: UInt64] = [:]
        var multiFrame = 0
        for message in decoded.messageLines {
            let frames = message["frames"]?.array?.compactMap(\.uint64) ?? []
            #expect(!frames.isEmpty)
            // Events come in capture order: by the frame that completed each message.
            #expect((frames.last ?? 0) >= lastFrame)
            lastFrame = frames.last ?? 0
            if frames.count > 1 { multiFrame += 1 }
            #expect(message["time"]?.string?.hasPrefix("20") == true)
            let connection = message["connection"]?.uint64 ?? 0
            #expect(message["index"]?.uint64 == indexes[connection, default: 0])
            indexes[connection, default: 0] += 1
        }
        #expect(multiFrame >= 9, "the 60 KB messages span many segments")
    }

    @Test(arguments: ["keys-ephemeral.log", "keys-mac.log"])
    func midstreamCaptureDecryptsFromTheFirstWholeFrame(_ keyLog: String) throws {
        let expected = try Self.expected()
        let decoded = try Self.decode(["--keylog", "\(Self.dir)/\(keyLog)", "\(Self.dir)/midstream.pcapng"])
        #expect(decoded.status == 0, "\(decoded.diagnostics)")
        #expect(decoded.messages.keys.count == 6)
        for (key, hashes) in expected {
            let got = decoded.messages[key] ?? []
            #expect(!got.isEmpty)
            // What was decoded is exactly the tail of what was sent: nothing missing after the start.
            #expect(Array(hashes.suffix(got.count)) == got, "port \(key.port) \(key.direction)")
        }
        for connection in decoded.connections {
            #expect(connection["handshake"] == .bool(false))
            #expect(connection["decryption"]?.string == "decrypted")
        }
    }

    @Test func skippedBytesAreLessThanOneFrame() throws {
        // Each direction starts at the first whole frame: whatever was skipped before it is
        // shorter than the (partly captured) frame the capture started in.
        let expected = try Self.expected()
        let lengths = try JSONValue.lines(String(decoding: try Fixtures.data("captures/pyln-loopback/expected.jsonl"), as: UTF8.self))
        var sizes: [Sent: [Int]] = [:]
        for line in lengths {
            let key = Sent(port: Int(line["port"]?.uint64 ?? 0), direction: line["direction"]?.string ?? "")
            sizes[key, default: []].append(Int(line["length"]?.uint64 ?? 0) + 34)
        }
        let decoded = try Self.decode(["--keylog", "\(Self.dir)/keys-ephemeral.log", "\(Self.dir)/midstream.pcapng"])
        for connection in decoded.connections {
            let port = Int(connection["responder"]?.string?.split(separator: ":").last ?? "") ?? 0
            for problem in connection["problems"]?.array?.compactMap(\.string) ?? [] {
                guard problem.contains("skipped"), let skipped = Int(problem.split(separator: " ")[0]) else {
                    Issue.record("unexpected problem \(problem)")
                    continue
                }
                let largest =
                    [Sent(port: port, direction: "out"), Sent(port: port, direction: "in")]
                    .compactMap { sizes[$0]?.max() }.max() ?? 0
                #expect(skipped < largest)
            }
        }
        #expect(!expected.isEmpty)
    }

    @Test func truncatedCaptureKeepsWhatCameBefore() throws {
        let data = try Fixtures.data("captures/pyln-loopback/loopback.pcap")
        let bytes = [UInt8](data)
        // Cut in the middle of a record; count the whole records before the cut.
        let cut = bytes.count * 3 / 5
        var offset = 24
        var wholeFrames = 0
        while offset + 16 <= cut {
            let length = Int(bytes[offset + 8]) | Int(bytes[offset + 9]) << 8 | Int(bytes[offset + 10]) << 16 | Int(bytes[offset + 11]) << 24
            if offset + 16 + length > cut { break }
            offset += 16 + length
            wholeFrames += 1
        }
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lntrace-truncated-\(getpid()).pcap")
        try Data(bytes[0..<cut]).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let decoded = try Self.decode(["--keylog", "\(Self.dir)/keys-ephemeral.log", url.path])
        #expect(decoded.status == 2)
        let truncation = try #require(decoded.diagnostics.first { $0["code"]?.string == "capture.truncated" })
        #expect(truncation["frames"]?[0]?.uint64 == UInt64(wholeFrames))
        #expect(truncation["message"]?.string?.contains("after frame \(wholeFrames)") == true)
        let expected = try Self.expected()
        var total = 0
        for (key, got) in decoded.messages {
            let sent = try #require(expected[key])
            #expect(Array(sent.prefix(got.count)) == got, "port \(key.port) \(key.direction)")
            total += got.count
        }
        #expect(total > 1000)
    }

    @Test func withoutKeysConnectionsAreListed() throws {
        let decoded = try Self.decode(["\(Self.dir)/loopback.pcapng"])
        #expect(decoded.status == 2)
        #expect(decoded.messageLines.isEmpty)
        #expect(decoded.connections.count == 3)
        for connection in decoded.connections {
            #expect(connection["decryption"]?.string == "no key")
            #expect((connection["bytes"]?["out"]?.uint64 ?? 0) > 90_000)
        }
        #expect(decoded.diagnostics.filter { $0["code"]?.string == "bolt8.no-key" }.count == 3)
    }

    @Test func wrongKeyIsReportedAtItsFrame() throws {
        let wrong = "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798 " + String(repeating: "ab", count: 32)
        let keyLog = try String(contentsOf: Fixtures.url("captures/pyln-loopback/keys-ephemeral.log"), encoding: .utf8)
        // Replace the chaining key of the first connection's line with a wrong one.
        let lines = keyLog.split(separator: "\n").filter { !$0.hasPrefix("#") }
        let first = lines[0].split(separator: " ")
        let arguments = [
            "--key", "\(first[0]) \(String(repeating: "cd", count: 32))", "--key", String(lines[1]), "--key", String(lines[2]), "--key", wrong,
            "\(Self.dir)/loopback.pcapng",
        ]
        let decoded = try Self.decode(arguments)
        #expect(decoded.status == 2)
        let wrongKey = decoded.diagnostics.filter { $0["code"]?.string == "bolt8.wrong-key" }
        #expect(wrongKey.count == 2, "both directions of the connection")
        #expect(wrongKey.allSatisfy { ($0["frames"]?[0]?.uint64 ?? 0) > 0 })
        #expect(decoded.messages.values.map(\.count).reduce(0, +) == 600, "the two other connections still decode")
        #expect(!decoded.stdoutContains(String(repeating: "cd", count: 32)))
    }
}

extension CaptureTests.Decoded {
    func stdoutContains(_ text: String) -> Bool {
        (messageLines + connections + diagnostics).contains { $0.description.contains(text) }
    }
}
