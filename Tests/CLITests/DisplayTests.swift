import Foundation
import TestSupport
import Testing

/// Text that fits the terminal, times as tshark's `-t`, the context a finding shows, and
/// names for nodes (`--alias`), on a real capture (Fixtures/captures/pyln-cascade).
@Suite(.serialized)
struct DisplayTests {
    static let capture = ["--keylog", "Fixtures/captures/pyln-cascade/keys.log", "Fixtures/captures/pyln-cascade/cascade.pcap"]

    @Test func textFitsTheTerminalWidth() throws {
        for columns in [60, 80, 132] {
            let result = try LNTraceBinary.run(["check"] + Self.capture, environment: ["COLUMNS": "\(columns)"])
            let lines = result.stdout.components(separatedBy: "\n")
            #expect(lines.count > 50)
            #expect(lines.allSatisfy { $0.count <= columns }, "\(columns): \(lines.filter { $0.count > columns }.prefix(3))")
            // Nothing is lost to the width: every reason is there, wrapped.
            let joined = result.stdout.replacingOccurrences(of: "\n *", with: " ", options: .regularExpression)
            #expect(joined.contains("is not HTLC 38's payment_hash"))
            #expect(joined.contains("9 root causes, 2 follow-ons"))
        }
    }

    /// Every message's time from `dump --format jsonl`, in seconds since the epoch (to the
    /// nanosecond the capture gives).
    static func times(_ arguments: [String]) throws -> [Double] {
        let result = try LNTraceBinary.run(["dump", "--format", "jsonl"] + arguments)
        let formatter = ISO8601DateFormatter()
        return try JSONValue.lines(result.stdout).filter { $0["kind"]?.string == "message" }.compactMap { record in
            guard let text = record["time"]?.string, let dot = text.firstIndex(of: "."),
                let whole = formatter.date(from: String(text[..<dot]) + "Z"),
                let fraction = Double("0" + text[dot...].dropLast())
            else { return nil }
            return whole.timeIntervalSince1970 + fraction
        }
    }

    @Test func timeModesAsTsharkPrintsThem() throws {
        let absolute = try Self.times(Self.capture + ["-c", "30"])
        #expect(absolute.count == 30)
        for mode in ["relative", "delta"] {
            let result = try LNTraceBinary.run(["dump", "--time", mode, "-c", "30"] + Self.capture)
            let columns = result.stdout.components(separatedBy: "\n").prefix(30).map { $0.components(separatedBy: "  ")[1] }
            #expect(columns.count == 30)
            for (i, column) in columns.enumerated() {
                let value = try #require(Double(column), "\(mode): \(column)")
                let want = mode == "relative" ? absolute[i] - absolute[0] : i == 0 ? 0 : absolute[i] - absolute[i - 1]
                #expect(abs(value - want) < 0.000002, "\(mode) line \(i): \(column), want \(want)")
                if mode == "delta" { #expect(column.hasPrefix("+")) }
            }
        }
        let bad = try LNTraceBinary.run(["check", "--time", "wallclock"] + Self.capture)
        #expect(bad.status == 2)
    }

    @Test func contextSetsHowManyMessagesAFindingShowsAndAlwaysIncludesTheHTLCsAdd() throws {
        let records = try JSONValue.lines(try LNTraceBinary.run(["check", "--format", "jsonl", "--context", "3"] + Self.capture).stdout)
        let fulfill = try #require(records.first { $0["rule"]?.string == "fulfill-preimage" })
        #expect(fulfill["context"]?.array?.count == 3)
        // The add of the HTLC the fulfill names is far before: referred to, apart from the context.
        let referenced = fulfill["referenced"]?.array ?? []
        #expect(referenced.count == 1)
        #expect(referenced.first?["type"]?.string == "update_add_htlc")
        #expect(referenced.first?["index"]?.uint64 == 341)

        let none = try LNTraceBinary.run(["check", "--context", "0"] + Self.capture, environment: ["COLUMNS": "1000"])
        let lines = none.stdout.components(separatedBy: "\n")
        let head = try #require(lines.firstIndex { $0.contains("error: fulfill-preimage:") })
        #expect(lines[head + 1].contains("message 341") && lines[head + 1].contains("update_add_htlc id=38"))
        #expect(lines[head + 2].hasSuffix("⋮"))
        #expect(lines[head + 3].contains("> message 346"))
        let reestablish = try #require(lines.firstIndex { $0.contains("error: re-wait-peer:") })
        #expect(lines[reestablish + 1].contains("> message 3"), "no context: the offending message follows the heading")
        #expect(try LNTraceBinary.run(["check", "--context", "-1"] + Self.capture).status == 2)
    }

    @Test func aliasesNameEndpointsAndEndpointsAreNeverCut() throws {
        let named = ["--alias", "127.0.0.1:41100=bob"]
        let text = try LNTraceBinary.run(["check"] + named + Self.capture)
        #expect(text.stdout.contains("→ bob (127.0.0.1:41100), frames"))
        // The loopback client keeps its whole label: an endpoint is not a hex id to shorten.
        #expect(text.stdout.contains("127.0.0.1 (client of 41100) ↔ bob, opened in the trace"))
        #expect(!text.stdout.contains("127.0.0.…"))
        let records = try JSONValue.lines(try LNTraceBinary.run(["check", "--format", "jsonl"] + named + Self.capture).stdout)
        let fulfill = try #require(records.first { $0["rule"]?.string == "fulfill-preimage" })
        #expect(fulfill["sender"]?.string == "bob")
        // Reasons name the nodes: by alias, else by role.
        let early = try #require(records.first { $0["rule"]?.string == "re-wait-peer" })
        #expect(early["reason"]?.string == "`update_add_htlc` for a resumed channel before bob's `channel_reestablish` arrived")
        // --local may name the node by its alias: the recording side is then known.
        let local = try LNTraceBinary.run(["check", "--local", "bob"] + named + Self.capture)
        #expect(!local.stderr.contains("check.local"))
        #expect(try LNTraceBinary.run(["check", "--alias", "no-equals-sign"] + Self.capture).status == 2)
    }
}
