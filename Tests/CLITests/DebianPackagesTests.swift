import Foundation
import TestSupport
import Testing

/// `Scripts/debian-packages.txt` is the one list of the Debian packages lntrace builds
/// against (`Scripts/setup-debian` and CI install from it): every package Package.swift's
/// system libraries name as their `.apt([...])` provider must be in it.
@Suite struct DebianPackagesTests {
    static func text(_ path: String) throws -> String {
        try String(contentsOf: Fixtures.root.appendingPathComponent(path), encoding: .utf8)
    }

    /// The listed packages: one a line, `#` starting a comment.
    static func listed() throws -> Set<String> {
        Set(
            try text("Scripts/debian-packages.txt").split(separator: "\n").compactMap { line in
                let name = line.prefix { $0 != "#" }.trimmingCharacters(in: .whitespaces)
                return name.isEmpty ? nil : name
            })
    }

    /// The quoted names inside each `.apt([...])` of Package.swift.
    static func providers() throws -> [String] {
        let manifest = try text("Package.swift")
        var names: [String] = []
        var rest = manifest[...]
        while let start = rest.range(of: ".apt([") {
            guard let end = rest[start.upperBound...].range(of: "])") else { break }
            names += rest[start.upperBound..<end.lowerBound].split(separator: ",").map {
                $0.trimmingCharacters(in: CharacterSet(charactersIn: " \n\""))
            }
            rest = rest[end.upperBound...]
        }
        return names
    }

    @Test func everyProviderIsListed() throws {
        let listed = try Self.listed()
        let providers = try Self.providers()
        #expect(providers.count >= 3, "Package.swift: \(providers)")
        for provider in providers {
            #expect(listed.contains(provider), "Package.swift's provider \(provider) is not in Scripts/debian-packages.txt")
        }
    }

    /// The README's quick start and CI install through `Scripts/setup-debian`, which reads the list.
    @Test func theInstallersReadTheList() throws {
        #expect(try Self.text("Scripts/setup-debian").contains("debian-packages.txt"))
        #expect(try Self.text(".ci/run").contains("Scripts/setup-debian"))
        #expect(try Self.text("README.md").contains("Scripts/setup-debian && swift run lntrace check"))
    }
}
