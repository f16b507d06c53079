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

    public func line(_ text: String) {
        write(text)
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
