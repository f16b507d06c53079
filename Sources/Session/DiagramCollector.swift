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
    /// The chosen channel's first messages, drawn when it has no mark; before a channel is
    /// chosen, the first channel's (drawn when no channel has a mark).
    private var first: [MessageEvent] = []
    private var firstChannel: String?
    private var keptUpTo = 0
    private var afterRemaining = 0
    private var marked = false
    public private(set) var truncated = false
    /// Marks whose message was no longer kept when they came (an answer judged at the end).
    private var late: [LadderDiagram.Mark] = []
    public static let maximumRows = 2_000
    static let keptChannels = 4_096
    private var errors = 0

    public init(around: Int, channel: String?) {
        self.around = max(1, around)
        wanted = channel
    }

    public var errorCount: Int { errors }

    /// The diagram drawn (`nil` when the input held no channel message to draw).
    public var result: LadderDiagram? {
        if resolve != nil { return joinedResult }
        var out = diagram
        if !marked {
            out.channel = chosen ?? firstChannel
            out.rows = first.map { .message($0) }
            let more = ((chosen ?? firstChannel).flatMap { counts[$0] } ?? 0) - first.count
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

    public func beginInput() { input += 1 }

    // MARK: Joined logs

    /// For joined inputs (``CheckReport/joined(resolver:)``): each message is drawn once,
    /// from the first input that shows it, with where the other log shows it. Rows are kept
    /// whole (up to ``maximumRows``) and windowed around the marks at the end, since a mark
    /// from a later input may fall on a row of an earlier one.
    private var resolve: ((MessageEvent, Int) -> (end: OtherEnd?, readBefore: Bool))?
    private var input = -1
    private var joinedRows: [(channel: String, event: MessageEvent)] = []
    private var joinedMarks: [(location: SourceLocation, channel: String?, mark: LadderDiagram.Mark)] = []
    public func joined(resolver: @escaping (MessageEvent, Int) -> (end: OtherEnd?, readBefore: Bool)) { resolve = resolver }

    /// Keeps a message of joined inputs: not one an earlier input drew already.
    private func keepJoined(_ message: MessageEvent, channel: String, _ resolve: (MessageEvent, Int) -> (end: OtherEnd?, readBefore: Bool)) {
        let (end, readBefore) = resolve(message, input)
        if let end, readBefore {
            // One input holding both nodes' logs names each node its own way in each: the
            // names of the line drawn are the ones kept.
            if let drawn = end.location.line.flatMap({ drawnLabels[$0] }) {
                unite(message.sender, drawn.sender)
                unite(message.receiver, drawn.receiver)
            }
            return
        }
        guard joinedRows.count < Self.maximumRows else {
            truncated = true
            return
        }
        var message = message
        message.otherEnd = end
        joinedRows.append((channel, message))
        if end?.location.file == message.location.file, let line = message.location.line {
            drawnLabels[line] = (message.sender, message.receiver)
        }
    }

    /// The sender and receiver names of rows drawn from an input that holds both ends' logs,
    /// by line, and which names stand for the same node.
    private var drawnLabels: [Int: (sender: String?, receiver: String?)] = [:]
    private var sameNode: [String: String] = [:]

    private func canonical(_ label: String) -> String {
        var label = label
        var steps = 0
        while let next = sameNode[label], next != label, steps < 64 {
            label = next
            steps += 1
        }
        return label
    }

    private func unite(_ other: String?, _ drawn: String?) {
        guard let other, let drawn else { return }
        let (a, b) = (canonical(other), canonical(drawn))
        if a != b { sameNode[a] = b }
    }

    /// A mark of joined inputs, at the row that shows its message (an earlier input's line,
    /// when that input drew it).
    private func markJoined(_ channel: String?, at message: MessageEvent, _ mark: LadderDiagram.Mark) {
        var location = message.location
        if let (end, readBefore) = resolve?(message, input), let end, readBefore { location = end.location }
        joinedMarks.append((location, channel, mark))
    }

    /// The joined diagram: the chosen channel's rows, windowed around its marks.
    private var joinedResult: LadderDiagram? {
        let lasting = joinedRows.map { row in
            var event = row.event
            event.sender = event.sender.map(canonical)
            event.receiver = event.receiver.map(canonical)
            return (channel: renamed[row.channel] ?? row.channel, event: event)
        }
        let chosen =
            wanted.flatMap { _ in lasting.first { matches($0.channel) }?.channel }
            ?? joinedMarks.lazy.compactMap { self.lasting($0.channel) }.first { channel in lasting.contains { $0.channel == channel } }
            ?? lasting.first?.channel
        guard let chosen else { return nil }
        let rows = lasting.filter { $0.channel == chosen }
        var out = LadderDiagram(channel: chosen)
        var marked: [Int] = []
        // Marks whose message is not drawn (an answer judged when the connection ended) end it.
        var late: [LadderDiagram.Row] = []
        for (location, channel, mark) in joinedMarks {
            guard let index = rows.firstIndex(where: { $0.event.location == location }) else {
                if channel == chosen { late.append(.note(mark)) }
                continue
            }
            // A hazard's lanes belong to the node that received its message, named as the
            // drawn log names it (a mark from the other log names it as that log does).
            var mark = mark
            if let receiver = rows[index].event.receiver { mark.lanes?.node = canonical(receiver) }
            out.marks[LadderDiagram.MessageKey(rows[index].event), default: []].append(mark)
            marked.append(index)
        }
        var shown = Set<Int>()
        for index in marked { shown.formUnion(max(0, index - around)...min(rows.count - 1, index + around)) }
        if marked.isEmpty { shown.formUnion(0..<min(rows.count, 2 * around)) }
        var last = -1
        for index in shown.sorted() {
            if index > last + 1 { out.rows.append(.gap(index - last - 1)) }
            out.rows.append(.message(rows[index].event))
            last = index
        }
        if last < rows.count - 1 { out.rows.append(.gap(rows.count - 1 - last)) }
        out.rows += late
        return out
    }

    /// An opening's temporary id, per connection, until the channel's own id first appears
    /// there; then the id it is known by (one channel, drawn as one).
    private var opening: [Int: String] = [:]
    private var renamed: [String: String] = [:]

    /// The channel a message belongs to, by its lasting id: an opening's messages (its
    /// temporary id) belong to the channel whose id comes next on the connection.
    private func channel(of message: MessageEvent) -> String? {
        guard let raw = message.channel else { return nil }
        if let known = renamed[raw] { return known }
        let connection = message.connection ?? -1
        if message.content.kind == .openChannel || message.content.kind == .openChannel2 {
            opening[connection] = raw
            return raw
        }
        if let temporary = opening[connection], temporary != raw, counts[raw] == nil {
            opening[connection] = nil
            if renamed.count > Self.keptChannels { renamed.removeAll() }
            renamed[temporary] = raw
            counts[raw] = counts.removeValue(forKey: temporary)
            rings[raw] = rings.removeValue(forKey: temporary)
            if firstChannel == temporary { firstChannel = raw }
            if chosen == temporary {
                chosen = raw
                diagram.channel = raw
            }
        }
        return raw
    }

    public func write(_ event: TraceEvent) {
        guard case let .message(message) = event, let channel = channel(of: message) else {
            if case let .diagnostic(diagnostic) = event { write(diagnostic) }
            return
        }
        if let resolve { return keepJoined(message, channel: channel, resolve) }
        if chosen == nil, wanted != nil, matches(channel) { choose(channel) }
        if chosen == nil, wanted == nil, firstChannel == nil { firstChannel = channel }
        let number = counts[channel, default: 0] + 1
        counts[channel] = number
        if channel == (chosen ?? firstChannel), first.count < 2 * around { first.append(message) }
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
        if firstChannel != channel { first = rings[channel]?.map(\.event) ?? [] }
    }

    /// Draws the channel's kept messages before a mark, and the mark's window after it.
    private func mark(_ channel: String?, at message: MessageEvent, _ mark: LadderDiagram.Mark) {
        guard let channel else { return }
        if chosen == nil, matches(channel) { choose(channel) }
        guard channel == chosen else { return }
        marked = true
        keep(rings.removeValue(forKey: channel) ?? [])
        let key = LadderDiagram.MessageKey(message)
        // Usually the last message kept (the one the finding or hazard came with).
        if diagram.rows.reversed().contains(where: { if case let .message(m) = $0 { LadderDiagram.MessageKey(m) == key } else { false } }) {
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

    /// The lasting id of a channel named by a finding or hazard.
    private func lasting(_ channel: String?) -> String? { channel.map { renamed[$0] ?? $0 } }

    public func write(_ finding: Finding) {
        let channel = lasting(finding.message.channel ?? finding.channel)
        if resolve != nil { return markJoined(channel, at: finding.message, LadderDiagram.mark(finding)) }
        mark(channel, at: finding.message, LadderDiagram.mark(finding))
    }

    public func write(_ hazard: Hazard) {
        let channel = lasting(hazard.second.channel ?? hazard.channel)
        if resolve != nil { return markJoined(channel, at: hazard.second, LadderDiagram.mark(hazard)) }
        mark(channel, at: hazard.second, LadderDiagram.mark(hazard))
    }

    public func write(_ observation: Observation) {}
    public func write(_ diagnostic: Diagnostic) { if diagnostic.severity == .error { errors += 1 } }
    public func inputFailed(_ diagnostic: Diagnostic) { errors += 1 }
    public func endInput(_ path: String, _ summary: CheckSummary) {}
    public func flush() {}
    public func finish(rules: Int) {}
}
