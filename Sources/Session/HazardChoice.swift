import Foundation
import Hazards

/// The dispatch profile reorder hazards are found under (`check --hazards`).
public enum HazardChoice: Sendable {
    /// The default: an lnd log under the profile of the release its first line states
    /// (else `lnd`), its writer profiled; no other input.
    case automatic
    /// `--hazards none`.
    case off
    /// Every input under this profile: a log's writer is profiled, a capture's ``CheckSession/local``
    /// node (without it, every receiver).
    case profile(Profile)
}

/// `--hazards` names no profile, or a profile file that does not parse.
public enum HazardChoiceError: Error, CustomStringConvertible {
    /// Neither a built-in profile nor a readable file.
    case unknown(String)
    /// The file's text is no valid profile.
    case invalid(ProfileError)

    public var description: String {
        switch self {
        case let .unknown(name):
            return "no profile '\(name)': not a built-in profile (\(BuiltinProfiles.names.joined(separator: ", "))) nor a readable file"
        case let .invalid(error):
            return error.description
        }
    }
}

extension HazardChoice {
    /// `none`, a built-in profile's name, or a profile file.
    public init(parsing argument: String) throws(HazardChoiceError) {
        if argument == "none" {
            self = .off
        } else if let builtin = BuiltinProfiles.profile(argument) {
            self = .profile(builtin)
        } else if let text = try? String(contentsOfFile: argument, encoding: .utf8) {
            do {
                self = .profile(try Profile(parsing: text, file: argument))
            } catch {
                throw .invalid(error)
            }
        } else {
            throw .unknown(argument)
        }
    }
}
