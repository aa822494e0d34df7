import Foundation
import SystemPackage

/// Single files (a lockfile, SBOM documents) written beside their destinations first, then each
/// renamed into place in one step when the outputs they describe are published: an interrupted
/// or failed run leaves every destination as it was.
public final class StagedFiles: Discardable, @unchecked Sendable {
    private let lock = NSLock()
    /// Staged path -> destination, in the order staged.
    private var staged: [(temporary: String, destination: String)] = []
    private var committed = false

    public init() {}

    /// Whether `commit()` ran.
    public var isPublished: Bool { lock.withLock { committed } }

    /// Writes `data` (mode 0644) beside `destination`, creating its directory when needed.
    public func stage(_ data: Data, at destination: String) throws(PublishError) {
        let path = Publisher.absolute(destination)
        guard let name = path.lastComponent?.string else {
            throw .io(path: destination, reason: "not a file name; name a file")
        }
        var info = stat()
        if stat(path.string, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
            throw .io(path: destination, reason: "is a directory; name a file")
        }
        let parent = path.removingLastComponent()
        try Publisher.makeDirectories(parent)
        let prefix = ".\(name).mox-tmp-"
        // What runs killed before they could clean up left (their process is gone).
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: parent.string)) ?? [] where entry.hasPrefix(prefix) {
            if let pid = Int32(entry.dropFirst(prefix.count)), pid != getpid(), kill(pid, 0) != 0, errno == ESRCH {
                unlink(parent.appending(entry).string)
            }
        }
        let temporary = parent.appending("\(prefix)\(getpid())").string
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: temporary, reason: String(cString: strerror(errno))) }
        fchmod(fd, 0o644)
        let written = data.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; return false }
                offset += n
            }
            return true
        }
        let reason = String(cString: strerror(errno))
        guard close(fd) == 0, written else {
            unlink(temporary)
            throw .io(path: temporary, reason: "cannot write: \(reason)")
        }
        lock.withLock { staged.append((temporary, path.string)) }
    }

    /// Renames every staged file into place; the first failure is thrown, the rest still tried.
    public func commit() throws(PublishError) {
        let files = lock.withLock { () -> [(temporary: String, destination: String)] in
            defer { staged = []; committed = true }
            return staged
        }
        var failure: PublishError?
        for file in files where rename(file.temporary, file.destination) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(file.temporary)
            if failure == nil { failure = .io(path: file.destination, reason: "cannot move the new file in place: \(reason)") }
        }
        if let failure { throw failure }
    }

    /// Removes every staged file; the destinations stay as they were.
    public func discard() {
        let files = lock.withLock { () -> [(temporary: String, destination: String)] in
            defer { staged = [] }
            return staged
        }
        for file in files { unlink(file.temporary) }
    }

    deinit { discard() }
}
