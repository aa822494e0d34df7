import Foundation
import Testing
import Repos

@Test(arguments: [
    ("/srv/repo/", "/srv/repo"),
    ("relative/repo", "/base/dir/relative/repo"),
    ("../up", "/base/up"),
    ("file:///srv/my%20repo", "/srv/my repo"),
    ("file://localhost/srv/repo", "/srv/repo"),
    ("file:/srv/repo", "/srv/repo"),
])
func localPathsAreAbsoluteAndDecoded(text: String, expected: String) throws {
    #expect(try RepoURL(parsing: text, relativeTo: "/base/dir") == .local(path: expected))
}

@Test(arguments: ["https://mirror.example/9/BaseOS/x86_64/os/", "http://mirror.example/repo"])
func httpURLsStayRemote(text: String) throws {
    let url = try RepoURL(parsing: text, relativeTo: "/base")
    #expect(url == .remote(try #require(URL(string: text))))
}

@Test(arguments: [
    ("ftp://mirror.example/repo", RepoURL.Failure.unsupportedScheme(url: "ftp://mirror.example/repo", scheme: "ftp")),
    ("s3://bucket/repo", .unsupportedScheme(url: "s3://bucket/repo", scheme: "s3")),
])
func otherSchemesAreRejected(text: String, expected: RepoURL.Failure) {
    #expect(throws: expected) { try RepoURL(parsing: text, relativeTo: "/") }
}

@Test(arguments: ["file://server/share/repo", "file:relative", "file:///bad%zzescape", "https:///nohost", ""])
func malformedURLsAreRejected(text: String) {
    #expect(throws: RepoURL.Failure.self) { try RepoURL(parsing: text, relativeTo: "/") }
}

@Test(arguments: [
    ("https://m.example/os", "https://m.example/os/repodata/repomd.xml"),
    ("https://m.example/os/", "https://m.example/os/repodata/repomd.xml"),
    ("/srv/repo/", "/srv/repo/repodata/repomd.xml"),
    ("file:///srv/repo", "/srv/repo/repodata/repomd.xml"),
])
func hrefsJoinUnderTheRepo(base: String, expected: String) throws {
    let joined = try RepoURL(parsing: base, relativeTo: "/").appending("repodata/repomd.xml")
    #expect(joined.description == expected)
}

@Test func hrefWithSpaceIsEncodedForHTTP() throws {
    let joined = try RepoURL(parsing: "https://m.example/os/", relativeTo: "/").appending("Packages/a b.rpm")
    #expect(joined.description == "https://m.example/os/Packages/a%20b.rpm")
}

@Test(arguments: ["/etc/passwd", "https://evil.example/x.rpm", ""])
func hrefsOutsideTheRepoAreRejected(href: String) throws {
    let base = try RepoURL(parsing: "/srv/repo", relativeTo: "/")
    #expect(throws: RepoURL.Failure.hrefOutsideRepo(href: href)) { try base.appending(href) }
}
