import Provenance

/// One direction of a reassembled TCP connection, as a decoder reads it: the bytes received
/// and not yet consumed, where they sit in the stream, and which capture frames carried them,
/// so that whatever the bytes decode to can name its frames and time.
///
/// Consuming bytes does not move the rest: they are dropped from storage from time to time,
/// when an append finds at least half of the storage consumed.
public struct StreamBuffer: Sendable {
    /// Received bytes; those before `head` are consumed.
    private var storage: [UInt8] = []
    private var head = 0
    /// Stream offset of the first unconsumed byte.
    public private(set) var offset: Int64 = 0
    /// Bytes received in all: held, consumed or passed over.
    public private(set) var received: Int64 = 0
    /// Stream offsets where the held segments start, oldest first (the first may start
    /// before ``offset``, when part of it was consumed).
    public private(set) var segmentStarts: [Int64] = []
    /// The held segments, parallel to ``segmentStarts``.
    private var segments: [Segment] = []

    struct Segment: Sendable {
        var end: Int64
        var frame: Int
        var time: Timestamp
    }

    public init() {}

    /// The unconsumed bytes.
    public var bytes: ArraySlice<UInt8> { storage[head...] }

    /// Bytes held in memory, consumed ones not yet dropped included: what counts against a
    /// capture's memory limit.
    public var held: Int { storage.count }

    /// Stream offset just past the last byte received.
    public var end: Int64 { offset + Int64(storage.count - head) }

    /// The capture frame that carried the first unconsumed byte.
    public var firstFrame: Int? { segments.first?.frame }

    /// The capture frame that carried the last byte held.
    public var lastFrame: Int? { segments.last?.frame }

    /// Adds the bytes of one segment, carried by `frame`.
    public mutating func append(_ bytes: ArraySlice<UInt8>, frame: Int, time: Timestamp) {
        received += Int64(bytes.count)
        let start = end
        if head > 0, head >= storage.count / 2 {
            storage.removeFirst(head)
            head = 0
        }
        storage.append(contentsOf: bytes)
        segmentStarts.append(start)
        segments.append(Segment(end: end, frame: frame, time: time))
    }

    /// Counts `count` bytes received that are not kept (their direction is not decoded).
    public mutating func pass(_ count: Int) {
        received += Int64(count)
        offset += Int64(count)
    }

    /// Drops the first `count` unconsumed bytes, returning the frames that carried them and
    /// the time of the last.
    @discardableResult
    public mutating func consume(_ count: Int) -> (frames: [Int], time: Timestamp?) {
        let stop = offset + Int64(count)
        var frames: [Int] = []
        var time: Timestamp?
        for (start, segment) in zip(segmentStarts, segments) where start < stop && segment.end > offset {
            if frames.last != segment.frame { frames.append(segment.frame) }
            time = segment.time
        }
        if let firstKept = segments.firstIndex(where: { $0.end > stop }) {
            segmentStarts.removeFirst(firstKept)
            segments.removeFirst(firstKept)
        } else {
            segmentStarts.removeAll(keepingCapacity: true)
            segments.removeAll(keepingCapacity: true)
        }
        head += count
        offset = stop
        return (frames, time)
    }

    /// Drops every held byte, consumed or not; the ``offset`` stays where it was.
    public mutating func clear() {
        storage.removeAll()
        head = 0
        segmentStarts.removeAll()
        segments.removeAll()
    }

    /// Drops every held byte as consumed: the ``offset`` moves to the ``end``.
    public mutating func discard() {
        offset = end
        clear()
    }

    /// Moves the ``offset`` over `size` bytes that were never captured (a TCP gap).
    public mutating func skip(_ size: Int64) {
        offset += size
    }
}
