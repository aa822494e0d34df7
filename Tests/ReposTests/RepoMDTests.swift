import Foundation
import Solv
import Testing
import Repos

private let sample = """
    <?xml version="1.0" encoding="UTF-8"?>
    <repomd xmlns="http://linux.duke.edu/metadata/repo" xmlns:rpm="http://linux.duke.edu/metadata/rpm">
      <revision>42</revision>
      <tags><content>binary-x86_64</content></tags>
      <data type="primary">
        <checksum type="sha256">HASHOFPRIMARY</checksum>
        <open-checksum type="sha256">abc123</open-checksum>
        <location href="repodata/p-primary.xml.gz"/>
        <timestamp>1700000000</timestamp>
        <size>SIZEOFPRIMARY</size>
        <open-size>99</open-size>
      </data>
      <data type="group">
        <checksum type="sha1">0123456789abcdef0123456789abcdef01234567</checksum>
        <location href="repodata/comps.xml"/>
      </data>
    </repomd>
    """

/// Writes a repo whose repomd.xml lists `content` as primary, with its real size and sha256.
private func writeRepo(primary content: String, in dir: TemporaryDirectory) throws -> (repomd: String, primary: String) {
    let primary = try dir.write("repodata/p-primary.xml.gz", content)
    let digest = try Checksum.of(file: primary).hex
    let xml = sample.replacingOccurrences(of: "HASHOFPRIMARY", with: digest)
        .replacingOccurrences(of: "SIZEOFPRIMARY", with: String(content.utf8.count))
    return (try dir.write("repodata/repomd.xml", xml), primary)
}

@Test func selfWrittenRepoMDReadsEveryField() throws {
    let dir = try TemporaryDirectory()
    let (repomd, _) = try writeRepo(primary: "12345", in: dir)
    let md = try RepoMD.load(file: repomd)
    #expect(md.revision == "42")
    #expect(md.records.keys.sorted() == ["group", "primary"])
    #expect(md.primary.href == "repodata/p-primary.xml.gz")
    #expect(md.primary.openChecksum == Checksum(algorithm: "sha256", hex: "abc123"))
    #expect(md.primary.size == 5)
    #expect(md.primary.openSize == 99)
    #expect(md.primary.timestamp == 1_700_000_000)
    #expect(md.records["group"]?.checksum.algorithm == "sha1")
    #expect(md.records["group"]?.size == nil)
}

@Test func verifyAcceptsMatchingFileAndNamesMismatch() throws {
    let dir = try TemporaryDirectory()
    let (repomd, primary) = try writeRepo(primary: "12345", in: dir)
    let md = try RepoMD.load(file: repomd)
    try md.verify(record: md.primary, file: primary)

    try dir.write("repodata/p-primary.xml.gz", "54321")
    let actual = try Checksum.of(file: primary)
    #expect(throws: RepoMDError.checksumMismatch(
        repomd: repomd, href: "repodata/p-primary.xml.gz", expected: md.primary.checksum, actual: actual)) {
        try md.verify(record: md.primary, file: primary)
    }
    try dir.write("repodata/p-primary.xml.gz", "123456")
    #expect(throws: RepoMDError.sizeMismatch(repomd: repomd, href: "repodata/p-primary.xml.gz", expected: 5, actual: 6)) {
        try md.verify(record: md.primary, file: primary)
    }
    try FileManager.default.removeItem(atPath: primary)
    #expect(throws: RepoMDError.self) { try md.verify(record: md.primary, file: primary) }
}

@Test(arguments: [
    ("not xml at all", "notXML"),
    ("<repomd xmlns=\"http://linux.duke.edu/metadata/repo\"><data type=\"primary\">", "notXML"),
    ("<metadata xmlns=\"http://linux.duke.edu/metadata/common\"/>", "notRepoMD"),
    ("<repomd><data type=\"primary\"/></repomd>", "notRepoMD"),
    ("<repomd xmlns=\"http://linux.duke.edu/metadata/repo\"><revision>1</revision></repomd>", "noPrimary"),
    ("<repomd xmlns=\"http://linux.duke.edu/metadata/repo\"><data type=\"primary\"><checksum type=\"sha256\">ab</checksum></data></repomd>", "missingField"),
    ("<repomd xmlns=\"http://linux.duke.edu/metadata/repo\"><data type=\"primary\"><location href=\"p\"/></data></repomd>", "missingField"),
    ("<repomd xmlns=\"http://linux.duke.edu/metadata/repo\"><data type=\"primary\"><location href=\"p\"/><checksum type=\"sha256\">ab</checksum><size>big</size></data></repomd>", "badNumber"),
])
func malformedRepoMDFails(xml: String, kind: String) {
    do {
        _ = try RepoMD.parse(data: Data(xml.utf8), file: "repomd.xml")
        Issue.record("expected \(kind)")
    } catch {
        #expect(String(describing: error).hasPrefix("repomd.xml"))
        #expect(Mirror(reflecting: error).children.first?.label == kind)
    }
}

@Test(.enabled(if: Corpus.root != nil, Comment(rawValue: Corpus.absent)),
      arguments: ["centos-stream-9/baseos-2022-02", "centos-stream-9/appstream-2025-01",
                  "centos-stream-9/custom-zstd", "repos/dnf-rpm-repo"])
func realRepoMDParsesAndItsFilesVerify(repo: String) throws {
    let root = try #require(Corpus.path(repo))
    let repomd = root + "/repodata/repomd.xml"
    let md = try RepoMD.load(file: repomd)
    // Cross-check against the file itself rather than against our own parser.
    let xml = try String(contentsOfFile: repomd, encoding: .utf8)
    #expect(xml.contains("<revision>\(try #require(md.revision))</revision>"))
    #expect(xml.contains("<location href=\"\(md.primary.href)\"/>"))
    #expect(md.records.count == xml.components(separatedBy: "<data type=").count - 1)
    var verified = 0
    for record in md.records.values where FileManager.default.fileExists(atPath: root + "/" + record.href) {
        try md.verify(record: record, file: root + "/" + record.href)
        verified += 1
    }
    #expect(verified >= 1, "the primary file at least is in the corpus")
}

@Test(.enabled(if: Corpus.root != nil, Comment(rawValue: Corpus.absent)))
func baseOSRecordsMatchTheKnownFile() throws {
    let md = try RepoMD.load(file: try #require(Corpus.path("centos-stream-9/baseos-2022-02/repodata/repomd.xml")))
    #expect(md.revision == "1644263915")
    #expect(md.records.keys.sorted() == ["filelists", "group", "group_gz", "other", "primary"])
    #expect(md.primary.checksum == Checksum(algorithm: "sha256", hex: "130494033cb9bffa40828ebc814d016920d9ce5d60041467af283ffcf38adef0"))
    #expect(md.primary.size == 1_063_488)
    #expect(md.primary.openSize == 8_471_009)
    #expect(md.records["group"]?.openChecksum == nil)
}
