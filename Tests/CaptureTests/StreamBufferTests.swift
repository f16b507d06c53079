import Capture
import Provenance
import Testing

/// A reassembled direction's buffer: which frames carried the bytes a decoder consumes.
struct StreamBufferTests {
    func time(_ n: Int64) -> Timestamp { Timestamp(seconds: n) }

    func bytes(_ range: Range<Int>) -> ArraySlice<UInt8> {
        ArraySlice(range.map { UInt8(truncatingIfNeeded: $0) })
    }

    @Test func consumingNamesTheFramesThatCarriedTheBytes() {
        var buffer = StreamBuffer()
        buffer.append(bytes(0..<10), frame: 3, time: time(1))
        buffer.append(bytes(10..<30), frame: 5, time: time(2))
        buffer.append(bytes(30..<35), frame: 8, time: time(3))
        #expect(buffer.bytes.elementsEqual(bytes(0..<35)))
        #expect(buffer.segmentStarts == [0, 10, 30])
        #expect(buffer.firstFrame == 3 && buffer.lastFrame == 8)

        // A message from byte 0 to 14 was carried by frames 3 and 5; the time is the last one's.
        let first = buffer.consume(15)
        #expect(first.frames == [3, 5] && first.time == time(2))
        #expect(buffer.offset == 15 && buffer.bytes.first == 15)
        // Frame 5's segment is still partly held, and still starts at 10.
        #expect(buffer.segmentStarts == [10, 30] && buffer.firstFrame == 5)

        let rest = buffer.consume(20)
        #expect(rest.frames == [5, 8] && rest.time == time(3))
        #expect(buffer.bytes.isEmpty && buffer.segmentStarts.isEmpty && buffer.firstFrame == nil)
        #expect(buffer.end == 35 && buffer.received == 35)
    }

    @Test func consumingNothingNamesNoFrame() {
        var buffer = StreamBuffer()
        buffer.append(bytes(0..<4), frame: 1, time: time(1))
        let none = buffer.consume(0)
        #expect(none.frames.isEmpty && none.time == nil)
        #expect(buffer.bytes.count == 4)
    }

    @Test func consumedBytesAreDroppedWhenHalfTheStorageIs() {
        var buffer = StreamBuffer()
        buffer.append(bytes(0..<100), frame: 1, time: time(1))
        buffer.consume(40)
        // Consuming moves no bytes: they are still held…
        #expect(buffer.held == 100)
        buffer.append(bytes(100..<110), frame: 2, time: time(2))
        #expect(buffer.held == 110)
        buffer.consume(20)
        // …until an append finds at least half of the storage consumed.
        buffer.append(bytes(110..<120), frame: 3, time: time(3))
        #expect(buffer.held == 60)
        #expect(buffer.bytes.elementsEqual(bytes(60..<120)))
        #expect(buffer.offset == 60 && buffer.end == 120)
    }

    @Test func bytesNotKeptGapsAndDiscardingMoveTheOffset() {
        var buffer = StreamBuffer()
        buffer.pass(50)  // received, not kept
        #expect(buffer.received == 50 && buffer.offset == 50 && buffer.held == 0)
        buffer.append(bytes(0..<10), frame: 4, time: time(1))
        #expect(buffer.segmentStarts == [50] && buffer.end == 60)
        buffer.discard()
        #expect(buffer.offset == 60 && buffer.held == 0 && buffer.lastFrame == nil)
        buffer.skip(1000)  // a gap: never captured, so not received
        #expect(buffer.offset == 1060 && buffer.received == 60)
        buffer.append(bytes(0..<10), frame: 9, time: time(2))
        buffer.clear()
        #expect(buffer.offset == 1060 && buffer.bytes.isEmpty && buffer.received == 70)
    }
}
