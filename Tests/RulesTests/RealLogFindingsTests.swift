import Foundation
import TestSupport
import Testing

/// Every rule on real traffic: the excerpts in `Fixtures/logs/real/` (published node logs, each
/// with its source) give exactly the findings `Fixtures/logs/real/findings.txt` lists, so a new
/// rule that misreads real logs shows up here, not in a user's report.
@Suite struct RealLogFindingsTests {
    @Test func realExcerptsGiveExactlyTheirListedFindings() throws {
        let listed = try String(contentsOf: Fixtures.url("logs/real/findings.txt"), encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }.map(String.init).sorted()
        var found: [String] = []
        var excerpts = 0
        for implementation in ["lnd", "cln", "eclair", "ldk"] {
            let directory = Fixtures.url("logs/real/\(implementation)")
            for name in try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() where name.hasSuffix(".log") {
                // An excerpt without a wire message is an input error (its own test says which).
                guard let checked = try? Checked(directory.appendingPathComponent(name).path) else { continue }
                excerpts += 1
                found += checked.findings.map { "\(implementation)/\(name) \($0.rule.id)" }
            }
        }
        #expect(excerpts >= 100)
        #expect(found.sorted() == listed)
    }
}
