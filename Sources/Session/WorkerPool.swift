import Foundation
import Hazards
import Provenance
import Report
import Rules
import Trace

/// Threads that run the work rules hand off (``Offloaded``: signature verification and other
/// libsecp256k1 work), so that the ordered path goes on meanwhile. Verdicts are read per
/// ticket, in the order the caller keeps, so nothing reported depends on scheduling.
final class WorkerPool: @unchecked Sendable {
    /// One piece of work's verdict, once done.
    final class Ticket: @unchecked Sendable {
        fileprivate var verdict: Verdict?
    }

    private let condition = NSCondition()
    private var queue: [(Ticket, Offloaded)] = []
    private var head = 0
    private var stopped = false

    /// `threads` threads besides the caller's (which helps while it waits).
    init(threads: Int) {
        for _ in 0..<max(threads, 0) {
            let thread = Thread { [self] in self.serve() }
            thread.name = "lntrace verifier"
            thread.start()
        }
    }

    func submit(_ work: @escaping Offloaded) -> Ticket {
        let ticket = Ticket()
        condition.lock()
        queue.append((ticket, work))
        condition.signal()
        condition.unlock()
        return ticket
    }

    /// The tickets' verdicts, in their order; the calling thread runs queued work meanwhile.
    func wait(_ tickets: [Ticket]) -> [Verdict] {
        var out: [Verdict] = []
        out.reserveCapacity(tickets.count)
        condition.lock()
        for ticket in tickets {
            while ticket.verdict == nil {
                if let (next, work) = take() {
                    run(next, work)
                } else {
                    condition.wait()
                }
            }
            if let verdict = ticket.verdict { out.append(verdict) }
        }
        condition.unlock()
        return out
    }

    /// Ends the threads once the queue is empty.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func serve() {
        condition.lock()
        while true {
            if let (ticket, work) = take() {
                run(ticket, work)
            } else if stopped {
                break
            } else {
                condition.wait()
            }
        }
        condition.unlock()
    }

    /// The next queued work (the lock held).
    private func take() -> (Ticket, Offloaded)? {
        guard head < queue.count else { return nil }
        let next = queue[head]
        head += 1
        if head == queue.count {
            queue.removeAll(keepingCapacity: true)
            head = 0
        }
        return next
    }

    /// Runs `work` without the lock, and records its verdict (the lock held on entry and exit).
    private func run(_ ticket: Ticket, _ work: Offloaded) {
        condition.unlock()
        let verdict = work()
        condition.lock()
        ticket.verdict = verdict
        condition.broadcast()
    }
}

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
