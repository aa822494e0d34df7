internal import CLinux
import Foundation

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

/// Builds an output directory beside the real one and swaps it into place in one step.
///
/// While a run works it holds a lock next to the output, so the temporary directories it finds
/// there belong to runs that died (even by SIGKILL) and are removed before work starts.
public final class Publisher: @unchecked Sendable {
    /// The directory being published.
    public let output: String
    /// The directory being built; becomes `output` on `publish()`.
    public let staging: String
    private let lockFD: Int32
    private let lockPath: String
    private let lock = NSLock()
    private var finished = false

    /// Takes the lock, clears leftovers of dead runs and creates an empty staging directory.
    public init(output: String) throws(PublishError) {
        let absolute = URL(fileURLWithPath: output).standardizedFileURL.path
        let parent = (absolute as NSString).deletingLastPathComponent
        let name = (absolute as NSString).lastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            throw .io(path: parent, reason: error.localizedDescription)
        }
        let lockPath = "\(parent)/.\(name).mox-lock"
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .io(path: lockPath, reason: String(cString: strerror(errno))) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            throw .busy(output: absolute)
        }
        lockFD = fd
        self.lockPath = lockPath
        self.output = absolute
        let prefix = ".\(name).mox-tmp-"
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] where entry.hasPrefix(prefix) {
            try? FileManager.default.removeItem(atPath: "\(parent)/\(entry)")
        }
        staging = "\(parent)/\(prefix)\(getpid())"
        do {
            try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: false)
            // Readable by others whatever the umask: a tree or a layout is read by nodes, podman, pushes.
            chmod(staging, 0o755)
        } catch {
            flock(fd, LOCK_UN)
            close(fd)
            throw .io(path: staging, reason: error.localizedDescription)
        }
    }

    /// Removes what runs that died left beside `output`, when no other run is working on it.
    /// For runs that end without publishing (no change), which never create a staging directory.
    public static func clearLeftovers(of output: String) {
        guard let publisher = try? Publisher(output: output) else { return }
        publisher.discard()
    }

    deinit {
        discard()
        // Unlinked while still held: nothing of this run is left beside the output.
        unlink(lockPath)
        close(lockFD)
    }

    /// Puts the staging directory in place of the output: a swap when the output exists, a rename
    /// otherwise. At every instant `output` is either the old tree or the new one.
    public func publish() throws(PublishError) {
        lock.lock()
        defer { lock.unlock() }
        guard !finished else { return }
        if FileManager.default.fileExists(atPath: output) {
            if mox_exchange(staging, output) != 0 {
                guard errno == EINVAL || errno == ENOSYS else {
                    throw .io(path: output, reason: "cannot swap in the new tree: " + String(cString: strerror(errno)))
                }
                try moveAsideThenIn()
            }
        } else {
            guard rename(staging, output) == 0 else {
                throw .io(path: output, reason: "cannot move the new tree in place: " + String(cString: strerror(errno)))
            }
        }
        finished = true
        // After a swap the old tree sits at the staging path.
        try? FileManager.default.removeItem(atPath: staging)
    }

    /// For file systems without an atomic exchange: the old output is moved aside, the new one
    /// in, and the old one is removed only once the new one is in place.
    private func moveAsideThenIn() throws(PublishError) {
        let aside = staging + ".old"
        guard rename(output, aside) == 0 else {
            throw .io(path: output, reason: "cannot move the old tree aside: " + String(cString: strerror(errno)))
        }
        guard rename(staging, output) == 0 else {
            let reason = String(cString: strerror(errno))
            _ = rename(aside, output)
            throw .io(path: output, reason: "cannot move the new tree in place: " + reason)
        }
        finished = true
        try? FileManager.default.removeItem(atPath: aside)
    }

    /// Removes the staging directory; the output stays as it was. Safe to call from a signal handler's queue.
    public func discard() {
        lock.lock()
        defer { lock.unlock() }
        guard !finished else { return }
        finished = true
        try? FileManager.default.removeItem(atPath: staging)
    }
}
