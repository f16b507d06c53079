import Foundation

/// The secret keys of every key log under `Fixtures/` (the 64-hex-digit keys of
/// `*.keys` and `keys*.log`): no output of lntrace may contain one (issue 12). Every run of
/// ``LNTraceBinary/run(_:stdin:environment:)`` checks its standard output and error.
public enum KeyMaterial {
    public static let secrets: Set<String> = {
        var out: Set<String> = []
        guard let walker = FileManager.default.enumerator(atPath: Fixtures.url("").path) else { return out }
        for case let path as String in walker {
            let name = (path as NSString).lastPathComponent
            guard name.hasSuffix(".keys") || (name.hasPrefix("keys") && name.hasSuffix(".log")) else { continue }
            guard let text = try? String(contentsOf: Fixtures.url(path), encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") where !line.hasPrefix("#") {
                for word in line.split(separator: " ") where word.count == 64 { out.insert(word.lowercased()) }
            }
        }
        return out
    }()

    /// The secrets found in `bytes`, in any run of hex digits of either case.
    public static func leaked(in bytes: some Collection<UInt8>) -> [String] {
        var found: [String] = []
        var run: [UInt8] = []
        func check() {
            if run.count >= 64 {
                for start in 0...(run.count - 64) {
                    let window = String(decoding: run[start..<(start + 64)], as: UTF8.self)
                    if secrets.contains(window) { found.append(window) }
                }
            }
            run.removeAll(keepingCapacity: true)
        }
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"): run.append(byte)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): run.append(byte + 32)
            default: check()
            }
        }
        check()
        return found
    }
}
