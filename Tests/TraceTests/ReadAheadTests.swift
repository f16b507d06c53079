import Provenance
import Testing
import Trace

/// Reading on a thread of its own (`--jobs N`): what the reader tells reaches the caller in
/// the order told, pauses included, and what it throws comes after everything before it.
struct ReadAheadTests {
    @Test func everythingToldArrivesInOrderThenTheError() {
        let told = 5000  // more than the hand-over holds at once
        var seen: [String] = []
        var thrown: InputError?
        do throws(InputError) {
            try ReadAhead.run(
                { emit, drained, _, _ throws(InputError) in
                    for i in 0..<told {
                        emit(.diagnostic(Diagnostic(.note, "test", at: SourceLocation(file: "f", line: i + 1), "\(i)")))
                        if i % 1000 == 999 { drained() }
                    }
                    throw .readFailed(path: "f", reason: "cut")
                },
                emit: { event in
                    if case let .diagnostic(diagnostic) = event { seen.append(diagnostic.message) }
                },
                drained: { seen.append("drained") }, progress: { _, _ in }, found: { _ in })
        } catch {
            thrown = error
        }
        var expected: [String] = []
        for i in 0..<told {
            expected.append("\(i)")
            if i % 1000 == 999 { expected.append("drained") }
        }
        #expect(seen == expected)
        #expect(thrown?.description.contains("cut") == true)
    }
}
