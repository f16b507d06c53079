#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import Provenance

/// Reads a byte stream (a file or a pipe) line by line with bounded memory.
///
/// Lines are handed out as they arrive: `read(2)` returns whatever a pipe holds, so input
/// from `tail -F` is processed while the writer is still writing. A line longer than
/// `maximumLineLength` is cut there and reported as truncated, so binary input without
/// newlines cannot exhaust memory.
public struct LineReader: ~Copyable {
    public typealias ReadError = Provenance.ReadError

    public struct Line {
        /// 1-based line number.
        public var number: Int
        /// The line's bytes without `\n` or `\r\n` (at most `maximumLineLength` bytes).
        public var bytes: ArraySlice<UInt8>
        /// Whether bytes beyond `maximumLineLength` were dropped.
        public var truncated: Bool
        /// The time a wrapper (journald, docker, …) gave the line, and its text.
        public var wrapperTime: Timestamp?
        public var wrapperTimeText: ArraySlice<UInt8>?

        public init(
            number: Int, bytes: ArraySlice<UInt8>, truncated: Bool = false, wrapperTime: Timestamp? = nil,
            wrapperTimeText: ArraySlice<UInt8>? = nil
        ) {
            self.number = number
            self.bytes = bytes
            self.truncated = truncated
            self.wrapperTime = wrapperTime
            self.wrapperTimeText = wrapperTimeText
        }
    }

    public static let defaultMaximumLineLength = 1 << 20

    private let source: ByteSource
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var lineNumber = 0
    private var atEOF = false
    private var skippingOverlong = false
    public let maximumLineLength: Int
    /// Total bytes consumed from the source.
    public private(set) var bytesRead: UInt64 = 0

    public init(source: ByteSource, chunkSize: Int = 1 << 16, maximumLineLength: Int = LineReader.defaultMaximumLineLength) {
        self.source = source
        self.buffer = [UInt8](repeating: 0, count: max(chunkSize, 1024))
        self.maximumLineLength = maximumLineLength
    }

    /// The next line, or `nil` at the end of input.
    ///
    /// `beforeReading` runs whenever the buffered bytes hold no complete line and the source
    /// must be read, which may wait on a live pipe: the moment to flush output.
    public mutating func next(beforeReading: () -> Void = {}) throws(ReadError) -> Line? {
        while true {
            // A complete line in the buffer?
            if let newline = Self.newline(in: buffer, from: start, to: end) {
                var lineEnd = newline
                let wasSkipping = skippingOverlong
                skippingOverlong = false
                if lineEnd > start, buffer[lineEnd - 1] == UInt8(ascii: "\r") { lineEnd -= 1 }
                let lineStart = start
                start = newline + 1
                if wasSkipping { continue }  // the tail of an over-long line, already reported
                lineNumber += 1
                return Line(number: lineNumber, bytes: buffer[lineStart..<lineEnd], truncated: false)
            }
            if atEOF {
                guard start < end, !skippingOverlong else { return nil }
                lineNumber += 1
                let line = Line(number: lineNumber, bytes: buffer[start..<end], truncated: false)
                start = end
                return line
            }
            // An over-long line: hand out its first `maximumLineLength` bytes, skip the rest.
            if end - start >= maximumLineLength, !skippingOverlong {
                lineNumber += 1
                let line = Line(number: lineNumber, bytes: buffer[start..<(start + maximumLineLength)], truncated: true)
                start = end
                skippingOverlong = true
                return line
            }
            if skippingOverlong {
                start = 0
                end = 0
            }
            beforeReading()
            try fill()
        }
    }

    /// The next `\n` in `buffer[from..<to]` (`memchr`).
    @inline(__always)
    private static func newline(in buffer: [UInt8], from: Int, to: Int) -> Int? {
        guard from < to else { return nil }
        return buffer.withUnsafeBufferPointer { b -> Int? in
            guard let base = b.baseAddress, let hit = memchr(base + from, 10, to - from) else { return nil }
            return UnsafeRawPointer(hit) - UnsafeRawPointer(base)
        }
    }

    private mutating func fill() throws(ReadError) {
        if start > 0 {
            // Move the partial line to the front.
            let count = end - start
            if count > 0 {
                buffer.withUnsafeMutableBufferPointer { buf in
                    guard let base = buf.baseAddress else { return }
                    memmove(base, base + start, count)
                }
            }
            start = 0
            end = count
        }
        if end == buffer.count {
            buffer.append(contentsOf: [UInt8](repeating: 0, count: buffer.count))
        }
        let n = try source.read(into: &buffer, from: end)
        if n == 0 {
            atEOF = true
        } else {
            end += n
            bytesRead += UInt64(n)
        }
    }
}
