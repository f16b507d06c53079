import Hazards
import Provenance
import Report
import Rules
import Trace

/// A report that keeps what is written to it, to write it later to another.
final class RecordedReport: CheckReport {
    private(set) var writes: [(CheckReport) -> Void] = []

    var errorCount: Int { 0 }
    func beginInput() { writes.append { $0.beginInput() } }
    func write(_ event: TraceEvent) { writes.append { $0.write(event) } }
    func write(_ finding: Finding) { writes.append { $0.write(finding) } }
    func write(_ hazard: Hazard) { writes.append { $0.write(hazard) } }
    func write(_ observation: Observation) { writes.append { $0.write(observation) } }
    func write(_ diagnostic: Diagnostic) { writes.append { $0.write(diagnostic) } }
    func inputFailed(_ diagnostic: Diagnostic) { writes.append { $0.inputFailed(diagnostic) } }
    func endInput(_ path: String, _ summary: CheckSummary) { writes.append { $0.endInput(path, summary) } }
    func flush() { writes.append { $0.flush() } }
    func finish(rules: Int) { writes.append { $0.finish(rules: rules) } }

    func take() -> [(CheckReport) -> Void] {
        defer { writes.removeAll(keepingCapacity: true) }
        return writes
    }
}
