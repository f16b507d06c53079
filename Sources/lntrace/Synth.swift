import ArgumentParser
import Foundation
import Synth

/// `lntrace synth`: a scenario file to a real capture and its key log.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Make a real capture (and its key log) from a scenario file.",
        discussion: """
            The scenario names nodes, connects them (TCP and a real BOLT #8 handshake) and \
            lists the messages each sends; fields left out are filled consistently, and any \
            field can be set to inject a violation. See Fixtures/scenarios/README.md.

            Example:
              lntrace synth Fixtures/scenarios/channel-life.scenario -o life.pcap --keylog life.keys
              lntrace dump --keylog life.keys life.pcap
            """
    )

    @Argument(help: "The scenario file ('-' reads standard input).")
    var scenario: String

    @Option(name: .shortAndLong, help: ArgumentHelp("The capture to write (pcap).", valueName: "file"))
    var output: String

    @Option(name: .customLong("keylog"), help: ArgumentHelp("The key log to write.", valueName: "file"))
    var keyLog: String

    @Option(
        name: .customLong("messages"),
        help: ArgumentHelp(
            "Also write every message sent as JSON Lines (connection, port, direction, type, length, sha256, hex when short, captured).",
            valueName: "file"))
    var messages: String?

    @Option(
        name: .customLong("log"),
        help: ArgumentHelp(
            "Also write NODE's log of the same messages, as its implementation would (repeatable): NODE=lnd|cln|cln-io|eclair|ldk:PATH.",
            valueName: "node=style:path"))
    var logs: [LogTarget] = []

    func run() throws {
        let text: String
        do {
            if scenario == "-" {
                text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
            } else {
                text = try String(contentsOfFile: scenario, encoding: .utf8)
            }
        } catch {
            throw ValidationError("\(scenario): \(error.localizedDescription)")
        }
        do {
            let statements = try ScenarioParser.parse(text)
            let synthesizer = Synthesizer(capturePath: output, messagesPath: messages, logs: logs)
            let (result, keyLogText) = try synthesizer.run(statements)
            try keyLogText.write(toFile: keyLog, atomically: true, encoding: .utf8)
            FileHandle.standardError.write(
                Data(
                    "lntrace synth: \(output): \(result.frames) frames, \(result.messages) messages on \(result.connections) connections\n".utf8))
        } catch let error as ScenarioError {
            FileHandle.standardError.write(Data("lntrace: \(scenario): \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}

/// `synth --log NODE=STYLE:PATH`.
extension LogTarget: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
}
