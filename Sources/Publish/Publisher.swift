internal import CLinux
import Foundation
import SystemPackage

/// Why the output could not be published.
public enum PublishError: Error, Sendable, CustomStringConvertible {
    /// Another mox run holds the output's lock.
    case busy(output: String)
    /// A file system operation failed.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .busy(let output): "\(output): another mox run is writing it; wait for it to finish"
        case let .io(path, reason): "\(path): \(reason)"
        }
    }
}

/// Work in progress that an interrupted run must undo (a signal handler calls `discard()`).
public protocol Discardable: AnyObject, Sendable {
    /// Puts every output back as it was before the run; safe to call more than once, and a no-op
    /// once the work was committed.
    func discard()
    /// Whether the work was committed (then `discard()` changes nothing).
    var isPublished: Bool { get }
}

/// Builds an output directory beside the real one and swaps it into place in one step.
///
/// While a run works it holds a lock next to the output, so the temporary directories it finds
/// there belong to runs that died (even by SIGKILL) and are removed before work starts.
/// Publishing has two steps so that several outputs (a tree and its image) change together:
/// `swapIn()` puts the new one in place and keeps the old one, `commit()` drops the old one,
/// `discard()` before `commit()` puts the old one back.
public final class Publisher: Discardable, @unchecked Sendable {
    /// The directory being published, absolute.
    public let output: String
    /// The directory being built; becomes `output` on `swapIn()`.
    public let staging: String
    private let lockFD: Int32
    private let lockPath: String
    private let lock = NSLock()
    private var state = State.building
    private var committed = false

    /// Whether `commit()` ran: the new output stays.
    public var isPublished: Bool { lock.withLock { committed } }

    private enum State {
        case building
        /// In place; the old output (if any) waits at `staging` (exchanged) or at `aside` (moved).
        case swapped(old: Old)
        case done
    }

    private enum Old {
        case none, exchanged, movedAside(String)
    }

    /// `path` made absolute against the working directory, `.` and `..` resolved lexically.
    public static func absolute(_ path: String) -> FilePath {
        FilePath(FileManager.default.currentDirectoryPath).pushing(FilePath(path)).lexicallyNormalized()
    }

    /// Takes the lock, clears leftovers of dead runs and creates an empty staging directory (0755).
    public init(output: String) throws(PublishError) {
        let absolute = Self.absolute(output)
        guard let name = absolute.lastComponent?.string else {
            throw .io(path: output, reason: "cannot publish over the root directory; name a directory below it")
        }
        let parent = absolute.removingLastComponent()
        try Self.makeDirectories(parent)
        let lockPath = parent.appending(".\(name).mox-lock").string
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: lockPath, reason: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw .busy(output: absolute.string)
        }
        lockFD = fd
        self.lockPath = lockPath
        self.output = absolute.string
        let prefix = ".\(name).mox-tmp-"
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: parent.string)) ?? [] where entry.hasPrefix(prefix) {
            try? FileManager.default.removeItem(atPath: parent.appending(entry).string)
        }
        staging = parent.appending("\(prefix)\(getpid())").string
        guard mkdir(staging, 0o755) == 0 else {
            let reason = String(cString: strerror(errno))
            flock(fd, LOCK_UN)
            close(fd)
            throw .io(path: staging, reason: "cannot create the staging directory: \(reason)")
        }
        // Readable by others whatever the umask: a tree or a layout is read by nodes, podman, pushes.
        chmod(staging, 0o755)
    }

    /// Removes what runs that died left beside `output`, when no other run is working on it.
    /// For runs that end without publishing (no change), which never fill a staging directory.
    public static func clearLeftovers(of output: String) {
        guard let publisher = try? Publisher(output: output) else { return }
        publisher.discard()
    }

    deinit {
        discard()
        unlockOnce()
        close(lockFD)
    }

    private var unlocked = false

    /// Unlinked while still held: nothing of this run is left beside the output, even when the
    /// process exits from a signal handler right after `discard()`.
    private func unlockOnce() {
        guard !unlocked else { return }
        unlocked = true
        unlink(lockPath)
    }

    /// Puts the staging directory in place and removes the old output.
    public func publish() throws(PublishError) {
        try swapIn()
        commit()
    }

    /// Puts the staging directory in place of the output: a swap when the output exists, a rename
    /// otherwise. At every instant `output` is either the old tree or the new one.
    public func swapIn() throws(PublishError) {
        lock.lock()
        defer { lock.unlock() }
        guard case .building = state else { return }
        guard access(output, F_OK) == 0 else {
            guard rename(staging, output) == 0 else {
                throw .io(path: output, reason: "cannot move the new output in place: " + String(cString: strerror(errno)))
            }
            state = .swapped(old: .none)
            return
        }
        if mox_exchange(staging, output) == 0 {
            state = .swapped(old: .exchanged)
            return
        }
        guard errno == EINVAL || errno == ENOSYS else {
            throw .io(path: output, reason: "cannot swap in the new output: " + String(cString: strerror(errno)))
        }
        // File systems without an atomic exchange: the old output is moved aside, the new one in.
        let aside = staging + ".old"
        guard rename(output, aside) == 0 else {
            throw .io(path: output, reason: "cannot move the old output aside: " + String(cString: strerror(errno)))
        }
        guard rename(staging, output) == 0 else {
            let reason = String(cString: strerror(errno))
            _ = rename(aside, output)
            throw .io(path: output, reason: "cannot move the new output in place: " + reason)
        }
        state = .swapped(old: .movedAside(aside))
    }

    /// After `swapIn()`: the old output is removed for good.
    public func commit() {
        lock.lock()
        defer { lock.unlock() }
        guard case .swapped(let old) = state else { return }
        state = .done
        committed = true
        switch old {
        case .none: break
        case .exchanged: try? FileManager.default.removeItem(atPath: staging)
        case .movedAside(let aside): try? FileManager.default.removeItem(atPath: aside)
        }
    }

    /// Before `commit()`: the output becomes what it was before this run (the old one is swapped
    /// back after `swapIn()`), and the staging directory is removed. Safe to call from a signal
    /// handler's queue, and more than once.
    public func discard() {
        lock.lock()
        defer { lock.unlock() }
        switch state {
        case .done:
            return
        case .building:
            break
        case .swapped(.none):
            _ = rename(output, staging)
        case .swapped(.exchanged):
            _ = mox_exchange(staging, output)
        case .swapped(.movedAside(let aside)):
            if rename(output, staging) == 0 { _ = rename(aside, output) }
        }
        state = .done
        try? FileManager.default.removeItem(atPath: staging)
        unlockOnce()
    }

    /// `mkdir -p`, the error in the system's words.
    static func makeDirectories(_ directory: FilePath) throws(PublishError) {
        var info = stat()
        if stat(directory.string, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else { throw .io(path: directory.string, reason: "exists and is not a directory") }
            return
        }
        let parent = directory.removingLastComponent()
        if !parent.isEmpty && parent != directory { try makeDirectories(parent) }
        if mkdir(directory.string, 0o755) != 0 && errno != EEXIST {
            throw .io(path: directory.string, reason: "cannot create the directory: " + String(cString: strerror(errno)))
        }
    }
}
