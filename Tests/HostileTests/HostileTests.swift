import Foundation
import FuzzHarness
import TestSupport
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
        FileManager.default.changeCurrentDirectoryPath(Fixtures.root.path)
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
