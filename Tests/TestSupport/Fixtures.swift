import Foundation

/// Locates files under the repository's `Fixtures/` folder from any test target.
public enum Fixtures {
    /// The repository root, found from this source file's path.
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // TestSupport
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // repository

    public static func url(_ relativePath: String) -> URL {
        root.appendingPathComponent("Fixtures").appendingPathComponent(relativePath)
    }

    public static func data(_ relativePath: String) throws -> Data {
        try Data(contentsOf: url(relativePath))
    }

    /// A JSON fixture parsed with `JSONSerialization`.
    public static func json(_ relativePath: String) throws -> Any {
        try JSONSerialization.jsonObject(with: data(relativePath))
    }

    /// A JSON Lines fixture, one parsed object per non-empty line.
    public static func jsonLines(_ relativePath: String) throws -> [[String: Any]] {
        let text = String(decoding: try data(relativePath), as: UTF8.self)
        return try text.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw FixtureError.notAnObject(String(line.prefix(80)))
            }
            return object
        }
    }
}

public enum FixtureError: Error {
    case notAnObject(String)
    case missing(String)
    /// `lntrace ARGUMENTS` printed this many key-log secrets.
    case keyMaterial([String], Int)
}
