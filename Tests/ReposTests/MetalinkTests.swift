// Metalinks as MirrorManager serves them, and mirrorlists.
import Fixtures
import Foundation
import Testing
@testable import Repos
import Solv

@Test func mirrorsComeInPreferenceOrderWithoutTheRepomdSuffix() throws {
    let xml = metalinkXML(mirrors: [("http://c.example/os/", 90), ("https://a.example/os/", 100),
                                    ("rsync://r.example/os/", 100), ("http://b.example/os/", 90)],
                          sha256: String(repeating: "a", count: 64))
    let metalink = try Metalink.parse(data: Data(xml.utf8), source: "https://mm/metalink")
    #expect(metalink.mirrors.map(\.baseURL) == ["https://a.example/os/", "http://c.example/os/", "http://b.example/os/"])
    #expect(metalink.current.strongest == Checksum(algorithm: "sha256", hex: String(repeating: "a", count: 64)))
    #expect(metalink.current.size == 3100 && metalink.current.timestamp == 1700000100)
}

@Test func repomdMatchingTheCurrentOrAnAlternateHashIsAccepted() throws {
    let dir = try TemporaryDirectory()
    let current = try dir.write("current.xml", "<repomd>current</repomd>\n")
    let older = try dir.write("older.xml", "<repomd>older</repomd>\n")
    let stale = try dir.write("stale.xml", "<repomd>stale</repomd>\n")
    let xml = metalinkXML(mirrors: [("http://m/", 100)], sha256: try Checksum.of(file: current).hex,
                          alternateSha256: try Checksum.of(file: older).hex)
    let metalink = try Metalink.parse(data: Data(xml.utf8), source: "m")
    #expect(try metalink.accepts(repomd: current))
    #expect(try metalink.accepts(repomd: older))
    #expect(try !metalink.accepts(repomd: stale))
}

@Test(arguments: [
    ("<html><body>Not Found</body></html>", "not a Metalink"),
    ("<metalink xmlns=\"http://www.metalinker.org/\"><files></files></metalink>", "no repomd.xml"),
    ("<metalink xmlns=\"http://www.metalinker.org/\"><files><file name=\"repomd.xml\"></file></files></metalink>", "no usable hash"),
    ("<metalink xmlns=\"http://www.metalinker.org/\"><files>", "well-formed"),
])
func unusableMetalinksSayWhy(xml: String, says: String) {
    #expect {
        try Metalink.parse(data: Data(xml.utf8), source: "https://mm/metalink?repo=x")
    } throws: { error in
        "\(error)".contains(says) && "\(error)".contains("https://mm/metalink?repo=x")
    }
}

@Test func realMirrorlistFromDnfIsOneURLALine() throws {
    let path = try #require(Corpus.path("repos/dnf-rpm-repo/mirrorlist"), "\(Corpus.absent)")
    let text = try String(contentsOfFile: path, encoding: .utf8)
    #expect(MirrorList.parse(text, variables: [:]) == ["http://many/x86_64", "http://years/x86_64", "http://from/x86_64",
                                                       "http://now/x86_64"])
}

@Test func mirrorlistSkipsCommentsAndSubstitutesVariables() {
    let text = "# comment\n\n  https://a.example/$releasever/$basearch/  \nnot a url\n/srv/local\n"
    #expect(MirrorList.parse(text, variables: ["releasever": "9", "basearch": "aarch64"])
        == ["https://a.example/9/aarch64/", "/srv/local"])
}
