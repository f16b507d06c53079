import Capture
import Provenance
import Transport

/// What reading a capture found, besides the messages.
public struct CaptureSummary: Sendable {
    public var file: String
    public var frames = 0
    /// Frames that were not TCP over IP (ARP, UDP, …).
    public var otherFrames = 0
    /// Lightning connections (each reported as it ended, in a `.connection` event).
    public var lightningConnections = 0
    /// TCP connections that were not Lightning.
    public var otherConnections = 0
    /// Whether the whole capture was read (no libpcap error such as a truncated file).
    public var complete = true
}

/// A capture's TCP and BOLT #8 state as one file left it, for the next file of the same
/// packet stream to continue (a ring buffer's files: `check --sequence`): a connection split
/// across the files is one connection, its bytes reassembled and decrypted on.
public final class CaptureContinuation {
    let tracker: TCPTracker
    let assembler: CaptureAssembler
    let fragments: IPReassembler
    let lastTime: Timestamp

    init(tracker: TCPTracker, assembler: CaptureAssembler, fragments: IPReassembler, lastTime: Timestamp) {
        self.tracker = tracker
        self.assembler = assembler
        self.fragments = fragments
        self.lastTime = lastTime
    }
}

/// Reads one capture: libpcap frames → link and IP layers → IP fragment reassembly → TCP
/// reassembly → BOLT #8 decryption → message events, in frame order.
public struct CaptureInput {
    public let path: String
    public let options: CaptureOptions

    public init(path: String, options: CaptureOptions) {
        self.path = path
        self.options = options
    }

    /// Reads the capture at `path`, or from `source` when given (standard input). With
    /// `continuing`, the capture goes on from an earlier file's state; with `keep`, its
    /// connections stay open for the next file, which is handed the state.
    public func read(
        source: ByteSource? = nil, emit: @escaping (TraceEvent) -> Void, drained: () -> Void = {},
        progress: (Int64) -> Void = { _ in }, stop: () -> Bool = { false }, continuing: CaptureContinuation? = nil,
        keep: ((CaptureContinuation) -> Void)? = nil
    ) throws(InputError) -> CaptureSummary {
        let reader: PcapReader
        do throws(CaptureError) {
            if let source {
                reader = try PcapReader(source: source, name: path)
            } else {
                reader = try PcapReader(path: path)
            }
        } catch {
            throw .cannotOpen(path: path, reason: error.description)
        }
        var summary = CaptureSummary(file: path)
        let assembler = continuing?.assembler ?? CaptureAssembler(file: path, options: options, emit: emit)
        assembler.retarget(file: path, emit: emit)
        let tracker = continuing?.tracker ?? TCPTracker(ports: options.ports, firstID: options.firstConnectionID)
        var fragments = continuing?.fragments ?? IPReassembler()
        var events: [TCPEvent] = []
        var lastTime = continuing?.lastTime ?? Timestamp(seconds: 0)
        let (finishedBefore, otherBefore) = (assembler.finishedCount, assembler.otherConnections)
        var reportedLinkType = false
        var flushCounter = 0

        while !stop(), let frame = reader.next() {
            summary.frames += 1
            lastTime = frame.time
            let packet: IPPacket
            do {
                packet = try PacketDecoder.decode(frame.data, linkType: frame.linkType)
            } catch {
                summary.otherFrames += 1
                if case let .unsupportedLinkType(type) = error, !reportedLinkType {
                    reportedLinkType = true
                    emit(
                        .diagnostic(
                            Diagnostic(
                                .error, "capture.link-type", at: SourceLocation(file: path, frames: [frame.number]),
                                "link-layer type \(type) is not supported; its frames are skipped")))
                }
                continue
            }
            let (datagram, abandoned) = fragments.add(packet, frame: frame.number, time: frame.time)
            for lost in abandoned {
                emit(.diagnostic(Diagnostic(.warning, "ip.fragments", at: SourceLocation(file: path, frames: lost.frames), lost.reason)))
            }
            guard let (whole, frames) = datagram else { continue }
            guard whole.protocolNumber == 6 else {
                summary.otherFrames += 1
                continue
            }
            guard let segment = try? TCPSegment.parse(whole, frames: frames, time: frame.time) else {
                summary.otherFrames += 1
                continue
            }
            if frame.data.count < frame.originalLength, !segment.payload.isEmpty {
                emit(
                    .diagnostic(
                        Diagnostic(
                            .warning, "capture.snaplen", at: SourceLocation(file: path, frames: [frame.number]),
                            "frame cut to \(frame.data.count) of \(frame.originalLength) bytes by the snapshot length; the missing payload is a gap"))
                )
            }
            events.removeAll(keepingCapacity: true)
            tracker.add(segment, into: &events)
            for event in events { assembler.handle(event) }
            flushCounter += 1
            if flushCounter == 4096 {
                flushCounter = 0
                drained()
                if let position = reader.position { progress(position) }
            }
        }
        if let error = reader.error {
            summary.complete = false
            let last = reader.nextFrameNumber - 1
            emit(
                .diagnostic(
                    Diagnostic(
                        .error, "capture.truncated", at: SourceLocation(file: path, frames: last > 0 ? [last] : []),
                        "capture ends after frame \(last): \(error.message)")))
        }
        if let keep {
            // The next file goes on: nothing ends here, not even after a truncated file (its
            // lost tail is a gap the next file's bytes show, as in one capture). The assembler
            // lets go of this call's `emit`.
            summary.lightningConnections = assembler.finishedCount - finishedBefore + assembler.openConnections
            summary.otherConnections = assembler.otherConnections - otherBefore
            assembler.retarget(file: path, emit: { _ in })
            keep(CaptureContinuation(tracker: tracker, assembler: assembler, fragments: fragments, lastTime: lastTime))
            drained()
            return summary
        }
        for lost in fragments.finish() {
            emit(.diagnostic(Diagnostic(.warning, "ip.fragments", at: SourceLocation(file: path, frames: lost.frames), lost.reason)))
        }
        events.removeAll(keepingCapacity: true)
        tracker.finish(frame: reader.nextFrameNumber - 1, time: lastTime, into: &events)
        for event in events { assembler.handle(event) }
        assembler.finish()
        summary.lightningConnections = assembler.finishedCount - finishedBefore
        summary.otherConnections = assembler.otherConnections - otherBefore
        // An assembler an earlier file handed over outlives this call (its continuation is
        // still held): it must let go of this call's `emit`.
        assembler.retarget(file: path, emit: { _ in })
        drained()
        return summary
    }
}
