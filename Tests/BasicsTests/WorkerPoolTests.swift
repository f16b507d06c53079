import Basics
import Testing

/// The pool `--jobs N` runs work on: every piece runs once, its result is read after its
/// ticket, and the caller's thread helps while it waits (so a pool without threads of its
/// own still finishes).
struct WorkerPoolTests {
    @Test(arguments: [0, 1, 3])
    func everyPieceRunsOnceAndIsReadAfterItsTicket(threads: Int) {
        let pool = WorkerPool(threads: threads)
        defer { pool.stop() }
        // More pieces than the queue keeps before it drops what it handed out.
        let slots = (0..<3000).map { _ in Slot<Int>() }
        var tickets: [WorkerPool.Ticket] = []
        for (index, slot) in slots.enumerated() {
            tickets.append(pool.submit { slot.value = index * index })
        }
        // Waiting for the later half first, then for everything, in another order.
        pool.wait(tickets[1500...])
        #expect(slots[1500...].enumerated().allSatisfy { $0.element.value == ($0.offset + 1500) * ($0.offset + 1500) })
        pool.wait(tickets.reversed())
        #expect(slots.enumerated().allSatisfy { $0.element.value == $0.offset * $0.offset })
    }
}
