import Foundation
import NodeLogs
import Provenance
import TestSupport
import Trace
import Wire

/// What reading one input gave.
struct ReadResult {
    var messages: [MessageEvent] = []
    var diagnostics: [Diagnostic] = []
    var summary: LogSummary?
    var error: InputError?
}

/// Reads an input as `lntrace` does, collecting its events.
func read(_ path: String, format: InputFormat? = nil) -> ReadResult {
    var result = ReadResult()
    do {
        try InputReader(path: path, format: format).read(emit: { event in
            switch event {
            case let .message(message): result.messages.append(message)
            case let .diagnostic(diagnostic): result.diagnostics.append(diagnostic)
            case let .streams(summary): result.summary = summary
            case .note, .connection, .lost: break
            }
        })
    } catch {
        result.error = error
    }
    return result
}

/// Reads `text` from a temporary file.
func read(text: String, format: InputFormat? = nil) throws -> ReadResult {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("lntrace-\(UUID().uuidString).log")
    try Data(text.utf8).write(to: url)
    defer { try? FileManager.default.removeItem(at: url) }
    return read(url.path, format: format)
}

/// The lines of a fixture as published (without the final newline's empty line).
func fixtureLines(_ relativePath: String) throws -> [String] {
    let text = String(decoding: try Fixtures.data(relativePath), as: UTF8.self)
    var lines = text.components(separatedBy: "\n")
    if lines.last == "" { lines.removeLast() }
    return lines
}

/// Every node log bundled with the repository: the synthesized channel life and hazard
/// scenarios, and the real excerpts.
func bundledLogs() throws -> [String] {
    var out: [String] = []
    for directory in ["logs/channel-life", "captures/hazards", "logs/real/lnd", "logs/real/cln", "logs/real/eclair", "logs/real/ldk"] {
        let names = try FileManager.default.contentsOfDirectory(atPath: Fixtures.url(directory).path)
        out += names.filter { $0.hasSuffix(".log") }.sorted().map { "\(directory)/\($0)" }
    }
    return out
}

extension MessageEvent {
    /// What a wrapper must not change: the message, its direction, peer, channel and own time.
    var essence: String {
        "\(direction?.rawValue ?? "-") \(content) peer=\(peer ?? "-") channel=\(channel ?? "-") "
            + (timeSource == .node ? "time=\(time?.description ?? "-")" : "")
    }
}
