import CPcap
import Foundation
import Provenance
#if canImport(Glibc)
    import Glibc
#endif

/// A NUL-terminated C buffer as a String.
func cString(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// One captured frame: its number (from 1, as Wireshark counts), time and bytes.
public struct Frame: Sendable {
    public var number: Int
    public var time: Timestamp
    /// The link-layer type of the frame (a `LINKTYPE_*` value).
    public var linkType: Int32
    /// The captured bytes (may be shorter than `originalLength` if the snapshot length cut it).
    public var data: [UInt8]
    public var originalLength: Int
}

/// Why a capture could not be opened or read further.
public struct CaptureError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// Reads pcap (either byte order, microsecond or nanosecond timestamps) and pcapng
/// captures through libpcap, frame by frame, with nanosecond timestamps.
public final class PcapReader {
    private let handle: OpaquePointer
    public let linkType: Int32
    private var nextNumber = 1
    /// Set once libpcap reports an error (for example a truncated file).
    public private(set) var error: CaptureError?

    /// Opens a capture file by path.
    public init(path: String) throws(CaptureError) {
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let handle = pcap_open_offline_with_tstamp_precision(path, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errbuf) else {
            throw CaptureError(message: "\(path): \(cString(errbuf))")
        }
        self.handle = handle
        self.linkType = pcap_datalink(handle)
    }

    /// Reads a capture from a byte source (standard input, after format detection peeked
    /// at its first bytes).
    public init(source: ByteSource, name: String) throws(CaptureError) {
        guard let file = PipedFile.open(source) else {
            throw CaptureError(message: "\(name): cannot read the stream")
        }
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let handle = pcap_fopen_offline_with_tstamp_precision(file, UInt32(PCAP_TSTAMP_PRECISION_NANO), &errbuf) else {
            fclose(file)
            throw CaptureError(message: "\(name): \(cString(errbuf))")
        }
        self.handle = handle
        self.linkType = pcap_datalink(handle)
    }

    deinit {
        pcap_close(handle)
    }

    /// How far into the file libpcap has read, in bytes (`nil` for a stream).
    public var position: Int64? {
        guard let file = pcap_file(handle) else { return nil }
        let offset = ftello(file)
        return offset >= 0 ? Int64(offset) : nil
    }

    /// The number the next frame will get; after the end, one more than the last frame.
    public var nextFrameNumber: Int { nextNumber }

    /// The next frame, or `nil` at the end of the capture or after an error (see ``error``).
    public func next() -> Frame? {
        guard error == nil else { return nil }
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        let status = pcap_next_ex(handle, &header, &data)
        switch status {
        case 1:
            guard let header, let data else { return nil }
            let h = header.pointee
            let frame = Frame(
                number: nextNumber,
                // A damaged record may hold any value in its fraction field (libpcap reports
                // nanoseconds here): carried into the seconds, never trapped on.
                time: Timestamp(seconds: Int64(h.ts.tv_sec), nanosecondsCarried: Int64(h.ts.tv_usec)),
                linkType: linkType,
                data: Array(UnsafeBufferPointer(start: data, count: Int(h.caplen))),
                originalLength: Int(h.len))
            nextNumber += 1
            return frame
        case -2:
            return nil
        default:
            error = CaptureError(message: String(cString: pcap_geterr(handle)))
            return nil
        }
    }
}

/// A C `FILE*` fed from a ``ByteSource`` through a pipe, so libpcap can read a stream
/// (standard input) whose first bytes were already consumed for format detection.
enum PipedFile {
    static func open(_ source: ByteSource) -> UnsafeMutablePointer<FILE>? {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return nil }
        let (readEnd, writeEnd) = (fds[0], fds[1])
        // The source is used only by the feeder thread from here on.
        let box = UncheckedBox(source)
        let feeder = Thread {
            // libpcap may stop reading (a damaged record) and close its end: a write then
            // raises SIGPIPE, which would kill the process. Blocked in this thread, the
            // write fails with EPIPE instead and the feeder stops.
            var pipeSignal = sigset_t()
            sigemptyset(&pipeSignal)
            sigaddset(&pipeSignal, SIGPIPE)
            pthread_sigmask(SIG_BLOCK, &pipeSignal, nil)
            let source = box.value
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while let n = try? source.read(into: &buffer, from: 0), n > 0 {
                var offset = 0
                while offset < n {
                    let written = buffer.withUnsafeBytes { raw -> Int in
                        guard let base = raw.baseAddress else { return -1 }
                        return Glibc.write(writeEnd, base + offset, n - offset)
                    }
                    if written < 0 {
                        if errno == EINTR { continue }
                        close(writeEnd)
                        return  // the reader went away
                    }
                    offset += written
                }
            }
            close(writeEnd)
        }
        feeder.start()
        return fdopen(readEnd, "r")
    }
}

/// Hands a value to another thread that becomes its only user.
final class UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
