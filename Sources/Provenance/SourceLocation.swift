/// Where a piece of evidence came from: the input file and the frame(s) or line in it.
///
/// Every message event and every finding carries one, so a report can point back to the
/// capture frame (as Wireshark numbers them, from 1) or the log line (from 1).
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    /// The input's path as given on the command line (`-` for standard input).
    public var file: String
    /// 1-based line number, for text inputs.
    public var line: Int?
    /// 1-based frame numbers that carried the evidence, for captures.
    public var frames: [Int]

    public init(file: String, line: Int? = nil, frames: [Int] = []) {
        self.file = file
        self.line = line
        self.frames = frames
    }

    /// `file:line`, `file:frame` or `file:first-last` (frames), as compilers and linters print.
    public var description: String {
        if let line { return "\(file):\(line)" }
        if let first = frames.first, let last = frames.last {
            return first == last ? "\(file):\(first)" : "\(file):\(first)-\(last)"
        }
        return file
    }

    /// The place without the file, for a report that printed the file above it: `line 12`,
    /// `frame 54`, `frames 54-56`.
    public var place: String {
        if let line { return "line \(line)" }
        if let first = frames.first, let last = frames.last {
            return first == last ? "frame \(first)" : "frames \(first)-\(last)"
        }
        return file
    }
}

/// The direction of a message on a connection.
///
/// For a capture, `out` is from the connection's initiator (the side that sent act one) and
/// `in` is towards it. For a node's log, `out` is sent by the logging node.
public enum Direction: String, Hashable, Sendable, CaseIterable {
    case out
    case `in`

    public var reversed: Direction { self == .out ? .in : .out }
}
