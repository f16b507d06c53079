import Foundation

/// Reading on a thread of its own (issue 14): one core reads, reassembles, decrypts and
/// decodes (or parses a log) while the caller's thread checks and reports. Everything the
/// reader tells (events, pauses, progress, the writers it finds) reaches the caller in the
/// order told, in batches, so the caller sees what reading on its own thread shows it.
public enum ReadAhead {
    /// Batches in flight at most, and events per batch: the memory bound of reading ahead.
    static let batches = 16
    static let batchSize = 256

    enum Item: Sendable {
        case event(TraceEvent)
        case drained
        case progress(Int64, Int64?)
        case found(InputSource)
    }

    public typealias Body = (
        _ emit: (TraceEvent) -> Void, _ drained: () -> Void, _ progress: (Int64, Int64?) -> Void, _ found: (InputSource) -> Void
    ) throws(InputError) -> Void

    /// Runs `body` (a reader's `read`) on another thread, handing what it tells to the other
    /// closures on this one; throws what `body` threw, after everything told before it.
    public static func run(
        _ body: @escaping Body, emit: (TraceEvent) -> Void, drained: () -> Void, progress: (Int64, Int64?) -> Void,
        found: (InputSource) -> Void
    ) throws(InputError) {
        let queue = Handover()
        let work = UncheckedBody(body: body)
        let thread = Thread {
            var batch: [Item] = []
            batch.reserveCapacity(batchSize)
            func hand(_ item: Item, now: Bool = false) {
                batch.append(item)
                if now || batch.count >= batchSize {
                    queue.put(batch)
                    batch = []
                    batch.reserveCapacity(batchSize)
                }
            }
            do throws(InputError) {
                try work.body(
                    { hand(.event($0)) }, { hand(.drained, now: true) }, { hand(.progress($0, $1)) }, { hand(.found($0)) })
            } catch {
                queue.failure = error
            }
            queue.put(batch)
            queue.close()
        }
        thread.stackSize = 8 << 20
        thread.name = "lntrace reader"
        thread.start()
        while let batch = queue.take() {
            for item in batch {
                switch item {
                case let .event(event): emit(event)
                case .drained: drained()
                case let .progress(read, total): progress(read, total)
                case let .found(source): found(source)
                }
            }
        }
        if let failure = queue.failure { throw failure }
    }

    private struct UncheckedBody: @unchecked Sendable {
        let body: Body
    }

    /// A bounded first-in, first-out hand-over of batches between two threads.
    private final class Handover: @unchecked Sendable {
        private let condition = NSCondition()
        private var items: [[Item]] = []
        private var closed = false
        /// What the reader threw (read after ``take()`` returned `nil`).
        var failure: InputError?

        func put(_ batch: [Item]) {
            guard !batch.isEmpty else { return }
            condition.lock()
            while items.count >= ReadAhead.batches { condition.wait() }
            items.append(batch)
            condition.broadcast()
            condition.unlock()
        }

        func close() {
            condition.lock()
            closed = true
            condition.broadcast()
            condition.unlock()
        }

        /// The next batch, or `nil` once the reader is done and everything was taken.
        func take() -> [Item]? {
            condition.lock()
            defer { condition.unlock() }
            while items.isEmpty && !closed { condition.wait() }
            guard !items.isEmpty else { return nil }
            let batch = items.removeFirst()
            condition.broadcast()
            return batch
        }
    }
}

extension InputReader {
    /// Reads the whole input (``read(emit:drained:progress:found:)``), on a thread of its
    /// own when `ahead` (``ReadAhead``): the caller sees the same either way.
    public func read(ahead: Bool, emit: (TraceEvent) -> Void, drained: () -> Void = {}) throws(InputError) {
        guard ahead else { return try read(emit: emit, drained: drained) }
        let reader = self
        try ReadAhead.run(
            { emit, drained, _, _ throws(InputError) in try reader.read(emit: emit, drained: drained) },
            emit: emit, drained: drained, progress: { _, _ in }, found: { _ in })
    }
}
