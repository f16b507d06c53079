import Provenance

/// `a - b` in TCP sequence space (RFC 1982 serial arithmetic), valid for distances < 2^31.
@inline(__always)
func sequenceDistance(_ a: UInt32, _ b: UInt32) -> Int64 {
    Int64(Int32(bitPattern: a &- b))
}

/// What one direction of a TCP connection delivers, in sequence order.
public enum StreamChunk: Sendable {
    /// Bytes that follow the previous chunk directly.
    case data(ArraySlice<UInt8>, frame: Int, time: Timestamp)
    /// `size` bytes that were never captured (a lost segment, or the memory bound forcing
    /// the stream on); the next data chunk follows after them. `frame` is where the loss
    /// became certain.
    case gap(size: Int64, frame: Int, time: Timestamp)
}

/// Puts one direction of a TCP connection back in order: out-of-order segments are held
/// until the hole before them fills, retransmissions (exact or partly overlapping) are
/// trimmed, and sequence numbers may wrap around.
///
/// Memory bound: at most `maximumPendingBytes` of out-of-order payload and
/// `maximumPendingSegments` segments are held; beyond that the missing bytes are declared
/// a gap and the stream moves on. A gap is also declared as soon as the peer acknowledges
/// bytes that were never captured.
public struct TCPDirectionAssembler: Sendable {
    struct Segment: Sendable {
        var payload: ArraySlice<UInt8>
        var frame: Int
        var time: Timestamp
    }

    /// The next sequence number expected; `nil` until the first SYN or data segment.
    public private(set) var next: UInt32?
    /// The sequence number of this direction's FIN, once seen.
    public private(set) var finSequence: UInt32?
    private var pending: [UInt32: Segment] = [:]
    private var pendingBytes = 0
    public let maximumPendingBytes: Int
    public let maximumPendingSegments: Int
    /// Payload bytes seen again (retransmissions), for statistics.
    public private(set) var retransmittedBytes = 0
    /// Payload bytes delivered in order.
    public private(set) var deliveredBytes: Int64 = 0

    public init(maximumPendingBytes: Int = 1 << 20, maximumPendingSegments: Int = 4096) {
        self.maximumPendingBytes = maximumPendingBytes
        self.maximumPendingSegments = maximumPendingSegments
    }

    public var hasPending: Bool { !pending.isEmpty }

    /// A SYN: the stream starts after its sequence number.
    public mutating func syn(_ sequence: UInt32) {
        if next == nil { next = sequence &+ 1 }
    }

    /// A FIN after `length` payload bytes at `sequence`.
    public mutating func fin(_ sequence: UInt32, length: Int) {
        finSequence = sequence &+ UInt32(truncatingIfNeeded: length)
    }

    /// Adds a segment's payload; appends what became deliverable to `out`.
    public mutating func add(
        sequence: UInt32, payload: ArraySlice<UInt8>, frame: Int, time: Timestamp, into out: inout [StreamChunk]
    ) {
        guard !payload.isEmpty else { return }
        guard let expected = next else {
            next = sequence
            deliver(Segment(payload: payload, frame: frame, time: time), into: &out)
            drain(into: &out)
            return
        }
        let offset = sequenceDistance(sequence, expected)
        let length = Int64(payload.count)
        if offset + length <= 0 {
            retransmittedBytes += payload.count
            return
        }
        if offset <= 0 {
            retransmittedBytes += Int(-offset)
            deliver(Segment(payload: payload.dropFirst(Int(-offset)), frame: frame, time: time), into: &out)
            drain(into: &out)
            return
        }
        if let held = pending[sequence] {
            retransmittedBytes += min(held.payload.count, payload.count)
            if held.payload.count >= payload.count { return }
            pendingBytes -= held.payload.count
        }
        pending[sequence] = Segment(payload: payload, frame: frame, time: time)
        pendingBytes += payload.count
        while pendingBytes > maximumPendingBytes || pending.count > maximumPendingSegments {
            skipToEarliestPending(frame: frame, time: time, limit: nil, into: &out)
        }
    }

    /// The peer acknowledged everything before `acknowledgment`: bytes before it that were
    /// never captured are a gap now, since no retransmission will bring them.
    public mutating func peerAcknowledged(_ acknowledgment: UInt32, frame: Int, time: Timestamp, into out: inout [StreamChunk]) {
        guard let expected = next else { return }
        var acked = acknowledgment
        if let fin = finSequence, sequenceDistance(acked, fin) > 0 { acked = fin }  // the FIN's own number
        guard sequenceDistance(acked, expected) > 0 else { return }
        skipToEarliestPending(frame: frame, time: time, limit: acked, into: &out)
    }

    /// End of the capture or of the connection: delivers everything held, with gaps.
    public mutating func flush(frame: Int, time: Timestamp, into out: inout [StreamChunk]) {
        while !pending.isEmpty {
            skipToEarliestPending(frame: frame, time: time, limit: nil, into: &out)
        }
    }

    /// Declares the bytes from `next` up to the earliest held segment (or `limit`, if
    /// sooner) missing, then delivers what follows.
    private mutating func skipToEarliestPending(frame: Int, time: Timestamp, limit: UInt32?, into out: inout [StreamChunk]) {
        guard let expected = next else { return }
        var target = limit
        if let earliest = pending.keys.min(by: { sequenceDistance($0, expected) < sequenceDistance($1, expected) }) {
            if target == nil || sequenceDistance(earliest, target ?? earliest) < 0 { target = earliest }
        }
        guard let target else { return }
        let size = sequenceDistance(target, expected)
        guard size > 0 else { return }
        out.append(.gap(size: size, frame: frame, time: time))
        next = target
        drain(into: &out)
    }

    private mutating func deliver(_ segment: Segment, into out: inout [StreamChunk]) {
        out.append(.data(segment.payload, frame: segment.frame, time: segment.time))
        next = (next ?? 0) &+ UInt32(truncatingIfNeeded: segment.payload.count)
        deliveredBytes += Int64(segment.payload.count)
    }

    /// Delivers held segments that now start at or before `next`.
    private mutating func drain(into out: inout [StreamChunk]) {
        while !pending.isEmpty, let expected = next {
            if let segment = pending.removeValue(forKey: expected) {
                pendingBytes -= segment.payload.count
                deliver(segment, into: &out)
                continue
            }
            // A held segment that overlaps `next` (partly retransmitted data).
            guard
                let (sequence, segment) = pending.first(where: {
                    sequenceDistance($0.key, expected) < 0
                })
            else { return }
            pending[sequence] = nil
            pendingBytes -= segment.payload.count
            let overlap = Int(-sequenceDistance(sequence, expected))
            retransmittedBytes += min(overlap, segment.payload.count)
            if overlap < segment.payload.count {
                deliver(Segment(payload: segment.payload.dropFirst(overlap), frame: segment.frame, time: segment.time), into: &out)
            }
        }
    }
}
