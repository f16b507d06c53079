#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Basics

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

extension JSONWriter {
    /// Opens one of lntrace's JSON documents: `{"schema_version":1,"tool":{"name":"lntrace",
    /// "version":…}`, then `"command":…` when given; the caller writes the other members.
    public mutating func beginDocument(toolVersion: String, command: String? = nil) {
        beginObject()
        field("schema_version", 1)
        key("tool")
        beginObject()
        field("name", "lntrace")
        field("version", toolVersion)
        endObject()
        if let command { field("command", command) }
    }
}

extension Output {
    /// Writes what `build` puts into `json`, which is cleared first (its buffer is reused).
    public func write(_ json: inout JSONWriter, _ build: (inout JSONWriter) -> Void) {
        json.reset()
        build(&json)
        write(bytes: json.bytes)
    }

    /// Writes one JSON Lines record: what `build` puts into `json`, and a newline.
    public func record(_ json: inout JSONWriter, _ build: (inout JSONWriter) -> Void) {
        write(&json, build)
        write("\n")
    }

    /// Writes one element of an array whose brackets are written elsewhere: a comma unless
    /// it is the first (`wrote` keeps track), then what `build` puts into `json`.
    public func element(_ json: inout JSONWriter, after wrote: inout Bool, _ build: (inout JSONWriter) -> Void) {
        if wrote { write(",") }
        write(&json, build)
        wrote = true
    }

    /// Opens a streamed JSON document (see ``JSONWriter/beginDocument(toolVersion:command:)``)
    /// up to the opening bracket of its first member, the array `first`, whose elements follow.
    public func beginDocument(toolVersion: String, command: String, array first: String) {
        var json = JSONWriter()
        json.beginDocument(toolVersion: toolVersion, command: command)
        json.key(first)
        json.beginArray()
        write(bytes: json.bytes)
    }
}
