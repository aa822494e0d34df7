// Fixtures: builds real RPMs (rpmbuild), repos (createrepo_c) and rpmdbs (rpm --justdb) for tests.
import Foundation

/// Real test material made on the spot with the system's rpm tools.
public enum Fixtures {
    /// How many rpmbuilds run at once: each is ~0.2 s of mostly process start-up.
    static let concurrentBuilds = 4

    /// A new, empty directory under NSTemporaryDirectory whose name starts with `label`.
    public static func temporaryDirectory(_ label: String) throws -> URL {
        let dir = URL(fileURLWithPath: NSTemporaryDirectory(), isDirectory: true)
            .appendingPathComponent("mox-\(label)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Builds one RPM per package into `dir` (flat, "name-V-R.arch.rpm") and returns their
    /// URLs in the order of `packages`. Arch packages are built with `--target`, so an aarch64
    /// package really says aarch64 whatever the host is.
    public static func buildRPMs(_ packages: [FixturePackage], into dir: URL) throws -> [URL] {
        for package in packages { try package.validate() }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let scratch = try temporaryDirectory("rpmbuild")
        defer { try? FileManager.default.removeItem(at: scratch) }

        // Workers take the next package index until none are left; the first error wins.
        let next = LockedBox(0)
        let firstError = LockedBox<Error?>(nil)
        let workers = DispatchGroup()
        for _ in 0..<min(concurrentBuilds, packages.count) {
            onOwnThread(workers) {
                while firstError.get() == nil {
                    let index = next.update { i -> Int in defer { i += 1 }; return i }
                    guard index < packages.count else { return }
                    do {
                        let topdir = scratch.appendingPathComponent("\(index)", isDirectory: true)
                        try buildRPM(packages[index], topdir: topdir, into: dir)
                    } catch {
                        firstError.update { if $0 == nil { $0 = error } }
                    }
                }
            }
        }
        workers.wait()
        if let error = firstError.get() { throw error }
        return packages.map { dir.appendingPathComponent($0.fileName) }
    }

    /// One rpmbuild in its own _topdir, writing the package straight into `dir`.
    static func buildRPM(_ package: FixturePackage, topdir: URL, into dir: URL) throws {
        try FileManager.default.createDirectory(at: topdir, withIntermediateDirectories: true)
        let spec = topdir.appendingPathComponent("\(package.name).spec")
        try package.specFile.write(to: spec, atomically: true, encoding: .utf8)
        var argv = ["rpmbuild", "-bb", "--quiet"]
        if package.arch != "noarch" { argv += ["--target", package.arch] }
        let macros = [
            "_topdir": topdir.path,
            "_rpmdir": dir.path,
            "_build_name_fmt": "%%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm",
            // Nothing to strip, compress or link: skip the host's post-install scripts.
            "__os_install_post": "%{nil}",
            "_build_id_links": "none",
            "debug_package": "%{nil}",
            "_binaries_in_noarch_packages_terminate_build": "0",
            // zstd like RHEL 9, at a low level: random payloads do not compress anyway.
            "_binary_payload": "w3.zstdio",
        ]
        for (name, value) in macros.sorted(by: { $0.key < $1.key }) {
            argv += ["--define", "\(name) \(value)"]
        }
        try run(argv + [spec.path])
    }

    /// Writes rpm-md metadata (repodata/) for the RPMs in `dir`, without sqlite databases.
    public static func createRepo(_ dir: URL, extraArgs: [String] = []) throws {
        try run(["createrepo_c", "--quiet", "--no-database"] + extraArgs + [dir.path])
    }

    /// Builds `packages` into `dir` and makes it a repo; returns the RPM URLs.
    @discardableResult
    public static func makeRepo(_ packages: [FixturePackage], at dir: URL) throws -> [URL] {
        let rpms = try buildRPMs(packages, into: dir)
        try createRepo(dir)
        return rpms
    }

    /// Makes `root` look like an installed image to rpm: records `rpms` in an rpmdb at
    /// `root + dbpath` without unpacking files or running scripts. No RPMs gives an empty rpmdb.
    public static func makeRootfs(_ rpms: [URL], at root: URL, dbpath: String = "/usr/share/rpm") throws {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        // Always name the dbpath: Debian's rpm would otherwise use ~/.rpmdb.
        let rpm = ["rpm", "--root", root.path, "--dbpath", dbpath]
        if rpms.isEmpty {
            try run(rpm + ["--initdb"])
        } else {
            try run(rpm + ["--justdb", "--nodeps", "--noscripts", "--ignorearch", "-i"] + rpms.map(\.path))
        }
    }

    /// Writes `<id>.repo` in `dir` with one repo whose baseurl is `baseURL` (which may use
    /// `$basearch`), and returns its URL.
    @discardableResult
    public static func writeRepoFile(id: String, baseURL: String, in dir: URL) throws -> URL {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let file = dir.appendingPathComponent("\(id).repo")
        let text = """
            [\(id)]
            name=\(id)
            baseurl=\(baseURL)
            enabled=1
            gpgcheck=0

            """
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    /// The names (`rpm -qa --qf '%{NEVRA}'`) recorded in the rpmdb of `root`, sorted.
    public static func installedNEVRAs(root: URL, dbpath: String = "/usr/share/rpm") throws -> [String] {
        let listing = try run(["rpm", "--root", root.path, "--dbpath", dbpath, "-qa", "--qf", "%{NEVRA}\\n"])
        return listing.stdout.split(separator: "\n").map(String.init).sorted()
    }

    /// The SwiftPM package root (the folder holding Package.swift).
    public static var packageRoot: URL {
        // This file is <root>/Tests/Fixtures/Fixtures.swift.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The shared corpus of real-world material (`../shared/corpus` next to the package), or nil.
    public static var corpus: URL? {
        let dir = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpus", isDirectory: true)
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: dir.path, isDirectory: &isDirectory) && isDirectory.boolValue
            ? dir : nil
    }

    /// The build products folder of the running tests (where `mox` is built), if it can be found.
    public static var productsDirectory: URL? {
        // The test bundle sits next to the executables in .build/<triple>/<configuration>/.
        var dir = Bundle.main.bundleURL
        while dir.path != "/" {
            if dir.pathExtension == "xctest" { return dir.deletingLastPathComponent() }
            if FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent("mox").path) { return dir }
            dir.deleteLastPathComponent()
        }
        return nil
    }
}
