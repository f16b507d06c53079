import Foundation
import Glibc

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

extension LNTraceBinary {
    /// Runs `lntrace arguments…` (standard input empty) and returns its exit status, its
    /// standard output, and its peak resident memory in KB (its `VmHWM`, sampled every 2 ms
    /// while it runs), measured for this run alone.
    /// It runs in this process's directory: give it absolute paths.
    public static func measured(_ arguments: [String]) throws -> (status: Int32, stdout: Data, peakKB: Int) {
        guard let url else { throw FixtureError.missing("lntrace executable") }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("lntrace-measured-\(getpid())-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output.path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([url.path] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, url.path, &actions, nil, argv, environ) == 0 else { throw FixtureError.missing("spawn") }
        // The child's own high-water mark, read while it runs: Linux carries `ru_maxrss`
        // over exec from the spawning process (this test process, often larger).
        var status: Int32 = 0
        var peak = 0
        while true {
            peak = max(peak, Self.highWaterMark(pid) ?? 0)
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid { break }
            if done < 0, errno != EINTR { break }
            usleep(2_000)
        }
        // WIFEXITED / WEXITSTATUS; a signal gives 128 + its number, as a shell reports it.
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        return (code, (try? Data(contentsOf: output)) ?? Data(), peak)
    }

    /// `VmHWM` of a running process, in KB.
    static func highWaterMark(_ pid: pid_t) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") })
        else { return nil }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
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
