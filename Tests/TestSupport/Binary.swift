import Foundation

/// Runs the built `lntrace` executable as a user would, for end-to-end tests.
public enum LNTraceBinary {
    /// The `lntrace` executable next to the test bundle in the build products folder.
    public static var url: URL? {
        var candidates: [URL] = [Bundle.main.bundleURL.appendingPathComponent("lntrace")]
        if let executable = Bundle.main.executableURL {
            candidates.append(executable.deletingLastPathComponent().appendingPathComponent("lntrace"))
            candidates.append(executable.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("lntrace"))
        }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `lntrace arguments…` with `stdin` as standard input, in the repository root, with
    /// `environment` added to this process's (less `COLUMNS`, so that text is fitted to the
    /// 100 columns of a pipe unless a test says otherwise).
    public static func run(_ arguments: [String], stdin: Data = Data(), environment: [String: String] = [:]) throws -> Result {
        guard let url else { throw FixtureError.missing("lntrace executable") }
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        var variables = ProcessInfo.processInfo.environment
        variables["COLUMNS"] = nil
        variables.merge(environment) { $1 }
        process.environment = variables
        process.currentDirectoryURL = Fixtures.root
        let input = Pipe(), output = Pipe(), error = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = error
        try process.run()
        // Feed stdin and drain both outputs concurrently so large outputs cannot deadlock.
        let writer = Thread {
            input.fileHandleForWriting.write(stdin)
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        let errData = ErrorCollector(error.fileHandleForReading)
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errBytes = errData.wait()
        // Issue 12: no output ever holds a key of the fixtures' key logs.
        let leaked = KeyMaterial.leaked(in: outData) + KeyMaterial.leaked(in: errBytes)
        if !leaked.isEmpty { throw FixtureError.keyMaterial(arguments, leaked.count) }
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errBytes, as: UTF8.self))
    }
}

/// Reads a pipe to its end on a background thread.
final class ErrorCollector: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread {
            self.data = handle.readDataToEndOfFile()
            self.done.signal()
        }.start()
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}
