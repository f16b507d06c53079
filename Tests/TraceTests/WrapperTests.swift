import Foundation
import NodeLogs
import Provenance
import TestSupport
import Testing
import Trace

/// Logs as operators have them: every bundled log, wrapped as journald, syslog, docker,
/// Kubernetes, CI runners, test harnesses, line numbers and Markdown would wrap it, gives the
/// same messages as the bare log, with the implementation's own times.
struct WrapperTests {
    /// A wrapper: what it puts before line `n` (1-based).
    struct Wrapper: CustomStringConvertible, Sendable {
        var name: String
        var prefix: @Sendable (Int) -> String
        var description: String { name }
    }

    static func clock(_ n: Int) -> (String, String, String) {
        let second = n % 60, minute = n / 60 % 60
        let mm = minute < 10 ? "0\(minute)" : "\(minute)", ss = second < 10 ? "0\(second)" : "\(second)"
        return (mm, ss, String(100_000 + n))
    }

    static let wrappers: [Wrapper] = [
        Wrapper(name: "journalctl short") { n in
            let (m, s, _) = clock(n); return "Dec 06 12:\(m):\(s) node1 lnd[812]: "
        },
        Wrapper(name: "journalctl short-precise, space-padded day") { n in
            let (m, s, f) = clock(n); return "Dec  6 12:\(m):\(s).\(f) node1 lnd[812]: "
        },
        Wrapper(name: "journalctl short-iso") { n in
            let (m, s, _) = clock(n); return "2026-12-06T12:\(m):\(s)+0100 node1 lnd[812]: "
        },
        Wrapper(name: "journalctl short-iso-precise") { n in
            let (m, s, f) = clock(n); return "2026-12-06T12:\(m):\(s).\(f)+01:00 node1 lightningd[77]: "
        },
        Wrapper(name: "journalctl short-full") { n in
            let (m, s, _) = clock(n); return "Sun 2026-12-06 12:\(m):\(s) UTC node1 lnd[812]: "
        },
        Wrapper(name: "journalctl short-unix") { n in "1796558400.\(100_000 + n) node1 lnd[812]: " },
        Wrapper(name: "RFC 3164 syslog") { n in
            let (m, s, _) = clock(n); return "<30>Dec  6 12:\(m):\(s) node1 lnd[812]: "
        },
        Wrapper(name: "RFC 5424 syslog") { n in
            let (m, s, f) = clock(n); return "<30>1 2026-12-06T12:\(m):\(s).\(f)Z node1 lnd 812 - [meta seq=\"\(n)\"] "
        },
        Wrapper(name: "docker compose v2") { _ in "lnd-1  | " },
        Wrapper(name: "docker compose v1, coloured") { _ in "\u{1B}[36mlnd_1     |\u{1B}[0m " },
        Wrapper(name: "docker logs -t") { n in
            let (m, s, f) = clock(n); return "2026-12-06T12:\(m):\(s).\(f)123Z "
        },
        Wrapper(name: "docker compose logs -t") { n in
            let (m, s, f) = clock(n); return "lnd-1  | 2026-12-06T12:\(m):\(s).\(f)Z "
        },
        Wrapper(name: "Kubernetes CRI") { n in
            let (m, s, f) = clock(n); return "2026-12-06T12:\(m):\(s).\(f)456Z stdout F "
        },
        Wrapper(name: "kubectl logs --prefix") { _ in "[pod/lnd-0/lnd] " },
        Wrapper(name: "GitHub Actions") { n in
            let (m, s, f) = clock(n); return "2026-12-06T12:\(m):\(s).\(f)1Z "
        },
        Wrapper(name: "GitLab runner") { n in
            let (m, s, f) = clock(n); return "2026-12-06T12:\(m):\(s).\(f)Z 00O "
        },
        Wrapper(name: "GitHub Actions around docker compose") { n in
            let (m, s, f) = clock(n); return "2026-12-06T12:\(m):\(s).\(f)1Z lnd-1  | "
        },
        Wrapper(name: "test harness") { _ in "lightningd-2: " },
        Wrapper(name: "grep -n") { n in "\(n):" },
        Wrapper(name: "cat -n") { n in String(repeating: " ", count: max(0, 6 - String(n).count)) + "\(n)\t" },
        Wrapper(name: "editor gutter") { n in "\(n) | " },
        Wrapper(name: "Markdown code block") { _ in "    " },
        Wrapper(name: "Markdown quote") { _ in "> " },
    ]

    static func cases() throws -> [(String, Wrapper)] {
        try bundledLogs().flatMap { log in wrappers.map { (log, $0) } }
    }

    @Test(arguments: try WrapperTests.cases())
    func aWrappedLogGivesTheBareLogsMessages(_ log: String, _ wrapper: Wrapper) throws {
        let lines = try fixtureLines(log)
        let bare = read(Fixtures.url(log).path)
        let wrapped = try read(text: lines.enumerated().map { wrapper.prefix($0.offset + 1) + $0.element }.joined(separator: "\n") + "\n")
        #expect(wrapped.messages.map(\.essence) == bare.messages.map(\.essence), "\(log) in \(wrapper)")
        #expect(wrapped.messages.map(\.location.line) == bare.messages.map(\.location.line), "\(log) in \(wrapper)")
        #expect(wrapped.summary?.format == bare.summary?.format, "\(log) in \(wrapper)")
        // A line without a timestamp of its own takes the wrapper's, and says so.
        for message in wrapped.messages where message.timeSource == .wrapper {
            #expect(message.time != nil && message.timeText != nil)
        }
    }

