import Foundation
import TestSupport
import Testing

/// The codec is generated from the spec (`Scripts/wiregen.py` from
/// `Sources/Wire/Schema/wire.csv`): the committed files must be what the generator writes
/// today, so a change to the schema or the generator is never left half applied.
@Suite struct GeneratedCodecTests {
    static let files = [
        "Sources/Wire/Generated/Messages.swift", "Sources/Wire/Generated/Typed.swift", "Tests/WireTests/Generated/TestNamespaces.swift",
    ]

    @Test func generatedFilesAreCurrent() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("lntrace-wiregen-\(getpid())-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Fixtures.root.appendingPathComponent("Scripts/wiregen.py").path, "--out", directory.path]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "Scripts/wiregen.py failed")
        for file in Self.files {
            let generated = try String(contentsOf: directory.appendingPathComponent(file), encoding: .utf8)
            let committed = try String(contentsOf: Fixtures.root.appendingPathComponent(file), encoding: .utf8)
            #expect(generated == committed, "\(file) is stale: run Scripts/wiregen.py")
        }
    }
}
