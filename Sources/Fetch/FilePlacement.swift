internal import CLinux
import Foundation
import SystemPackage

/// How a file was put in place.
public enum Placement: Sendable, Hashable {
    /// A second name for the same inode (same filesystem).
    case hardlink
    /// A copy-on-write clone sharing extents (btrfs, XFS).
    case reflink
    /// A byte-for-byte copy (another filesystem).
    case copy
}

/// Puts `source` at `target`, which must not exist: hardlink, else reflink, else copy. For files
/// mox owns on both sides (cache to tree); files of others are copied by `Fetcher.copyLocal`.
func place(_ source: String, at target: String) throws(FetchError) -> Placement {
    if link(source, target) == 0 { return .hardlink }
    let input = open(source, O_RDONLY | O_CLOEXEC)
    guard input >= 0 else {
        if errno == ENOENT { throw .missingFile(path: source) }
        throw .io(path: source, operation: "open", reason: lastError())
    }
    defer { close(input) }
    let output = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
    guard output >= 0 else { throw .io(path: target, operation: "create", reason: lastError()) }
    do throws(FetchError) {
        if mox_reflink(output, input) == 0 {
            try closeChecked(output, path: target)
            return .reflink
        }
        try copyBytes(from: input, source: source, to: output, target: target)
        try closeChecked(output, path: target)
        return .copy
    } catch {
        unlink(target)
        throw error
    }
}

/// Reads `input` to its end in 1 MiB chunks (memory stays flat whatever the file size), handing
/// each to `body`; interruptions are retried, a failing read names `source`.
func forEachChunk(of input: Int32, source: String,
                  _ body: (UnsafeRawBufferPointer) throws(FetchError) -> Void) throws(FetchError) {
    let size = 1 << 20
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
    defer { buffer.deallocate() }
    while true {
        let n = read(input, buffer, size)
        if n < 0 {
            if errno == EINTR { continue }
            throw .io(path: source, operation: "read", reason: lastError())
        }
        if n == 0 { return }
        try body(UnsafeRawBufferPointer(start: buffer, count: n))
    }
}

/// Copies `input` to `output`; on failure `output` is closed.
func copyBytes(from input: Int32, source: String, to output: Int32, target: String) throws(FetchError) {
    do {
        try forEachChunk(of: input, source: source) { (chunk) throws(FetchError) in
            guard writeAll(output, chunk) else { throw .io(path: target, operation: "write", reason: lastError()) }
        }
    } catch {
        close(output)
        throw error
    }
}

/// Writes every byte, retrying short writes and interruptions.
func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
    var offset = 0
    while offset < bytes.count {
        let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
        if n < 0 {
            if errno == EINTR { continue }
            return false
        }
        offset += n
    }
    return true
}

/// close(2) reports delayed write errors (NFS, full disks): do not lose them.
func closeChecked(_ fd: Int32, path: String) throws(FetchError) {
    if close(fd) != 0 { throw .io(path: path, operation: "close", reason: lastError()) }
}

/// Moves a finished temporary file to its final name, making parent directories.
func publish(_ temporary: String, at destination: String) throws(FetchError) {
    let parent = FilePath(destination).removingLastComponent()
    do throws(FetchError) {
        try makeDirectories(parent.isEmpty ? "." : parent)
    } catch {
        unlink(temporary)
        throw error
    }
    guard rename(temporary, destination) == 0 else {
        let reason = lastError()
        unlink(temporary)
        throw .io(path: destination, operation: "rename", reason: reason)
    }
    // rename(2) of two names of one inode succeeds without removing the old name.
    unlink(temporary)
}

/// A unique name in `directory` for a file being written, hidden from directory listings.
func temporaryName(in directory: FilePath, for name: String) -> FilePath {
    let safe = name.replacingOccurrences(of: "/", with: "_")
    // The pid lets a later run tell the leftovers of a killed run from the files of a live one.
    return directory.appending(".\(safe).\(getpid()).\(UUID().uuidString.prefix(12)).part")
}

/// `mkdir -p` with mode 0755 whatever the umask, the error in the system's words.
func makeDirectories(_ directory: FilePath) throws(FetchError) {
    var info = stat()
    if stat(directory.string, &info) == 0 {
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw .io(path: directory.string, operation: "mkdir", reason: "exists and is not a directory")
        }
        return
    }
    let parent = directory.removingLastComponent()
    if !parent.isEmpty && parent != directory { try makeDirectories(parent) }
    if mkdir(directory.string, 0o755) != 0 && errno != EEXIST {
        throw .io(path: directory.string, operation: "mkdir", reason: lastError())
    }
    chmod(directory.string, 0o755)
}

/// strerror(errno) as a String.
func lastError() -> String { String(cString: strerror(errno)) }
