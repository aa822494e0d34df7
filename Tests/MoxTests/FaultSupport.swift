// The fault suite's harness: a tree and an image published before a fault, and the proof that a
// failed run left both byte-identical and nothing beside them. Cases from every area of mox sit
// in FaultSuiteTests (one `@Test` each); new ones reuse `Published` and `expectUntouched`.
import Fixtures
import Foundation
import Testing

/// A folder with a tree (`out/`) and an image layout (`image/`) published by a successful compose,
/// and snapshots of both and of the folder around them.
struct Published {
    let run: ComposeRun
    /// `--oci-layout`.
    let layout: URL
    let tree: TreeSnapshot
    let image: TreeSnapshot
    /// The names in the folder holding the tree and the image, hidden ones included.
    let beside: Set<String>

    /// Composes `yaml` (the compose world's manifest by default) into a tree and an image, with
    /// `arguments` added (another repos dir, `--repo`...).
    init(_ label: String, yaml: String = ComposeWorld.manifest, arguments: [String] = [], reposDir: URL? = nil) throws {
        run = try ComposeRun(label, yaml: yaml)
        layout = run.directory.appendingPathComponent("image", isDirectory: true)
        let result = try run.compose(arguments + ["--oci-layout", layout.path], reposDir: reposDir)
        guard result.status == 0 else { throw MoxTestError("the compose before the fault failed:\n\(result.stderr)") }
        tree = try TreeSnapshot(run.output)
        image = try TreeSnapshot(layout)
        beside = try Self.names(in: run.directory)
    }

    static func names(in directory: URL) throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: directory.path))
    }

    /// `mox compose` over the same tree and image, with `arguments` added.
    func compose(_ arguments: [String] = [], reposDir: URL? = nil, environment: [String: String]? = nil) throws -> CommandResult {
        try run.compose(arguments + (arguments.contains("--oci-layout") ? [] : ["--oci-layout", layout.path]),
                        reposDir: reposDir, environment: environment)
    }

    /// The run failed with `status`, said so naming every word of `culprit`, and left the tree and
    /// the image exactly as they were (inodes, times, bytes) with nothing new beside them
    /// (`created` lists names the test itself added to the folder).
    func expectUntouched(after result: CommandResult, status: Int32, naming culprit: [String], created: Set<String> = [],
                         sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(result.status == status, "exit \(result.status):\n\(result.stdout)\n\(result.stderr)", sourceLocation: sourceLocation)
        for word in culprit {
            #expect(result.stderr.contains(word), "the message names '\(word)':\n\(result.stderr)", sourceLocation: sourceLocation)
        }
        for raw in ["NSCocoaErrorDomain", "Error Domain=", "DecodingError", "dataCorrupted"] {
            #expect(!result.stderr.contains(raw), "a sentence, not Foundation's '\(raw)':\n\(result.stderr)", sourceLocation: sourceLocation)
        }
        #expect(try TreeSnapshot(run.output) == tree, "the previous tree, byte for byte", sourceLocation: sourceLocation)
        #expect(try TreeSnapshot(layout) == image, "the previous image, byte for byte", sourceLocation: sourceLocation)
        let now = try Self.names(in: run.directory)
        #expect(now.subtracting(beside).subtracting(created).isEmpty,
                "left beside the outputs: \(now.subtracting(beside).subtracting(created).sorted())", sourceLocation: sourceLocation)
    }
}

/// A repo of its own holding copies of `packages` from the compose world (no hardlinks).
func copiedRepo(_ packages: [FixturePackage], at dir: URL) throws {
    let world = try ComposeWorld.get()
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    for p in packages {
        try FileManager.default.copyItem(at: world.osRepo.appendingPathComponent(p.fileName), to: dir.appendingPathComponent(p.fileName))
    }
    try Fixtures.createRepo(dir)
}

/// Makes `package`'s primary.xml entry in `repo` describe the bytes of `impostor` (checksum and
/// size), and puts those bytes at `package`'s href, fixing repomd.xml: a hostile repo that serves
/// one package under another's name, which only the header check can see.
func serveImpostor(in repo: URL, package: FixturePackage, impostor: FixturePackage) throws {
    let script = #"""
        import glob, gzip, hashlib, os, re, shutil, sys
        repo, name, other = sys.argv[1:4]
        md = os.path.join(repo, 'repodata')
        data = open(os.path.join(repo, other), 'rb').read()
        digest = hashlib.sha256(data).hexdigest()
        primary = glob.glob(os.path.join(md, '*primary.xml.gz'))[0]
        text = gzip.open(primary).read().decode()
        blocks = text.split('<package ')
        for i, block in enumerate(blocks):
            if f'href="{name}"' in block:
                block = re.sub(r'<checksum type="sha256" pkgid="YES">\w+</checksum>',
                               f'<checksum type="sha256" pkgid="YES">{digest}</checksum>', block)
                block = re.sub(r'<size package="\d+"', f'<size package="{len(data)}"', block)
                blocks[i] = block
        text = '<package '.join(blocks).encode()
        open(os.path.join(repo, name), 'wb').write(data)
        packed = gzip.compress(text)
        new = hashlib.sha256(packed).hexdigest() + '-primary.xml.gz'
        os.remove(primary)
        open(os.path.join(md, new), 'wb').write(packed)
        repomd = open(os.path.join(md, 'repomd.xml')).read()
        block = re.search(r'<data type="primary">.*?</data>', repomd, re.S).group(0)
        fixed = re.sub(r'<checksum type="sha256">\w+</checksum>', f'<checksum type="sha256">{hashlib.sha256(packed).hexdigest()}</checksum>', block)
        fixed = re.sub(r'<open-checksum type="sha256">\w+</open-checksum>', f'<open-checksum type="sha256">{hashlib.sha256(text).hexdigest()}</open-checksum>', fixed)
        fixed = re.sub(r'href="repodata/[^"]+"', f'href="repodata/{new}"', fixed)
        fixed = re.sub(r'<size>\d+</size>', f'<size>{len(packed)}</size>', fixed)
        fixed = re.sub(r'<open-size>\d+</open-size>', f'<open-size>{len(text)}</open-size>', fixed)
        open(os.path.join(md, 'repomd.xml'), 'w').write(repomd.replace(block, fixed))
        """#
    try Fixtures.run(["python3", "-c", script, repo.path, package.fileName, impostor.fileName])
}

/// The sha256 repodata gives each RPM of a tree (href -> sha256), read with zcat and a regex.
func repodataChecksums(of tree: URL) throws -> [String: String] {
    let repomd = try String(contentsOf: tree.appendingPathComponent("repodata/repomd.xml"), encoding: .utf8)
    guard let range = repomd.range(of: #"repodata/[^"]*primary\.xml\.gz"#, options: .regularExpression) else {
        throw MoxTestError("no primary in \(tree.path)/repodata/repomd.xml")
    }
    let primary = try Fixtures.run(["zcat", tree.appendingPathComponent(String(repomd[range])).path]).stdout
    var result: [String: String] = [:]
    for block in primary.components(separatedBy: "<package ").dropFirst() {
        guard let sum = block.range(of: #"pkgid="YES">[0-9a-f]{64}"#, options: .regularExpression),
              let href = block.range(of: #"href="[^"]+""#, options: .regularExpression) else { continue }
        result[String(block[href].dropFirst(6).dropLast())] = String(block[sum].suffix(64))
    }
    return result
}
