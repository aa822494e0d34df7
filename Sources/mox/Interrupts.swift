// Interrupted runs (SIGINT, SIGTERM, SIGHUP) leave what they found: outputs put back as they were,
// working directories removed.
import Foundation
import Publish
import SystemPackage

/// Puts the tree and the image back as they were when the run is interrupted.
final class Interrupts: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let lock = NSLock()
    private var outputs: [any Discardable] = []
    private var fired = false

    init() {
        for signo in [SIGINT, SIGTERM, SIGHUP] {
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            source.setEventHandler { [weak self] in
                self?.lock.lock()
                self?.fired = true
                let outputs = self?.outputs ?? []
                self?.lock.unlock()
                // The image first: it was swapped in after the tree. Committed work stays.
                for output in outputs.reversed() { output.discard() }
                let message = outputs.contains { $0.isPublished }
                    ? "\nmox: interrupted after the output was published\n" : "\nmox: interrupted; the output is unchanged\n"
                FileHandle.standardError.write(Data(message.utf8))
                exit(128 + signo)
            }
            source.resume()
            sources.append(source)
        }
    }

    func protect(_ output: any Discardable) {
        lock.lock()
        outputs.append(output)
        lock.unlock()
    }

    /// Once a signal arrived, the handler owns the exit: the failure its clean-up causes in the
    /// work it interrupts must not end the process first, with another code and message.
    func settle() {
        guard lock.withLock({ fired }) else { return }
        while true { Thread.sleep(forTimeInterval: 60) }
    }
}

/// A run's private working directory, removed when the run is interrupted (the run removes it
/// itself when it ends).
final class WorkingDirectory: Discardable, @unchecked Sendable {
    private let path: FilePath

    init(_ path: FilePath) { self.path = path }

    func discard() { try? FileManager.default.removeItem(atPath: path.string) }

    var isPublished: Bool { false }
}
