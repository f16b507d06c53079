import Provenance

/// Reassembles fragmented IPv4 and IPv6 datagrams (RFC 791, RFC 8200 §4.5).
///
/// Memory is bounded: at most `maximumDatagrams` incomplete datagrams are held, each at
/// most 65535 bytes, and one that is not completed within `timeout` seconds of capture
/// time is dropped. A datagram that cannot be completed is reported, never dropped silently.
public struct IPReassembler {
    struct Key: Hashable {
        var source: IPAddress
        var destination: IPAddress
        var identification: UInt32
        var protocolNumber: UInt8
    }

    struct Pending {
        var pieces: [(offset: Int, bytes: ArraySlice<UInt8>)] = []
        var totalLength: Int?
        var frames: [Int] = []
        var first: Timestamp
        var protocolNumber: UInt8
    }

    /// A datagram given up on: its frames and why.
    public struct Abandoned: Sendable {
        public var frames: [Int]
        public var reason: String
    }

    public let maximumDatagrams: Int
    public let timeout: Int64
    private var pending: [Key: Pending] = [:]

    public init(maximumDatagrams: Int = 1024, timeout: Int64 = 60) {
        self.maximumDatagrams = maximumDatagrams
        self.timeout = timeout
    }

    /// A datagram and the frames that carried it.
    public typealias Datagram = (packet: IPPacket, frames: [Int])

    /// Adds a packet. Returns the whole datagram once every fragment has arrived (an
    /// unfragmented packet at once), plus any datagrams given up on (too old, too many
    /// pending, overlong).
    public mutating func add(_ packet: IPPacket, frame: Int, time: Timestamp) -> (Datagram?, [Abandoned]) {
        guard let fragment = packet.fragment else { return ((packet, [frame]), []) }
        var abandoned = expire(before: time)
        let key = Key(
            source: packet.source, destination: packet.destination,
            identification: fragment.identification, protocolNumber: packet.protocolNumber)
        if pending[key] == nil, pending.count >= maximumDatagrams,
            let oldest = pending.min(by: { $0.value.first < $1.value.first })
        {
            pending[oldest.key] = nil
            abandoned.append(Abandoned(frames: oldest.value.frames, reason: "too many incomplete IP datagrams"))
        }
        var entry = pending[key] ?? Pending(first: time, protocolNumber: packet.protocolNumber)
        entry.pieces.append((fragment.offset, packet.payload))
        entry.frames.append(frame)
        if !fragment.moreFragments { entry.totalLength = fragment.offset + packet.payload.count }
        if fragment.offset + packet.payload.count > 65535 {
            pending[key] = nil
            abandoned.append(Abandoned(frames: entry.frames, reason: "IP fragments exceed 65535 bytes"))
            return (nil, abandoned)
        }
        guard let total = entry.totalLength, let assembled = Self.assemble(entry.pieces, total: total) else {
            pending[key] = entry
            return (nil, abandoned)
        }
        pending[key] = nil
        var whole = packet
        whole.payload = assembled[...]
        whole.fragment = nil
        return ((whole, entry.frames), abandoned)
    }

    /// Gives up on every datagram still incomplete (end of capture).
    public mutating func finish() -> [Abandoned] {
        defer { pending.removeAll() }
        return pending.values.sorted { $0.first < $1.first }.map {
            Abandoned(frames: $0.frames, reason: "IP datagram incomplete at the end of the capture (missing fragments)")
        }
    }

    private mutating func expire(before now: Timestamp) -> [Abandoned] {
        var out: [Abandoned] = []
        for (key, entry) in pending where now.seconds - entry.first.seconds > timeout {
            pending[key] = nil
            out.append(Abandoned(frames: entry.frames, reason: "IP fragments not completed within \(timeout) s"))
        }
        return out
    }

    /// The datagram if the pieces cover `0..<total` without holes (overlaps: first wins).
    static func assemble(_ pieces: [(offset: Int, bytes: ArraySlice<UInt8>)], total: Int) -> [UInt8]? {
        var covered = 0
        for piece in pieces.sorted(by: { $0.offset < $1.offset }) {
            if piece.offset > covered { return nil }
            covered = max(covered, piece.offset + piece.bytes.count)
        }
        guard covered >= total else { return nil }
        var out = [UInt8](repeating: 0, count: total)
        var filled = [Bool](repeating: false, count: total)
        for piece in pieces {
            for (i, byte) in piece.bytes.enumerated() where piece.offset + i < total && !filled[piece.offset + i] {
                out[piece.offset + i] = byte
                filled[piece.offset + i] = true
            }
        }
        return out
    }
}
