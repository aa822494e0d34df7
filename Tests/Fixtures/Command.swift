// Running a command and capturing its output: the one place fixtures (and tests) start processes.
import Foundation

/// What a finished command printed and how it exited.
public typealias CommandResult = (status: Int32, stdout: String, stderr: String)

extension Fixtures {
    /// Runs `argv` (looked up in PATH unless it contains a '/') and returns its exit status and output.
    /// `environment` is added to the current environment. A non-zero exit throws
    /// `FixtureError.commandFailed` unless `allowFailure` is true, for tests that inspect failures.
    @discardableResult
    public static func run(
        _ argv: [String], cwd: URL? = nil, environment: [String: String]? = nil,
        allowFailure: Bool = false
    ) throws -> CommandResult {
        guard let command = argv.first else {
            throw FixtureError.commandFailed(argv: argv, status: -1, stderr: "empty command line")
        }
        let process = Process()
        if command.contains("/") {
            process.executableURL = URL(fileURLWithPath: command)
            process.arguments = Array(argv.dropFirst())
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = argv
        }
        process.currentDirectoryURL = cwd
        if let environment {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw FixtureError.commandFailed(argv: argv, status: -1, stderr: "\(error)")
        }
        // Drain stderr on another thread so a chatty command cannot fill one pipe and stall.
        let stderrData = LockedBox(Data())
        let drained = DispatchGroup()
        onOwnThread(drained) {
            stderrData.set(err.fileHandleForReading.readDataToEndOfFile())
        }
        let stdoutData = out.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()

        let result = (
            status: process.terminationStatus,
            stdout: String(decoding: stdoutData, as: UTF8.self),
            stderr: String(decoding: stderrData.get(), as: UTF8.self)
        )
        if result.status != 0 && !allowFailure {
            throw FixtureError.commandFailed(argv: argv, status: result.status, stderr: result.stderr)
        }
        return result
    }
}

/// Runs `body` on a new thread inside `group`. Not on Dispatch's pool: blocking work there
/// (waiting for child processes) starves it, and the pool only grows after long delays.
func onOwnThread(_ group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
    group.enter()
    Thread.detachNewThread {
        body()
        group.leave()
    }
}

/// A value shared between threads behind a lock (fixtures are synchronous and use plain threads).
final class LockedBox<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()
    init(_ value: Value) { self.value = value }
    func get() -> Value { lock.withLock { value } }
    func set(_ newValue: Value) { lock.withLock { value = newValue } }
    func update<T>(_ body: (inout Value) -> T) -> T { lock.withLock { body(&value) } }
}
