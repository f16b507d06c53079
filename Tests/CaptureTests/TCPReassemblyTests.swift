import Capture
import Provenance
import Testing

/// One direction's reassembly, anomaly by anomaly.
struct TCPDirectionAssemblerTests {
    let t = Timestamp(seconds: 1)

    func bytes(_ range: Range<Int>) -> ArraySlice<UInt8> {
        ArraySlice(range.map { UInt8(truncatingIfNeeded: $0) })
    }

    /// The delivered stream: data bytes, with a gap as that many `nil`s.
    func stream(_ chunks: [StreamChunk]) -> [UInt8?] {
        chunks.flatMap { chunk -> [UInt8?] in
            switch chunk {
            case let .data(data, _, _): data.map { Optional($0) }
            case let .gap(size, _, _): [UInt8?](repeating: nil, count: Int(size))
            }
        }
    }

    @Test func inOrderAndOutOfOrder() {
        var a = TCPDirectionAssembler()
        var out: [StreamChunk] = []
        a.syn(999)
        a.add(sequence: 1000, payload: bytes(0..<10), frame: 1, time: t, into: &out)
        a.add(sequence: 1020, payload: bytes(20..<30), frame: 2, time: t, into: &out)  // early
        #expect(stream(out).count == 10)
        a.add(sequence: 1010, payload: bytes(10..<20), frame: 3, time: t, into: &out)  // fills the hole
        #expect(stream(out) == (0..<30).map { UInt8($0) })
        #expect(a.next == 1030)
        #expect(!a.hasPending)
    }

    @Test func exactAndPartialRetransmissions() {
        var a = TCPDirectionAssembler()
        var out: [StreamChunk] = []
        a.syn(0)
        a.add(sequence: 1, payload: bytes(0..<10), frame: 1, time: t, into: &out)
        a.add(sequence: 1, payload: bytes(0..<10), frame: 2, time: t, into: &out)  // exact copy
        a.add(sequence: 6, payload: bytes(5..<15), frame: 3, time: t, into: &out)  // overlaps 5 bytes
        // Held segments overlapping each other and the next byte.
        a.add(sequence: 21, payload: bytes(20..<25), frame: 4, time: t, into: &out)
        a.add(sequence: 18, payload: bytes(17..<22), frame: 5, time: t, into: &out)
        a.add(sequence: 16, payload: bytes(15..<18), frame: 6, time: t, into: &out)
        #expect(stream(out) == (0..<25).map { UInt8($0) })
        // 10 (the copy) + 5 (the overlap) + 1 and 2 (the held segments overlapping each other).
        #expect(a.retransmittedBytes == 10 + 5 + 1 + 2)
    }

    @Test func sequenceNumbersWrapAround() {
        var a = TCPDirectionAssembler()
        var out: [StreamChunk] = []
        a.syn(UInt32.max - 5)
        a.add(sequence: UInt32.max - 4, payload: bytes(0..<3), frame: 1, time: t, into: &out)
        a.add(sequence: 1, payload: bytes(6..<10), frame: 3, time: t, into: &out)  // after the wrap, early
        a.add(sequence: UInt32.max - 1, payload: bytes(3..<6), frame: 2, time: t, into: &out)  // spans 2^32
        #expect(stream(out) == (0..<10).map { UInt8($0) })
        #expect(a.next == 5)
    }

    @Test func aLostSegmentIsAGapOnceTheReceiverAcknowledgesIt() {
        var a = TCPDirectionAssembler()
        var out: [StreamChunk] = []
        a.syn(0)
        a.add(sequence: 1, payload: bytes(0..<10), frame: 1, time: t, into: &out)
        // 10..<20 never captured; 20..<30 arrives and is held.
        a.add(sequence: 21, payload: bytes(20..<30), frame: 3, time: t, into: &out)
        #expect(stream(out).count == 10)
        a.peerAcknowledged(31, frame: 4, time: t, into: &out)
        #expect(stream(out) == (0..<10).map { UInt8($0) } + [UInt8?](repeating: nil, count: 10) + (20..<30).map { UInt8($0) })
        if case let .gap(size, frame, _) = out[1] {
            #expect(size == 10)
            #expect(frame == 4)
        } else {
            Issue.record("no gap: \(out)")
        }
        // An acknowledgment of bytes not yet seen at all is a gap too (the last segment lost).
        out.removeAll()
        a.peerAcknowledged(41, frame: 5, time: t, into: &out)
        #expect(stream(out) == [UInt8?](repeating: nil, count: 10))
    }

    @Test func theMemoryBoundForcesAGap() {
        var a = TCPDirectionAssembler(maximumPendingBytes: 100, maximumPendingSegments: 3)
        var out: [StreamChunk] = []
        a.syn(0)
        for i in 0..<4 {  // four held segments after a hole of 50 bytes
            a.add(sequence: UInt32(51 + i * 10), payload: bytes((50 + i * 10)..<(60 + i * 10)), frame: i + 1, time: t, into: &out)
        }
        #expect(stream(out) == [UInt8?](repeating: nil, count: 50) + (50..<90).map { UInt8($0) })
    }

