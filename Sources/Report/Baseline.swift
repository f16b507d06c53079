import Foundation
import Rules

/// Findings accepted earlier (`check --baseline FILE`): a `check --format json` document or
/// `--format jsonl` output. A finding is the same when its rule, file, place (line or
/// frames) and channel are.
public struct Baseline: Sendable {
    private var keys: Set<String> = []
    public var count: Int { keys.count }

    public init(contentsOf path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        var records: [[String: Any]] = []
        if let document = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            records = document["findings"] as? [[String: Any]] ?? []
        } else {
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
                guard let record = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
                if record["kind"] as? String == "finding" { records.append(record) }
            }
        }
        for record in records {
            guard let rule = record["rule"] as? String, let file = record["file"] as? String else { continue }
            let place =
                (record["line"] as? Int).map { "line \($0)" }
                ?? ((record["frames"] as? [Int]).map { "frames \($0.map(String.init).joined(separator: ","))" } ?? "")
            keys.insert(Self.key(rule: rule, file: file, place: place, channel: record["channel"] as? String))
        }
    }

    /// Whether the baseline holds `finding`.
    public func contains(_ finding: Finding) -> Bool {
        let location = finding.message.location
        let place = location.line.map { "line \($0)" } ?? "frames \(location.frames.map(String.init).joined(separator: ","))"
        return keys.contains(Self.key(rule: finding.rule.id, file: location.file, place: place, channel: finding.channel))
    }

    static func key(rule: String, file: String, place: String, channel: String?) -> String {
        "\(rule)|\(file)|\(place)|\(channel ?? "")"
    }
}
