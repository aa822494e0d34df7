import Fetch
import Foundation

/// Fetch progress on stderr: one rewritten line on a terminal, plain log lines in a pipeline.
final class ProgressLine: @unchecked Sendable {
    private let terminal: Bool
    private let lock = NSLock()
    private let started = Date()
    private var lastDraw = Date.distantPast
    private var lastLogged = 0
    private var drawn = false

    private init(terminal: Bool) {
        self.terminal = terminal
    }

    /// A progress line for stderr, in the style the stream calls for.
    static func forStandardError() -> ProgressLine {
        ProgressLine(terminal: isatty(STDERR_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb")
    }

    func update(_ p: FetchProgress) {
        lock.lock()
        defer { lock.unlock() }
        let elapsed = max(Date().timeIntervalSince(started), 0.001)
        let rate = Double(p.bytesDone) / elapsed
        let text = "fetching \(p.packagesDone)/\(p.packagesTotal) packages, "
            + "\(ByteCount.format(p.bytesDone))/\(ByteCount.format(p.bytesTotal)), \(ByteCount.format(Int64(rate)))/s"
        if terminal {
            // At most ten redraws a second, and always the last one.
            guard p.packagesDone == p.packagesTotal || Date().timeIntervalSince(lastDraw) > 0.1 else { return }
            lastDraw = Date()
            FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
            drawn = true
        } else if p.packagesDone > lastLogged {
            // One line per finished package: greppable, and nothing is redrawn.
            lastLogged = p.packagesDone
            FileHandle.standardError.write(Data("fetched \(p.current) (\(p.packagesDone)/\(p.packagesTotal))\n".utf8))
        }
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if terminal && drawn {
            FileHandle.standardError.write(Data("\n".utf8))
            drawn = false
        }
    }
}
