import CPcap
import Provenance

/// Writes a pcap file through libpcap's dump API (`pcap_dump`), with microsecond or
/// nanosecond timestamps.
public final class PcapWriter {
    private let handle: OpaquePointer
    private let dumper: OpaquePointer
    public let nanosecond: Bool
    public private(set) var frames = 0

    public init(path: String, linkType: Int32, nanosecond: Bool) throws(CaptureError) {
        let precision = nanosecond ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO
        guard let handle = pcap_open_dead_with_tstamp_precision(linkType, 262_144, UInt32(precision)) else {
            throw CaptureError(message: "\(path): libpcap cannot create a capture")
        }
        guard let dumper = pcap_dump_open(handle, path) else {
            let reason = String(cString: pcap_geterr(handle))
            pcap_close(handle)
            throw CaptureError(message: "\(path): \(reason)")
        }
        self.handle = handle
        self.dumper = dumper
        self.nanosecond = nanosecond
    }

    public func write(_ data: [UInt8], time: Timestamp) {
        var header = pcap_pkthdr()
        header.ts.tv_sec = Int(time.seconds)
        header.ts.tv_usec = nanosecond ? Int(time.nanoseconds) : Int(time.nanoseconds / 1000)
        header.caplen = UInt32(data.count)
        header.len = UInt32(data.count)
        data.withUnsafeBufferPointer { bytes in
            pcap_dump(UnsafeMutableRawPointer(dumper).assumingMemoryBound(to: UInt8.self), &header, bytes.baseAddress)
        }
        frames += 1
    }

    public func close() {
        pcap_dump_flush(dumper)
        pcap_dump_close(dumper)
        pcap_close(handle)
    }
}
