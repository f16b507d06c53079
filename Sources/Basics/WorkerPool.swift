import Foundation

/// Threads that run pure work handed off by an ordered path (`check`'s signature
/// verification, `dump`'s formatting), so that the path goes on meanwhile. Results are read
/// per ticket, in the order the caller keeps, so nothing reported depends on scheduling.
public final class WorkerPool: @unchecked Sendable {
    /// One piece of work, done or not.
    public final class Ticket: @unchecked Sendable {
        fileprivate var done = false
    }

    public typealias Work = @Sendable () -> Void

    private let condition = NSCondition()
    private var queue: [(Ticket, Work)] = []
    private var head = 0
    private var stopped = false

    /// `threads` threads besides the caller's (which helps while it waits).
    public init(threads: Int) {
        for _ in 0..<max(threads, 0) {
            let thread = Thread { [self] in self.serve() }
            thread.name = "lntrace worker"
            thread.start()
        }
    }

    /// The pool for `--jobs N`: the caller's thread and `jobs - 1` others; `nil` for one job.
    public static func forJobs(_ jobs: Int) -> WorkerPool? {
        jobs > 1 ? WorkerPool(threads: jobs - 1) : nil
    }

    public func submit(_ work: @escaping Work) -> Ticket {
        let ticket = Ticket()
        condition.lock()
        queue.append((ticket, work))
        condition.signal()
        condition.unlock()
        return ticket
    }

    /// Waits until the tickets' work is done; the calling thread runs queued work meanwhile.
    public func wait(_ tickets: some Sequence<Ticket>) {
        condition.lock()
        for ticket in tickets {
            while !ticket.done {
                if let (next, work) = take() {
                    run(next, work)
                } else {
                    condition.wait()
                }
            }
        }
        condition.unlock()
    }

    /// Ends the threads once the queue is empty.
    public func stop() {
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
    private func take() -> (Ticket, Work)? {
        guard head < queue.count else { return nil }
        let next = queue[head]
        head += 1
        if head == queue.count {
            queue.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 1024, head * 2 >= queue.count {
            // A queue never empty must not keep what it handed out.
            queue.removeFirst(head)
            head = 0
        }
        return next
    }

    /// Runs `work` without the lock, then marks it done (the lock held on entry and exit).
    private func run(_ ticket: Ticket, _ work: Work) {
        condition.unlock()
        work()
        condition.lock()
        ticket.done = true
        condition.broadcast()
    }
}

/// A value computed by work on a ``WorkerPool``, to read once its ticket is waited for (the
/// pool's lock orders the write before the read).
public final class Slot<Value>: @unchecked Sendable {
    public var value: Value?

    public init() {}
}
