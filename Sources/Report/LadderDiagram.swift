import Foundation
import Hazards
import Provenance
import Rules
import Trace
import Wire

/// One channel's messages as a ladder (sequence) diagram: the two nodes as participants,
/// time running down, each message an arrow from its sender, findings and hazards marked at
/// their messages (issue 16, "Ladder diagrams").
public struct LadderDiagram: Sendable {
    /// A message drawn, or a gap of messages left out between two windows.
    public enum Row: Sendable {
        case message(MessageEvent)
        case gap(Int)
        /// A mark whose message was not kept (an answer judged when the connection ended).
        case note(Mark)
    }

    /// What is marked at a message: a finding or a hazard, as one line; for a hazard, the
    /// queues of the node that may process its two messages out of order.
    public struct Mark: Sendable {
        public var text: String
        public var lanes: Lanes?
        public init(text: String, lanes: Lanes? = nil) {
            self.text = text
            self.lanes = lanes
        }
    }

    /// A hazard's two messages as the receiving node dispatches them: each to its queue, the
    /// later one's queue able to run first.
    public struct Lanes: Sendable {
        public var node: String
        public var first: (queue: String, message: String)
        public var second: (queue: String, message: String)
    }

    public var channel: String?
    public var rows: [Row] = []
    /// Marks by the message they belong to (its location and index).
    public var marks: [MessageKey: [Mark]] = [:]
    /// Whether the rows come from the logs of both ends (joined): each message then knows
    /// where the other log shows it, and the SVG draws it from its sending down to its receipt.
    var joined: Bool {
        rows.contains { if case let .message(event) = $0 { event.otherEnd != nil } else { false } }
    }

    public init(channel: String?) { self.channel = channel }

    /// A message's identity in the trace: its place in its input and on its connection.
    public struct MessageKey: Hashable, Sendable {
        var location: SourceLocation
        var index: Int?
        public init(_ event: MessageEvent) {
            location = event.location
            index = event.index
        }
    }

    public static func mark(_ finding: Finding) -> Mark {
        Mark(text: "\(finding.rule.id) (\(finding.severity.rawValue)): \(finding.reason)")
    }

    public static func mark(_ hazard: Hazard) -> Mark {
        Mark(
            text:
                "hazard \(hazard.kind): \(hazard.first.content.name) (\(hazard.firstQueue)) and \(hazard.second.content.name) (\(hazard.secondQueue)) may be processed out of order",
            lanes: Lanes(
                node: hazard.second.receiver ?? hazard.node ?? "responder", first: (hazard.firstQueue, hazard.first.content.name),
                second: (hazard.secondQueue, hazard.second.content.name)))
    }

    /// The nodes, left to right: each connection's initiator before its responder (a log's
    /// own node before its peer), in the order they first appear.
    var nodeLabels: [String] {
        var out: [String] = []
        for case let .message(event) in rows {
            let sender = event.sender ?? "initiator"
            let receiver = event.receiver ?? "responder"
            for label in event.direction == .in ? [receiver, sender] : [sender, receiver] where !out.contains(label) { out.append(label) }
        }
        return out
    }

    /// With joined logs: each node's log, by file name (empty otherwise). A capture is no
    /// node's log: its rows name the log of their other end only, the sender's or the
    /// receiver's as that line is the sending or the receipt.
    var logNames: [String: String] {
        guard joined else { return [:] }
        var logs: [String: String] = [:]
        for case let .message(event) in rows {
            let own = event.direction == .in ? event.receiver : event.sender
            if event.vantage != nil, let own, logs[own] == nil { logs[own] = (event.location.file as NSString).lastPathComponent }
            if let end = event.otherEnd, let node = end.sent ? event.sender : event.receiver, logs[node] == nil {
                logs[node] = (end.location.file as NSString).lastPathComponent
            }
        }
        return logs
    }

