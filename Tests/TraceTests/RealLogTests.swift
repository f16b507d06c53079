import Basics
import Foundation
import NodeLogs
import TestSupport
import Testing
import Trace
import Wire

/// Real logs, as real nodes wrote them and users published them (`Fixtures/logs/real/`):
/// each excerpt must give exactly the messages its `.expect` file lists, written by reading
/// the lines, and nothing else.
struct RealLogTests {
    /// One `.expect` file: provenance, then one line per message.
    struct Expectation {
        struct Message {
            var lines: ClosedRange<Int>
            var direction: String
            var type: String
            var facts: [(String, String)]
        }

        var source: String?
        var implementation: String?
        var messages: [Message] = []

        init(_ text: String) throws {
            for raw in text.split(separator: "\n") {
                let line = raw.trimmingCharacters(in: .whitespaces)
                if line.hasPrefix("# source: ") { source = String(line.dropFirst(10)) }
                if line.hasPrefix("# implementation: ") { implementation = String(line.dropFirst(18)) }
                if line.isEmpty || line.hasPrefix("#") { continue }
                let parts = line.split(separator: " ").map(String.init)
                guard parts.count >= 3 else { throw FixtureError.missing("a direction and type in '\(line)'") }
                let bounds = parts[0].split(separator: "-").compactMap { Int($0) }
                guard let first = bounds.first, let last = bounds.last, first <= last else { throw FixtureError.missing("line numbers in '\(line)'") }
                let facts = parts.dropFirst(3).compactMap { part -> (String, String)? in
                    guard let eq = part.firstIndex(of: "=") else { return nil }
                    return (String(part[..<eq]), String(part[part.index(after: eq)...]))
                }
                messages.append(Message(lines: first...last, direction: parts[1], type: parts[2], facts: facts))
            }
        }
    }

    static func excerpts() throws -> [String] {
        try bundledLogs().filter { $0.hasPrefix("logs/real/") }
    }

    @Test func everyExcerptSaysWhereItCameFrom() throws {
        let excerpts = try Self.excerpts()
        #expect(excerpts.count >= 100)
        for log in excerpts {
            let expect = try Expectation(String(decoding: try Fixtures.data(String(log.dropLast(4)) + ".expect"), as: UTF8.self))
            #expect(expect.source?.hasPrefix("https://") == true, "\(log): # source:")
            #expect(["lnd", "cln", "eclair", "ldk"].contains(expect.implementation ?? ""), "\(log): # implementation:")
        }
    }

    @Test(arguments: try RealLogTests.excerpts())
    func givesExactlyTheMessagesItsLinesReport(_ log: String) throws {
        let expect = try Expectation(String(decoding: try Fixtures.data(String(log.dropLast(4)) + ".expect"), as: UTF8.self))
        let result = read(Fixtures.url(log).path)
        var byLine: [Int: [MessageEvent]] = [:]
        for message in result.messages { byLine[message.location.line ?? 0, default: []].append(message) }
        var listed = Set<Int>()
        for want in expect.messages {
            listed.formUnion(want.lines)
            let got = byLine[want.lines.lowerBound] ?? []
            guard got.count == 1, let message = got.first else {
                Issue.record("\(log):\(want.lines.lowerBound): \(got.count) messages, want one \(want.direction) \(want.type)")
                continue
            }
            #expect(message.direction?.rawValue == want.direction, "\(log):\(want.lines.lowerBound)")
            #expect(Self.typeName(message.content) == want.type, "\(log):\(want.lines.lowerBound)")
            for (name, value) in want.facts {
                #expect(Self.fact(name, of: message) == value, "\(log):\(want.lines.lowerBound): \(name)")
            }
            for other in want.lines.dropFirst() {
                #expect(byLine[other] == nil, "\(log):\(other): reported again (it is part of line \(want.lines.lowerBound)'s message)")
            }
        }
        for (line, messages) in byLine where !listed.contains(line) {
            Issue.record("\(log):\(line): invented \(messages.map { $0.content.name })")
        }
        if !expect.messages.isEmpty, let implementation = expect.implementation {
            #expect(
                result.summary?.sources.contains { $0.dialect.rawValue == implementation } == true,
                "\(log): read as \(result.summary?.format ?? "nothing")")
        }
    }

    /// The corpus as a whole: the share of wire-message lines that became messages.
    @Test func atLeast98PercentOfTheReportedMessagesAreRead() throws {
        var expected = 0, found = 0
        for log in try Self.excerpts() {
            let expect = try Expectation(String(decoding: try Fixtures.data(String(log.dropLast(4)) + ".expect"), as: UTF8.self))
            let result = read(Fixtures.url(log).path)
            let lines = Set(result.messages.compactMap(\.location.line))
            expected += expect.messages.count
            found += expect.messages.filter { lines.contains($0.lines.lowerBound) }.count
        }
        #expect(expected >= 240)
        #expect(Double(found) >= 0.98 * Double(expected), "\(found) of \(expected)")
    }

    /// `update_add_htlc`, `type=32769`, `unknown`.
    static func typeName(_ content: MessageContent) -> String {
        if content.name == "unknown" { return "unknown" }
        if let type = content.type, Message.knownTypes[type] == nil { return "type=\(type)" }
        return content.name
    }

    static func fact(_ name: String, of message: MessageEvent) -> String? {
        switch name {
        case "peer": return message.peer
        case "channel_id":
            if case let .bytes(bytes)? = message.content.fields["channel_id"] { return Hex.encode(bytes) }
            return message.channel
        default:
            switch message.content.fields[name] {
            case let .unsigned(value)?: return String(value)
            case let .bytes(bytes)?: return Hex.encode(bytes)
            case let .shortChannelID(scid)?: return scid.description
            default: return nil
            }
        }
    }
}
