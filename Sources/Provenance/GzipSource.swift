import CZlib

/// Decompresses a gzip stream (rotated logs such as `lnd.log.3.gz`) as it is read, with
/// zlib; concatenated gzip members are read one after the other.
public final class GzipSource: ByteSource {
    private let source: ByteSource
    private var stream = z_stream()
    private var input = [UInt8](repeating: 0, count: 1 << 16)
    private var inputStart = 0
    private var inputEnd = 0
    private var sourceDone = false
    /// Whether a gzip member has started and not yet ended.
    private var inMember = false

    /// `nil` if zlib cannot be initialised.
    public init?(_ source: ByteSource) {
        self.source = source
        // 15 + 32: the largest window, and detect the gzip header.
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return nil }
    }

    deinit {
        inflateEnd(&stream)
    }

    /// Whether bytes start with the gzip magic number.
    public static func isGzip(_ prefix: [UInt8]) -> Bool {
        prefix.count >= 2 && prefix[0] == 0x1f && prefix[1] == 0x8b
    }

    public var hasPendingInput: Bool { inputStart < inputEnd || sourceDone || source.hasPendingInput }

    public func read(into buffer: inout [UInt8], from offset: Int) throws(ReadError) -> Int {
        while true {
            if inputStart == inputEnd && !sourceDone {
                let n = try source.read(into: &input, from: 0)
                inputStart = 0
                inputEnd = n
                if n == 0 { sourceDone = true }
            }
            if inputStart == inputEnd && sourceDone {
                if inMember { throw .corrupt("gzip stream ends in the middle of a member (truncated file?)") }
                return 0
            }
            let available = inputEnd - inputStart
            let room = buffer.count - offset
            var status: Int32 = Z_OK
            var produced = 0
            var consumed = 0
            input.withUnsafeMutableBufferPointer { inBuffer in
                buffer.withUnsafeMutableBufferPointer { outBuffer in
                    guard let inBase = inBuffer.baseAddress, let outBase = outBuffer.baseAddress else { return }
                    stream.next_in = inBase + inputStart
                    stream.avail_in = UInt32(available)
                    stream.next_out = outBase + offset
                    stream.avail_out = UInt32(room)
                    status = inflate(&stream, Z_NO_FLUSH)
                    produced = room - Int(stream.avail_out)
                    consumed = available - Int(stream.avail_in)
                }
            }
            inputStart += consumed
            if consumed > 0 || produced > 0 { inMember = true }
            switch status {
            case Z_STREAM_END:
                // The member is complete; another may follow (rotated logs are often concatenated).
                inflateReset(&stream)
                inMember = false
            case Z_OK, Z_BUF_ERROR:
                break
            default:
                throw .corrupt("gzip data is corrupt (zlib status \(status))")
            }
            if produced > 0 { return produced }
        }
    }
}
