// Metalinks as MirrorManager serves them, and mirrorlists.
import Foundation
import Testing
@testable import Repos
import Solv

/// A metalink in MirrorManager's form: `mirrors` as (url, preference), hashes of the current
/// repomd.xml and of one alternate.
func metalinkXML(mirrors: [(String, Int)], sha256: String, alternateSha256: String? = nil, extraURL: String = "") -> String {
    let alternate = alternateSha256.map {
        """
              <mm0:alternates>
                <mm0:alternate>
                  <mm0:timestamp>1700000000</mm0:timestamp>
                  <size>3000</size>
                  <verification><hash type="sha256">\($0)</hash></verification>
                </mm0:alternate>
              </mm0:alternates>
        """
    } ?? ""
    let urls = mirrors.map { url, preference in
        "        <url protocol=\"\(url.prefix { $0 != ":" })\" type=\"\(url.prefix { $0 != ":" })\" location=\"US\" "
            + "preference=\"\(preference)\">\(url)repodata/repomd.xml</url>"
    }.joined(separator: "\n")
    return """
        <?xml version="1.0" encoding="utf-8"?>
        <metalink version="3.0" xmlns="http://www.metalinker.org/" type="dynamic" pubdate="Mon, 01 Jan 2024 00:00:00 GMT" generator="mirrormanager" xmlns:mm0="http://fedorahosted.org/mirrormanager">
         <files>
          <file name="repomd.xml">
           <mm0:timestamp>1700000100</mm0:timestamp>
           <size>3100</size>
           <verification>
            <hash type="md5">00000000000000000000000000000000</hash>
            <hash type="sha256">\(sha256)</hash>
           </verification>
        \(alternate)
           <resources maxconnections="1">
        \(urls)
        \(extraURL)
           </resources>
          </file>
         </files>
        </metalink>
        """
}

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
