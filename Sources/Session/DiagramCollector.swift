import Hazards
import Provenance
import Report
import Rules
import Trace

/// A `check` report that keeps one channel's messages around its findings and hazards, for
/// `lntrace diagram` (``LadderDiagram``). It keeps at most `around` messages per channel
/// before a mark, `around` after it, and ``maximumRows`` in all: an input of any length draws
/// in bounded memory.
public final class DiagramCollector: CheckReport {
    /// How many messages before and after each mark are drawn.
    let around: Int
    /// `--channel`: a channel id (or prefix) or a log's channel label; `nil`: the channel of
    /// the first finding or hazard, else the first channel.
    let wanted: String?
    public private(set) var chosen: String?
    private var diagram = LadderDiagram(channel: nil)
    /// Per channel, its latest messages, numbered, while no mark has drawn them.
    private var rings: [String: [(number: Int, event: MessageEvent)]] = [:]
    private var counts: [String: Int] = [:]
    /// The chosen channel's first messages, drawn when it has no mark.
    private var first: [MessageEvent] = []
    private var keptUpTo = 0
    private var afterRemaining = 0
    private var marked = false
    public private(set) var truncated = false
    /// Marks whose message was no longer kept when they came (an answer judged at the end).
    private var late: [LadderDiagram.Mark] = []
    public static let maximumRows = 2_000
    static let keptChannels = 4_096
    public private(set) var errors = 0

    public init(around: Int, channel: String?) {
        self.around = max(1, around)
        wanted = channel
    }

    public var errorCount: Int { errors }

    /// The diagram drawn (`nil` when the input held no channel message to draw).
    public var result: LadderDiagram? {
        var out = diagram
        if !marked {
            out.rows = first.map { .message($0) }
            let more = (chosen.flatMap { counts[$0] } ?? 0) - first.count
            if more > 0 { out.rows.append(.gap(more)) }
        } else if let chosen, let total = counts[chosen], total > keptUpTo {
            out.rows.append(.gap(total - keptUpTo))
        }
        for mark in late { out.rows.append(.note(mark)) }
        return out.rows.isEmpty ? nil : out
    }

    private func matches(_ channel: String) -> Bool {
        guard let wanted else { return true }
        return channel.lowercased().hasPrefix(wanted.lowercased())
    }

    public func beginInput() {}

    public func write(_ event: TraceEvent) {
        guard case let .message(message) = event, let channel = message.channel else {
            if case let .diagnostic(diagnostic) = event, diagnostic.severity == .error { errors += 1 }
            return
        }
        if chosen == nil, wanted != nil, matches(channel) { choose(channel) }
        if chosen == nil, wanted == nil, first.isEmpty { first.append(message) }
        let number = counts[channel, default: 0] + 1
        counts[channel] = number
        if channel == chosen, first.count < 2 * around, !first.contains(where: { $0.location == message.location }) {
            first.append(message)
        }
        if channel == chosen, afterRemaining > 0 {
            afterRemaining -= 1
            keep([(number, message)])
            return
        }
        if rings.count > Self.keptChannels, rings[channel] == nil { rings.removeAll() }
        var ring = rings[channel, default: []]
        ring.append((number, message))
        if ring.count > around + 1 { ring.removeFirst(ring.count - around - 1) }
        rings[channel] = ring
    }

    private func choose(_ channel: String) {
        chosen = channel
        diagram.channel = channel
        if first.first?.channel != channel { first = rings[channel]?.map(\.event) ?? [] }
    }

    /// Draws the channel's kept messages before a mark, and the mark's window after it.
    private func mark(_ channel: String?, at message: MessageEvent, _ mark: LadderDiagram.Mark) {
        guard let channel else { return }
        if chosen == nil, matches(channel) { choose(channel) }
        guard channel == chosen else { return }
        marked = true
        keep(rings.removeValue(forKey: channel) ?? [])
        let key = LadderDiagram.MessageKey(message)
        if diagram.rows.contains(where: { if case let .message(m) = $0 { LadderDiagram.MessageKey(m) == key } else { false } }) {
            diagram.marks[key, default: []].append(mark)
        } else {
            late.append(mark)
        }
        afterRemaining = around
    }

    private func keep(_ messages: [(number: Int, event: MessageEvent)]) {
        for (number, event) in messages where number > keptUpTo {
            guard diagram.rows.count < Self.maximumRows else {
                truncated = true
                return
            }
            if number > keptUpTo + 1, keptUpTo > 0 || number > 1 { diagram.rows.append(.gap(number - keptUpTo - 1)) }
            diagram.rows.append(.message(event))
            keptUpTo = number
        }
    }

    public func write(_ finding: Finding) {
        mark(finding.message.channel ?? finding.channel, at: finding.message, LadderDiagram.mark(finding))
    }

    public func write(_ hazard: Hazard) {
        mark(hazard.second.channel ?? hazard.channel, at: hazard.second, LadderDiagram.mark(hazard))
    }

    public func write(_ observation: Observation) {}
    public func write(_ diagnostic: Diagnostic) { if diagnostic.severity == .error { errors += 1 } }
    public func inputFailed(_ diagnostic: Diagnostic) { errors += 1 }
    public func endInput(_ path: String, _ summary: CheckSummary) {}
    public func flush() {}
    public func finish(rules: Int) {}
}