    /// The lanes the diagram draws (node, queue), in order of first use.
    var laneNames: [(node: String, queue: String)] {
        var out: [(node: String, queue: String)] = []
        for marks in rows.compactMap({ row -> [Mark]? in
            if case let .message(event) = row { return self.marks[MessageKey(event)] }
            return nil
        }) {
            for lanes in marks.compactMap(\.lanes) {
                for queue in [lanes.first.queue, lanes.second.queue] where !out.contains(where: { $0 == (lanes.node, queue) }) {
                    out.append((lanes.node, queue))
                }
            }
        }
        return out
    }

    // MARK: Mermaid

    /// Mermaid `sequenceDiagram` text, which GitHub renders in issues and Markdown. Labels
    /// keep to what its grammar takes: `;`, `#` and `%` become entity codes.
    public func mermaid() -> String {
        var out = ["sequenceDiagram"]
        var ids: [String: String] = [:]
        let logs = logNames
        func id(_ label: String) -> String {
            if let known = ids[label] { return known }
            let new = "N\(ids.count + 1)"
            ids[label] = new
            out.append("    participant \(new) as \(Self.escape(logs[label].map { "\(label) (\($0))" } ?? label))")
            return new
        }
        for label in nodeLabels { _ = id(label) }
        let everyone = ids.values.sorted()
        var laneIDs: [String: String] = [:]
        for (number, lane) in laneNames.enumerated() {
            let laneID = "Q\(number + 1)"
            laneIDs[lane.node + "\t" + lane.queue] = laneID
            out.append("    participant \(laneID) as \(Self.escape("\(lane.node): \(lane.queue) queue"))")
        }
        for row in rows {
            switch row {
            case let .gap(count):
                out.append("    Note over \(everyone.prefix(2).joined(separator: ",")): \(Self.leftOut(count))")
            case let .note(mark):
                out.append("    Note over \(everyone.prefix(2).joined(separator: ",")): \(Self.escape(mark.text))")
            case let .message(event):
                let from = id(event.sender ?? "initiator")
                let to = id(event.receiver ?? "responder")
                out.append("    \(from)->>\(to): \(Self.escape(Self.label(event)))")
                for mark in marks[MessageKey(event)] ?? [] {
                    // A finding at its sender; a hazard at the node that may reorder.
                    out.append("    Note over \(mark.lanes.flatMap { ids[$0.node] } ?? from): \(Self.escape(mark.text))")
                    guard let lanes = mark.lanes, let node = ids[lanes.node], let one = laneIDs[lanes.node + "\t" + lanes.first.queue],
                        let two = laneIDs[lanes.node + "\t" + lanes.second.queue]
                    else { continue }
                    // The node hands each message to its queue; the later one's may run first.
                    out.append("    \(node)-->>\(one): \(Self.escape(lanes.first.message))")
                    out.append("    \(node)-->>\(two): \(Self.escape(lanes.second.message))")
                    out.append("    Note over \(two): \(Self.escape("may run \(lanes.second.message) before \(lanes.first.message)"))")
                }
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// A message's arrow label: its type, the HTLC or commitment it names, and where it is.
    static func label(_ event: MessageEvent) -> String {
        var text = event.content.name
        let view = MessageView(event.content)
        if let id = view.uint(\.id) { text += " id=\(id)" }
        if let place = event.location.frames.first.map({ "frame \($0)" }) ?? event.location.line.map({ "line \($0)" }) {
            text += " (\(place))"
        }
        return text
    }

    /// Text safe inside a Mermaid label: one line, with the characters its grammar gives a
    /// meaning (`;` ends a statement, `#` starts an entity code, `%%` a comment) as entity codes.
    static func escape(_ text: String) -> String {
        replacing(text, [";": "#59;", "#": "#35;", "%": "#37;", "\n": " ", "\r": " ", "\r\n": " "])
    }

    /// `text` with each character `table` names replaced.
    static func replacing(_ text: String, _ table: [Character: String]) -> String {
        var out = ""
        for character in text {
            if let replacement = table[character] { out += replacement } else { out.append(character) }
        }
        return out
    }

    // MARK: SVG

    /// A self-contained SVG: the nodes' lifelines side by side, time running down, each
    /// message an arrow from its sender with its label above it, marks as notes beside the
    /// arrow, gaps as dashed rules.
    public func svg() -> String {
        if joined { return joinedSVG() }
        let labels = nodeLabels
        let lanes = laneNames
        let (column, margin, noteWidth, top) = (Self.column, Self.margin, Self.noteWidth, Self.top)
        let rowHeight = 34.0
        // The nodes' columns (at least two), then a hazard's queues.
        let columns = Double(max(2, labels.count) + lanes.count)
        let right = margin + column * columns
        func x(_ label: String) -> Double { margin + column / 2 + Double(labels.firstIndex(of: label) ?? 0) * column }
        func laneX(_ node: String, _ queue: String) -> Double? {
            lanes.firstIndex { $0 == (node, queue) }.map { margin + column / 2 + Double(max(2, labels.count) + $0) * column }
        }
        var body: [String] = []
        var y = top
        for row in rows {
            switch row {
            case let .gap(count):
                y += rowHeight * 0.8
                body += Self.gap(count, y: y, from: margin, to: right)
            case let .note(mark):
                y += rowHeight
                let (box, extra) = note(mark.text, x: margin, y: y, width: right + noteWidth - 2 * margin)
                body.append(box)
                y += extra
            case let .message(event):
                y += rowHeight
                let from = x(event.sender ?? "initiator")
                let to = x(event.receiver ?? "responder")
                body.append(arrow(from: from, to: to, y: y, label: Self.label(event), dotted: false))
                for mark in marks[MessageKey(event)] ?? [] {
                    y += rowHeight
                    let (box, extra) = note(mark.text, x: right - column / 2 + 10, y: y, width: noteWidth + column / 2 - 20)
                    body.append(box)
                    y += extra
                    // The node hands each message to its queue; the later one's may run first.
                    guard let lanes = mark.lanes, let one = laneX(lanes.node, lanes.first.queue), let two = laneX(lanes.node, lanes.second.queue)
                    else { continue }
                    let node = x(lanes.node)
                    y += rowHeight
                    body.append(arrow(from: node, to: one, y: y, label: lanes.first.message, dotted: true))
                    y += rowHeight
                    body.append(arrow(from: node, to: two, y: y, label: lanes.second.message, dotted: true))
                    y += rowHeight
                    let (runs, more) = note(
                        "may run \(lanes.second.message) before \(lanes.first.message)", x: two - column / 2 + 20, y: y, width: column - 40)
                    body.append(runs)
                    y += more
                }
            }
        }
        let width = right + noteWidth + margin
        let height = y + rowHeight + margin
        var out = Self.document(width: width, height: height)
        if let channel {
            out.append("<text x='\(margin)' y='20' font-weight='bold'>channel \(Self.xml(channel))</text>")
        }
        func head(_ text: String, at center: Double, lane: Bool) {
            let shown = text.count > 44 ? String(text.prefix(20)) + "…" + String(text.suffix(20)) : text
            out += Self.participant(shown, at: center, bottom: height - margin, lane: lane)
        }
        for label in labels { head(label, at: x(label), lane: false) }
        for lane in lanes {
            let node = lane.node.count > 16 ? String(lane.node.prefix(8)) + "…" : lane.node
            head("\(node): \(lane.queue) queue", at: laneX(lane.node, lane.queue) ?? 0, lane: true)
        }
        out += body
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    /// Joined logs: each message an arrow from its sending down to its receipt. The two
    /// logs' lines are put in the order their times give (the other log's moved by the clock
    /// offset), so messages that crossed are drawn crossing; marks are notes beside the
    /// receipt.
    func joinedSVG() -> String {
        let labels = nodeLabels
        let (column, margin, noteWidth, top) = (Self.column, Self.margin, Self.noteWidth, Self.top)
        let rowHeight = 30.0
        let right = margin + column * Double(max(2, labels.count))
        func x(_ label: String) -> Double { margin + column / 2 + Double(labels.firstIndex(of: label) ?? 0) * column }
        func nanoseconds(_ time: Timestamp?) -> Int64? { time.flatMap(VantageJoin.nanoseconds) }
        var body: [String] = []
        var y = top
        // Rows between gaps are a segment: its sendings and receipts in time order.
        var segment: [MessageEvent] = []
        func flush() {
            // (time on this log's clock, row, 0 for the sending and 1 for the receipt)
            var events: [(time: Int64, row: Int, receipt: Int)] = []
            for (row, event) in segment.enumerated() {
                let own = nanoseconds(event.time)
                let end = event.otherEnd
                let other = nanoseconds(end?.time).map { $0 &- (end?.clockOffset ?? 0) }
                let sent = event.direction == .in ? (other ?? own) : own
                let received = event.direction == .in ? own : (other ?? own)
                let start = sent ?? Int64(row)
                events.append((start, row, 0))
                events.append((max(received ?? start, start), row, 1))
            }
            events.sort { ($0.time, $0.row, $0.receipt) < ($1.time, $1.row, $1.receipt) }
            var from: [Int: Double] = [:]
            var arrows: [String] = []
            for event in events {
                y += rowHeight
                let message = segment[event.row]
                if event.receipt == 0 {
                    from[event.row] = y
                    continue
                }
                let start = x(message.sender ?? "initiator")
                let end = x(message.receiver ?? "responder")
                let y0 = from[event.row] ?? y
                arrows.append(
                    "<line x1='\(start)' y1='\(y0)' x2='\(end)' y2='\(y)' class='arrow' marker-end='url(#head)'/>"
                        + "<text x='\(start + (end - start) * 0.25)' y='\(y0 + (y - y0) * 0.25 - 6)' text-anchor='middle'>\(Self.xml(Self.label(message)))</text>"
                )
                for mark in marks[MessageKey(message)] ?? [] {
                    y += rowHeight
                    let (box, extra) = note(mark.text, x: right - column / 2 + 10, y: y, width: noteWidth + column / 2 - 20)
                    body.append(box)
                    y += extra
                }
            }
            body += arrows
            segment = []
        }
        for row in rows {
            switch row {
            case let .message(event):
                segment.append(event)
            case let .gap(count):
                flush()
                y += rowHeight * 0.8
                body += Self.gap(count, y: y, from: margin, to: right)
            case let .note(mark):
                flush()
                y += rowHeight
                let (box, extra) = note(mark.text, x: margin, y: y, width: right + noteWidth - 2 * margin)
                body.append(box)
                y += extra
            }
        }
        flush()
        let width = right + noteWidth + margin
        let height = y + rowHeight + margin
        var out = Self.document(width: width, height: height)
        let title = (channel.map { "channel \($0), " } ?? "") + "both ends' logs: each message from its sending to its receipt"
        out.append("<text x='\(margin)' y='20' font-weight='bold'>\(Self.xml(title))</text>")
        let logs = logNames
        for label in labels {
            let name = label.count > 24 ? String(label.prefix(10)) + "…" + String(label.suffix(10)) : label
            out += Self.participant(logs[label].map { "\(name) (\($0))" } ?? name, at: x(label), bottom: height - margin, lane: false)
        }
        out += body
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    /// The SVG's layout: a node's or lane's column, the margin, the notes' width, the first
    /// row's height.
    static let column = 360.0
    static let margin = 40.0
    static let noteWidth = 420.0
    static let top = 70.0

    /// The start of an SVG document of this size: its styles, the arrowhead, a white page.
    static func document(width: Double, height: Double) -> [String] {
        [
            "<svg xmlns='http://www.w3.org/2000/svg' width='\(width)' height='\(height)' viewBox='0 0 \(width) \(height)' font-family='monospace' font-size='12'>",
            "<style>.arrow{stroke:#222;stroke-width:1.5}.dispatch{stroke:#555;stroke-width:1.2;stroke-dasharray:5 3}.gap{fill:#777}.life{stroke:#bbb;stroke-width:1}.lane{stroke:#c9a800;stroke-width:1;stroke-dasharray:2 3}.note{fill:#fff6c8;stroke:#c9a800}</style>",
            "<defs><marker id='head' markerWidth='10' markerHeight='8' refX='10' refY='4' orient='auto'><path d='M0,0 L10,4 L0,8 z' fill='#222'/></marker></defs>",
            "<rect width='100%' height='100%' fill='#fff'/>",
        ]
    }

    /// A participant's (or a lane's) head and its line down to `bottom`; `text` is shown
    /// whole.
    static func participant(_ text: String, at center: Double, bottom: Double, lane: Bool) -> [String] {
        [
            "<rect x='\(center - column / 2 + 20)' y='28' width='\(column - 40)' height='24' fill='\(lane ? "#fff6c8" : "#e8eef8")' stroke='\(lane ? "#c9a800" : "#4a6fa5")'/>",
            "<text x='\(center)' y='44' text-anchor='middle'>\(xml(text))</text>",
            "<line x1='\(center)' y1='52' x2='\(center)' y2='\(bottom)' class='\(lane ? "lane" : "life")'/>",
        ]
    }

    /// A dashed rule at height `y` across the diagram, saying how many messages it leaves out.
    static func gap(_ count: Int, y: Double, from left: Double, to right: Double) -> [String] {
        [
            "<line x1='\(left)' y1='\(y)' x2='\(right)' y2='\(y)' stroke='#999' stroke-dasharray='6 4'/>",
            "<text x='\((left + right) / 2)' y='\(y - 6)' text-anchor='middle' class='gap'>\(xml(leftOut(count)))</text>",
        ]
    }

    /// An arrow at height `y` with its label above it; dotted for a node's dispatch to a queue.
    private func arrow(from: Double, to: Double, y: Double, label: String, dotted: Bool) -> String {
        "<line x1='\(from)' y1='\(y)' x2='\(to)' y2='\(y)' class='\(dotted ? "dispatch" : "arrow")' marker-end='url(#head)'/>"
            + "<text x='\((from + to) / 2)' y='\(y - 6)' text-anchor='middle'>\(Self.xml(label))</text>"
    }

    /// A note box holding `text`, wrapped to the box's width (at most three lines), and the
    /// height its lines past the first take.
    private func note(_ text: String, x: Double, y: Double, width: Double) -> (String, Double) {
        let perLine = max(20, Int(width / 7.3))
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if line.count + word.count + 1 > perLine, !line.isEmpty {
                lines.append(line)
                line = ""
            }
            line += (line.isEmpty ? "" : " ") + word
        }
        if !line.isEmpty { lines.append(line) }
        let shown = lines.prefix(3)
        var out = "<rect x='\(x)' y='\(y - 14)' width='\(width)' height='\(Double(shown.count) * 14 + 6)' class='note'/>"
        for (number, text) in shown.enumerated() {
            let shownText = number == 2 && lines.count > 3 ? text + " …" : text
            out += "<text x='\(x + 6)' y='\(y + Double(number) * 14)'>\(Self.xml(shownText))</text>"
        }
        return (out, Double(shown.count - 1) * 14)
    }

    static func leftOut(_ count: Int) -> String { "\(count) message\(count == 1 ? "" : "s") left out" }

    /// Text safe inside SVG (XML) character data and attributes.
    static func xml(_ text: String) -> String {
        replacing(text, ["&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&apos;"])
    }
}
