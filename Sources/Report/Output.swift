import Basics

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Buffered output to a file descriptor (standard output or error).
///
/// Bytes are collected and written in large blocks; ``flush()`` is called by the readers
/// whenever input pauses, so streamed output (`tail -F … | lntrace`) appears promptly.
public final class Output: @unchecked Sendable {
    public let fd: Int32
    private var buffer: [UInt8] = []
    private let capacity: Int
    /// Set once a write fails (for example a closed pipe); later writes are dropped.
    public private(set) var failed = false

    public init(fd: Int32, capacity: Int = 1 << 16) {
        self.fd = fd
        self.capacity = capacity
        buffer.reserveCapacity(capacity)
    }

    public static let standardOutput = Output(fd: 1)
    public static let standardError = Output(fd: 2, capacity: 1 << 12)

    /// Whether the descriptor is a terminal (for colour and progress).
    public var isTerminal: Bool { isatty(fd) == 1 }

    public func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= capacity { flush() }
    }

    public func write(bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= capacity { flush() }
    }

    /// Whether lines may keep colour escapes (SGR, `ESC [ … m`): set when the report paints.
    public var allowsColor = false

    /// One line of text for a reader: control characters in it are shown, not obeyed.
    public func line(_ text: String) {
        TerminalText.append(text, to: &buffer, keepingColor: allowsColor)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= capacity { flush() }
    }

    public func flush() {
        guard !buffer.isEmpty else { return }
        defer { buffer.removeAll(keepingCapacity: true) }
        guard !failed else { return }
        var offset = 0
        buffer.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            while offset < raw.count {
                #if canImport(Glibc)
                    let n = Glibc.write(fd, base + offset, raw.count - offset)
                #else
                    let n = Darwin.write(fd, base + offset, raw.count - offset)
                #endif
                if n < 0 {
                    if errno == EINTR { continue }
                    failed = true
                    return
                }
                offset += n
            }
        }
    }

    deinit { flush() }
}

/// Text from a trace (an `error` message's data, a log line, a peer's alias) may hold
/// control characters: a carriage return or a newline would forge report lines, and
/// terminal escapes could move the cursor, retitle the window or hide text. Each is
/// written as `\xhh` (C1 controls as `\u{hh}`), as `cat -v` and tshark make them visible.
/// Tabs stay, and so do colour escapes when the report paints (they are lntrace's own).
enum TerminalText {
    /// `text` with its control characters shown, for text written other than by
    /// ``Output/line(_:)`` (the progress meter's file name).
    static func visible(_ text: String) -> String {
        var buffer: [UInt8] = []
        append(text, to: &buffer, keepingColor: false)
        return String(decoding: buffer, as: UTF8.self)
    }

    static func append(_ text: String, to buffer: inout [UInt8], keepingColor: Bool) {
        let utf8 = text.utf8
        let clean = utf8.withContiguousStorageIfAvailable { bytes in
            !bytes.contains { $0 < 0x20 && $0 != 0x09 || $0 == 0x7f || $0 == 0xc2 }
        }
        if clean == true {
            buffer.append(contentsOf: utf8)
            return
        }
        let bytes = Array(utf8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == 0x1b, keepingColor, let end = sgrEnd(bytes, from: i) {
                buffer.append(contentsOf: bytes[i..<end])
                i = end
            } else if b < 0x20 && b != 0x09 || b == 0x7f {
                buffer.append(contentsOf: Array("\\x".utf8))
                Hex.append([b], to: &buffer)
                i += 1
            } else if b == 0xc2, i + 1 < bytes.count, (0x80...0x9f).contains(bytes[i + 1]) {
                buffer.append(contentsOf: Array("\\u{".utf8))
                Hex.append([bytes[i + 1]], to: &buffer)
                buffer.append(UInt8(ascii: "}"))
                i += 2
            } else {
                buffer.append(b)
                i += 1
            }
        }
    }

    /// The end of an SGR sequence `ESC [ digits;… m` starting at `start`.
    private static func sgrEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var j = start + 1
        guard j < bytes.count, bytes[j] == UInt8(ascii: "[") else { return nil }
        j += 1
        while j < bytes.count, bytes[j] == UInt8(ascii: ";") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[j]) { j += 1 }
        return j < bytes.count && bytes[j] == UInt8(ascii: "m") ? j + 1 : nil
    }
}
