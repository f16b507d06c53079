import Basics

/// Records formatted on a ``WorkerPool`` (`dump --jobs N`): the ordered path hands each
/// record over, batches of them are formatted on the pool while the path goes on, and the
/// bytes are written in the order handed over. ``drain()`` comes before anything else is
/// written, so the output is the one formatting in line gives.
final class BatchedLines<Item: Sendable> {
    /// A batch's records as the bytes written for them.
    typealias Format = @Sendable ([Item]) -> [UInt8]

    private let pool: WorkerPool
    private let out: Output
    private let format: Format
    private var pending: [Item] = []
    /// The batch being formatted, and where its bytes go.
    private var inFlight: (ticket: WorkerPool.Ticket, bytes: Slot<[UInt8]>)?
    /// Records per batch: enough to outweigh a hand-over, few enough to keep memory flat.
    static var batchSize: Int { 512 }

    init(pool: WorkerPool, out: Output, format: @escaping Format) {
        self.pool = pool
        self.out = out
        self.format = format
        pending.reserveCapacity(Self.batchSize)
    }

    func append(_ item: Item) {
        pending.append(item)
        if pending.count >= Self.batchSize { launch() }
    }

    /// Writes every record handed over so far.
    func drain() {
        writeInFlight()
        guard !pending.isEmpty else { return }
        out.write(bytes: format(pending))
        pending.removeAll(keepingCapacity: true)
    }

    /// Hands the pending records to the pool, then writes the batch before them.
    private func launch() {
        let batch = pending
        pending = []
        pending.reserveCapacity(Self.batchSize)
        let bytes = Slot<[UInt8]>()
        let format = self.format
        let ticket = pool.submit { bytes.value = format(batch) }
        writeInFlight()
        inFlight = (ticket, bytes)
    }

    private func writeInFlight() {
        guard let (ticket, bytes) = inFlight.take() else { return }
        pool.wait([ticket])
        if let value = bytes.value { out.write(bytes: value) }
    }
}
