import Foundation
import Synth

/// A scenario made into a capture (and node logs) by `lntrace synth`, in a temporary folder.
public struct Synthesized {
    public let directory: URL
    public let capture: String
    public let keys: String
    /// Every message sent: its connection, `index` on it, type, and `expect`ed rules.
    public let messages: [[String: Any]]

    public init(_ scenario: URL, logs: [String] = []) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("lntrace-rules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        capture = directory.appendingPathComponent("trace.pcap").path
        keys = directory.appendingPathComponent("trace.keys").path
        let messagesPath = directory.appendingPathComponent("messages.jsonl").path
        let text = try String(contentsOf: scenario, encoding: .utf8)
        let folder = directory
        let targets = logs.compactMap { LogTarget("\($0):\(folder.appendingPathComponent($0.replacingOccurrences(of: "=", with: ".")).path)") }
        let synthesizer = Synthesizer(capturePath: capture, messagesPath: messagesPath, logs: targets)
        let (_, keyLog) = try synthesizer.run(try ScenarioParser.parse(text))
        try keyLog.write(toFile: keys, atomically: true, encoding: .utf8)
        let lines = try String(contentsOfFile: messagesPath, encoding: .utf8).split(separator: "\n")
        messages = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
    }

    /// The log written for `NODE=STYLE`.
    public func log(_ target: String) -> String {
        directory.appendingPathComponent(target.replacingOccurrences(of: "=", with: ".")).path
    }

    /// (rule, connection index) pairs the scenario marks with `expect=`.
    public var expected: Set<Expectation> {
        var out = Set<Expectation>()
        for message in messages {
            for rule in message["expect"] as? [String] ?? [] {
                out.insert(Expectation(rule: rule, index: message["index"] as? Int ?? -1))
            }
        }
        return out
    }

    public func remove() { try? FileManager.default.removeItem(at: directory) }
}

public struct Expectation: Hashable, CustomStringConvertible {
    public var rule: String
    public var index: Int

    public init(rule: String, index: Int) {
        self.rule = rule
        self.index = index
    }

    public var description: String { "\(rule)@\(index)" }
}
