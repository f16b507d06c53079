#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A failed read of an input.
public enum ReadError: Error, Sendable, CustomStringConvertible {
    case io(errno: Int32)
    /// Compressed input that does not decompress.
    case corrupt(String)

    public var description: String {
        switch self {
        case let .io(code): String(cString: strerror(code))
        case let .corrupt(reason): reason
        }
    }
}

/// Where an input's bytes come from: a file descriptor, a decompressor, or bytes already read.
public protocol ByteSource: AnyObject {
    /// Reads into `buffer[offset...]`; returns 0 at end of input.
    func read(into buffer: inout [UInt8], from offset: Int) throws(ReadError) -> Int
    /// Whether a read now would return at once (data or end of input are ready), rather
    /// than wait on a live pipe.
    var hasPendingInput: Bool { get }
}

/// A file descriptor read with `read(2)`, retrying on `EINTR`.
public final class FileDescriptorSource: ByteSource {
    public let fd: Int32
    private let closeOnDeinit: Bool

    public init(fd: Int32, closeOnDeinit: Bool) {
        self.fd = fd
        self.closeOnDeinit = closeOnDeinit
    }

    deinit {
        if closeOnDeinit { close(fd) }
    }

    /// The size of the file when it is a regular file (not a pipe or terminal).
    public var regularFileSize: Int64? {
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return Int64(info.st_size)
    }

    /// The file's modification time in seconds since the epoch, when it is a regular file.
    public var modificationTime: Int64? {
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        #if canImport(Glibc)
            return Int64(info.st_mtim.tv_sec)
        #else
            return Int64(info.st_mtimespec.tv_sec)
        #endif
    }

    /// How far into the file reading has got (`nil` for a pipe).
    public var position: Int64? {
        let offset = lseek(fd, 0, SEEK_CUR)
        return offset >= 0 ? Int64(offset) : nil
    }

    public var hasPendingInput: Bool {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, 0) != 0
    }

    public func read(into buffer: inout [UInt8], from offset: Int) throws(ReadError) -> Int {
        while true {
            let n = buffer.withUnsafeMutableBufferPointer { buf -> Int in
                guard let base = buf.baseAddress else { return 0 }
                #if canImport(Glibc)
                    return Glibc.read(fd, base + offset, buf.count - offset)
                #else
                    return Darwin.read(fd, base + offset, buf.count - offset)
                #endif
            }
            if n >= 0 { return n }
            if errno == EINTR { continue }
            throw .io(errno: errno)
        }
    }
}

/// Bytes in memory as a source (tests, fuzzing, and inputs already read).
public final class MemorySource: ByteSource {
    private let bytes: [UInt8]
    private var offset = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var hasPendingInput: Bool { true }

    public func read(into buffer: inout [UInt8], from start: Int) throws(ReadError) -> Int {
        let n = min(bytes.count - offset, buffer.count - start)
        guard n > 0 else { return 0 }
        buffer.replaceSubrange(start..<(start + n), with: bytes[offset..<(offset + n)])
        offset += n
        return n
    }
}

/// A source that first returns bytes already read (for example while detecting the input
/// format from its first bytes), then continues with the underlying source.
public final class PrefixedSource: ByteSource {
    private var prefix: [UInt8]
    private var offset = 0
    private let rest: ByteSource

    public init(prefix: [UInt8], rest: ByteSource) {
        self.prefix = prefix
        self.rest = rest
    }

    public var hasPendingInput: Bool { offset < prefix.count || rest.hasPendingInput }

    public func read(into buffer: inout [UInt8], from start: Int) throws(ReadError) -> Int {
        if offset < prefix.count {
            let n = min(prefix.count - offset, buffer.count - start)
            buffer.replaceSubrange(start..<(start + n), with: prefix[offset..<(offset + n)])
            offset += n
            if offset == prefix.count {
                prefix = []
                offset = 0
            }
            return n
        }
        return try rest.read(into: &buffer, from: start)
    }
}

/// Opens a path for reading (`-` is standard input).
public enum InputFile {
    public enum OpenError: Error, Sendable, CustomStringConvertible {
        case cannotOpen(path: String, errno: Int32)

        public var description: String {
            switch self {
            case let .cannotOpen(path, code): "\(path): \(String(cString: strerror(code)))"
            }
        }
    }

    public static func open(_ path: String) throws(OpenError) -> FileDescriptorSource {
        if path == "-" { return FileDescriptorSource(fd: 0, closeOnDeinit: false) }
        #if canImport(Glibc)
            let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        #else
            let fd = Darwin.open(path, O_RDONLY | O_CLOEXEC)
        #endif
        guard fd >= 0 else { throw .cannotOpen(path: path, errno: errno) }
        return FileDescriptorSource(fd: fd, closeOnDeinit: true)
    }

    /// Reads the start of `source` until `enough` says the bytes suffice, `limit` bytes have
    /// arrived, or the input ends. Reads never wait for more than the source already has
    /// once `enough` is satisfied, so detection works on a live pipe.
    public static func peek(
        _ source: ByteSource, limit: Int, enough: ([UInt8]) -> Bool
    ) throws(ReadError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: limit)
        var filled = 0
        while filled < limit {
            let n = try source.read(into: &buffer, from: filled)
            if n == 0 { break }
            filled += n
            if enough(Array(buffer[0..<filled])) { break }
        }
        return Array(buffer[0..<filled])
    }
}