    /// Kubernetes splits lines longer than its buffer into partial records (`P`), the last
    /// one final (`F`); they are joined again, under the first record's line.
    @Test(arguments: ["logs/channel-life/alice-lnd.log", "logs/channel-life/alice-cln-io.log", "logs/channel-life/alice-ldk.log"])
    func kubernetesPartialRecordsAreJoined(_ log: String) throws {
        let lines = try fixtureLines(log)
        var text = ""
        var firstRecord: [Int] = []
        for line in lines {
            var chunks = stride(from: 0, to: max(line.utf8.count, 1), by: 64).map { start in
                String(decoding: Array(line.utf8).dropFirst(start).prefix(64), as: UTF8.self)
            }
            if chunks.isEmpty { chunks = [""] }
            firstRecord.append(text.split(separator: "\n", omittingEmptySubsequences: false).count)
            for (index, chunk) in chunks.enumerated() {
                text += "2026-12-06T12:00:00.000000001Z stdout \(index == chunks.count - 1 ? "F" : "P") \(chunk)\n"
            }
        }
        let bare = read(Fixtures.url(log).path)
        let wrapped = try read(text: text)
        #expect(wrapped.messages.map(\.essence) == bare.messages.map(\.essence))
        #expect(wrapped.messages.map { $0.location.line ?? 0 } == bare.messages.map { firstRecord[($0.location.line ?? 1) - 1] })
    }

    /// `docker compose logs` of two containers interleaves two nodes' logs: each becomes a
    /// source of its own, with its own streams, in any mix of formats.
    @Test(arguments: [("alice-lnd.log", "bob-lnd.log"), ("alice-cln.log", "bob-lnd.log"), ("alice-eclair.log", "alice-ldk.log")])
    func twoContainersBecomeTwoSources(_ first: String, _ second: String) throws {
        let a = try fixtureLines("logs/channel-life/\(first)"), b = try fixtureLines("logs/channel-life/\(second)")
        var text = ""
        var lineOf: [(String, Int)] = []
        for index in 0..<max(a.count, b.count) {
            if index < a.count { text += "alice-1  | \(a[index])\n"; lineOf.append(("a", index + 1)) }
            if index < b.count { text += "bob-1    | \(b[index])\n"; lineOf.append(("b", index + 1)) }
        }
        let result = try read(text: text)
        let sources = try #require(result.summary?.sources)
        #expect(sources.map(\.name) == ["alice-1", "bob-1"])
        #expect(Set(sources.map(\.node)) == ["local (alice-1)", "local (bob-1)"])
        let bareA = read(Fixtures.url("logs/channel-life/\(first)").path), bareB = read(Fixtures.url("logs/channel-life/\(second)").path)
        let fromA = result.messages.filter { $0.sender == "local (alice-1)" || $0.receiver == "local (alice-1)" }
        let fromB = result.messages.filter { $0.sender == "local (bob-1)" || $0.receiver == "local (bob-1)" }
        #expect(fromA.map(\.essence) == bareA.messages.map(\.essence))
        #expect(fromB.map(\.essence) == bareB.messages.map(\.essence))
        #expect(fromA.map { lineOf[($0.location.line ?? 1) - 1].1 } == bareA.messages.map { $0.location.line ?? 0 })
        // The two nodes' streams never share a connection number.
        #expect(Set(fromA.compactMap(\.connection)).isDisjoint(with: fromB.compactMap(\.connection)))
    }

    /// The wrapper's time when the line has none: journald around a CLN log without its own
    /// timestamps (`log-timestamps=false`).
    @Test func aLineWithoutItsOwnTimeTakesTheWrappers() throws {
        let text = """
            Dec 06 12:00:01 node1 lightningd[77]: DEBUG   023f54551160417640eb0637c1fbfd699d6ed7ae34f9114ff54d9f42bc0048fd86-channeld-chan#1: peer_out WIRE_UPDATE_ADD_HTLC
            2026-12-06T12:00:02.5Z stdout F 2024-01-18T09:30:00.000Z DEBUG   023f54551160417640eb0637c1fbfd699d6ed7ae34f9114ff54d9f42bc0048fd86-channeld-chan#1: peer_in WIRE_COMMITMENT_SIGNED

            """
        let result = try read(text: text)
        #expect(result.messages.count == 2)
        let first = try #require(result.messages.first), second = try #require(result.messages.last)
        #expect(first.timeSource == .wrapper)
        #expect(first.timeText == "Dec 06 12:00:01")
        #expect(first.time?.description.hasSuffix("-12-06T12:00:01.000000000Z") == true)
        #expect(second.timeSource == .node)
        #expect(second.time?.description == "2024-01-18T09:30:00.000000000Z")
    }
}