    @Test func theEndFlushesHeldDataWithGaps() {
        var a = TCPDirectionAssembler()
        var out: [StreamChunk] = []
        // No SYN: the capture starts mid-connection at the first segment seen.
        a.add(sequence: 5000, payload: bytes(0..<5), frame: 1, time: t, into: &out)
        a.add(sequence: 5010, payload: bytes(10..<15), frame: 2, time: t, into: &out)
        a.flush(frame: 3, time: t, into: &out)
        #expect(stream(out) == (0..<5).map { UInt8($0) } + [UInt8?](repeating: nil, count: 5) + (10..<15).map { UInt8($0) })
    }
}

/// Connections: open, close, reuse, mid-connection starts.
struct TCPTrackerTests {
    let client = Endpoint(address: .v4(0x0a00_0001), port: 40000)
    let server = Endpoint(address: .v4(0x0a00_0002), port: 9735)
    var frame = 0

    mutating func segment(_ from: Endpoint, _ to: Endpoint, _ seq: UInt32, _ ack: UInt32, _ flags: TCPFlags, _ payload: [UInt8] = []) -> TCPSegment {
        frame += 1
        return TCPSegment(
            source: from, destination: to, sequence: seq, acknowledgment: ack, flags: flags,
            payload: payload[...], frames: [frame], time: Timestamp(seconds: Int64(frame)))
    }

    func summary(_ events: [TCPEvent]) -> [String] {
        events.map { event in
            switch event {
            case let .opened(info): "open \(info.id) \(info.a.port)→\(info.b.port) syn=\(info.synSeen)"
            case let .chunk(id, fromA, .data(data, _, _)): "data \(id) \(fromA ? "a" : "b") \(data.count)"
            case let .chunk(id, fromA, .gap(size, _, _)): "gap \(id) \(fromA ? "a" : "b") \(size)"
            case let .closed(id, _, _, reason): "closed \(id) \(reason.rawValue)"
            }
        }
    }

    @Test mutating func handshakeDataAndFin() {
        let tracker = TCPTracker()
        var events: [TCPEvent] = []
        for s in [
            segment(client, server, 100, 0, [.syn]),
            segment(server, client, 500, 101, [.syn, .ack]),
            segment(client, server, 101, 501, [.ack]),
            segment(client, server, 101, 501, [.ack, .psh], [1, 2, 3]),
            segment(server, client, 501, 104, [.ack, .psh], [9, 9]),
            segment(client, server, 104, 503, [.fin, .ack]),
            segment(server, client, 503, 105, [.fin, .ack]),
            segment(client, server, 105, 504, [.ack]),
        ] { tracker.add(s, into: &events) }
        #expect(summary(events) == ["open 1 40000→9735 syn=true", "data 1 a 3", "data 1 b 2", "closed 1 fin"])
    }

    @Test mutating func resetPortReuseAndRetransmittedSyn() {
        let tracker = TCPTracker()
        var events: [TCPEvent] = []
        for s in [
            segment(client, server, 100, 0, [.syn]),
            segment(client, server, 100, 0, [.syn]),  // SYN retransmitted
            segment(client, server, 101, 0, [.ack], [1]),
            segment(server, client, 0, 102, [.rst]),
            segment(client, server, 101, 0, [.ack], [1]),  // late retransmission: ignored
            segment(client, server, 7000, 0, [.syn]),  // the same ports again: a new connection
            segment(client, server, 7001, 0, [.ack], [5, 5]),
        ] { tracker.add(s, into: &events) }
        tracker.finish(frame: frame, time: Timestamp(seconds: 99), into: &events)
        #expect(
            summary(events) == [
                "open 1 40000→9735 syn=true", "data 1 a 1", "closed 1 reset",
                "open 2 40000→9735 syn=true", "data 2 a 2", "closed 2 end of capture",
            ])
    }

    @Test mutating func midConnectionAndPortFilter() {
        let tracker = TCPTracker(ports: [9735])
        var events: [TCPEvent] = []
        let other = Endpoint(address: .v4(0x0a00_0003), port: 80)
        for s in [
            segment(server, client, 9000, 1, [.ack], [1, 2]),  // the capture starts here
            segment(client, other, 1, 1, [.ack], [7]),  // not on port 9735: not followed
            segment(client, server, 1, 9002, [.ack], [3]),
            segment(client, server, 2, 9002, [.ack]),  // a pure ACK creates nothing
        ] { tracker.add(s, into: &events) }
        #expect(summary(events) == ["open 1 9735→40000 syn=false", "data 1 a 2", "data 1 b 1"])
    }
}
