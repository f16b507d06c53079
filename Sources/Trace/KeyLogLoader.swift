import NodeLogs
import Provenance
import Transport

/// Reads key-log files and `--key` lines into one ``KeyLog``; unreadable lines become
/// diagnostics that name the file and line (never the key material).
public enum KeyLogLoader {
    public static func load(files: [String], lines: [String]) -> (KeyLog, [Diagnostic]) {
        var keyLog = KeyLog()
        var diagnostics: [Diagnostic] = []
        for path in files {
            let file: FileDescriptorSource
            do {
                file = try InputFile.open(path)
            } catch {
                diagnostics.append(Diagnostic(.error, "keylog.unreadable", at: SourceLocation(file: path), error.description))
                continue
            }
            var reader = LineReader(source: file, maximumLineLength: 4096)
            do {
                while let line = try reader.next() {
                    let location = SourceLocation(file: path, line: line.number)
                    if line.truncated {
                        diagnostics.append(Diagnostic(.error, "keylog.malformed", at: location, "line too long"))
                    } else if let error = keyLog.add(line: String(decoding: line.bytes, as: UTF8.self), source: path, lineNumber: line.number) {
                        diagnostics.append(Diagnostic(.error, "keylog.malformed", at: location, error.reason))
                    }
                }
            } catch {
                diagnostics.append(Diagnostic(.error, "keylog.unreadable", at: SourceLocation(file: path), "read error"))
            }
        }
        for (index, line) in lines.enumerated() {
            if let error = keyLog.add(line: line, source: "--key", lineNumber: index + 1) {
                diagnostics.append(Diagnostic(.error, "keylog.malformed", at: SourceLocation(file: "--key", line: index + 1), error.reason))
            }
        }
        return (keyLog, diagnostics)
    }
}
