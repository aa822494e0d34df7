// Laying out a tree being built: files written with fixed modes whatever the umask, errors in the
// system's words (never Foundation's error domains), paths as FilePath.
import Createrepo
import Fetch
import Foundation
import RPM
import Solv
import SystemPackage

enum TreeFiles {
    /// Lays out a tree in `root` (a staging directory): every planned RPM linked from the cache,
    /// repodata, the index and (one arch) the flat map, modes 0755/0644. Returns the index.
    static func lay(_ plan: TreePlan, from cache: PackageCache, into root: FilePath,
                    index builder: IndexBuilder) throws(ComposeError) -> ComposeIndex {
        var sha256: [String: String] = [:]
        var facts: [String: PackageFacts] = [:]
        for planned in plan.packages {
            guard let checksum = planned.package.checksum else { continue }
            let destination = root.appending(planned.path)
            do {
                try cache.materialize(checksum, at: destination.string)
                sha256[planned.path] = checksum.algorithm == "sha256"
                    ? checksum.hex : try Checksum.of(file: destination.string, algorithm: "sha256").hex
                // What a node operator compares between builds (config files, scriptlets, size).
                facts[planned.path] = try PackageFacts.read(file: destination.string)
            } catch {
                throw .environment("\(error)")
            }
        }
        let index = builder.index(sha256: sha256, facts: facts)
        // The sha256s are known (verified on fetch): createrepo_c then reads only the headers.
        do {
            _ = try Repodata.write(plan.packages.map {
                RepodataPackage(path: root.appending($0.path).string, href: $0.path, sha256: sha256[$0.path])
            }, root: root.string, timestamp: index.timestamp)
        } catch {
            throw .environment("\(error)")
        }
        try write(index.encoded(), to: root.appending(ComposeIndex.fileName))
        if index.arches.count == 1, let arch = index.arches.keys.first {
            try write(index.flatMap(arch: arch), to: root.appending(ComposeIndex.flatFileName))
        }
        try normalizeModes(root)
        return index
    }

    /// `mkdir -p` with mode 0755.
    static func makeDirectories(_ directory: FilePath) throws(ComposeError) {
        var info = stat()
        if stat(directory.string, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw .environment("\(directory): exists and is not a directory")
            }
            return
        }
        let parent = directory.removingLastComponent()
        if !parent.isEmpty && parent != directory { try makeDirectories(parent) }
        guard mkdir(directory.string, 0o755) == 0 || errno == EEXIST else {
            throw .environment("\(directory): cannot create the directory: \(String(cString: strerror(errno)))")
        }
        chmod(directory.string, 0o755)
    }

    /// Writes `data` to a new file at `path` with mode 0644.
    static func write(_ data: Data, to path: FilePath) throws(ComposeError) {
        let fd = open(path.string, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .environment("\(path): cannot create the file: \(String(cString: strerror(errno)))") }
        fchmod(fd, 0o644)
        let written = data.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; return false }
                offset += n
            }
            return true
        }
        let reason = String(cString: strerror(errno))
        guard close(fd) == 0, written else {
            throw .environment("\(path): cannot write the file: \(reason)")
        }
    }

    /// Directories 0755, files 0644, under `root`: what libraries wrote under the run's umask too.
    static func normalizeModes(_ root: FilePath) throws(ComposeError) {
        var pending = [root]
        while let directory = pending.popLast() {
            chmod(directory.string, 0o755)
            let entries: [String]
            do { entries = try FileManager.default.contentsOfDirectory(atPath: directory.string) } catch {
                throw .environment("\(directory): cannot list the directory: \(String(cString: strerror(errno)))")
            }
            for name in entries {
                let path = directory.appending(name)
                var info = stat()
                guard lstat(path.string, &info) == 0 else { continue }
                switch info.st_mode & S_IFMT {
                case S_IFDIR: pending.append(path)
                case S_IFREG where info.st_mode & 0o7777 != 0o644: chmod(path.string, 0o644)
                default: break
                }
            }
        }
    }

    /// `path` made absolute against the working directory, `.` and `..` resolved lexically.
    static func absolute(_ path: String) -> FilePath {
        FilePath(FileManager.default.currentDirectoryPath).pushing(FilePath(path)).lexicallyNormalized()
    }
}
