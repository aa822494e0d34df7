// A real container registry (the distribution registry, Debian's docker-registry) on 127.0.0.1,
// with its storage in a temporary folder; started and stopped by the test, bounded in time.
import Foundation

/// A plain-HTTP registry on a free port of 127.0.0.1; killed by `stop()`, on release, or after `lifetime` seconds.
public final class Registry: @unchecked Sendable {
    /// An account of a registry that asks for credentials (htpasswd, HTTP basic auth).
    public struct Credentials: Sendable {
        public let user: String
        public let password: String
        public init(user: String, password: String) {
            self.user = user
            self.password = password
        }
    }

    /// `127.0.0.1:<port>`, as image references name it.
    public let host: String
    /// The one account, when the registry asks for credentials.
    public let credentials: Credentials?
    private let process: Process
    private let directory: URL

    /// With `tls`, the registry speaks https with that certificate; with `credentials`, every request
    /// needs them (an htpasswd file made by apache's htpasswd, bcrypt as the registry requires).
    public init(lifetime: Int = 600, tls: TestCertificateAuthority.Issued? = nil, credentials: Credentials? = nil) throws {
        directory = try Fixtures.temporaryDirectory("registry")
        self.credentials = credentials
        var auth = "\n"
        if let credentials {
            let htpasswd = directory.appendingPathComponent("htpasswd")
            try Fixtures.run(["htpasswd", "-Bbn", credentials.user, credentials.password]).stdout
                .write(to: htpasswd, atomically: true, encoding: .utf8)
            auth = "\nauth:\n  htpasswd:\n    realm: mox-test\n    path: \(htpasswd.path)\n"
        }
        let port = try Fixtures.run(["python3", "-c",
            "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1]); s.close()"])
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        host = "127.0.0.1:\(port)"
        let config = directory.appendingPathComponent("config.yml")
        try """
            version: 0.1
            log:
              level: error
            storage:
              filesystem:
                rootdirectory: \(directory.appendingPathComponent("storage").path)
            http:
              addr: \(host)
            """.appending(tls.map { "\n  tls:\n    certificate: \($0.certificate.path)\n    key: \($0.key.path)\n" } ?? "\n")
            .appending(auth).write(to: config, atomically: true, encoding: .utf8)
        // timeout(1) leads its own process group and kills it after `lifetime` seconds whatever happens to
        // the test; stop() kills the group. A direct child: Foundation watches it without a stray holder.
        let log = directory.appendingPathComponent("log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["-s", "KILL", String(lifetime), "docker-registry", "serve", config.path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: log)
        process.standardError = process.standardOutput
        try process.run()
        stopAtExit(process)
        // Ready when /v2/ answers; at most 15 s.
        for _ in 0..<150 {
            let user = credentials.map { ["-u", "\($0.user):\($0.password)"] } ?? []
            if (try? Fixtures.run(["curl", "-kfsS", "-o", "/dev/null"] + user + ["\(tls == nil ? "http" : "https")://\(host)/v2/"]))?.status == 0 {
                return
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        stop()
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        throw FixtureError.commandFailed(argv: ["docker-registry", "serve"], status: -1, stderr: "not ready: \(text)")
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Kills the registry (idempotent).
    public func stop() {
        guard process.isRunning else { return }
        kill(-process.processIdentifier, SIGKILL)
        kill(process.processIdentifier, SIGKILL)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
    }

    /// Pushes `source` (any skopeo reference) to `name` in this registry, all arches of an index.
    public func push(_ source: String, as name: String) throws {
        let creds = credentials.map { ["--dest-creds", "\($0.user):\($0.password)"] } ?? []
        try Fixtures.run(["skopeo", "copy", "--quiet", "--all", "--dest-tls-verify=false"] + creds
                         + [source, "docker://\(host)/\(name)"])
    }

    /// Writes this registry's credentials to the auth file `file`, as a user does: `skopeo login --authfile`.
    public func login(authFile file: URL) throws {
        guard let credentials else { throw FixtureError.commandFailed(argv: ["skopeo", "login"], status: -1,
                                                                      stderr: "\(host) asks for no credentials") }
        try Fixtures.run(["skopeo", "login", "--authfile", file.path, "--tls-verify=false", host,
                          "-u", credentials.user, "-p", credentials.password])
    }
}

/// Registries still running when the test process exits (a suite-wide one is never released).
private let running = LockedBox<[Process]>([])

private func stopAtExit(_ process: Process) {
    let first = running.update { list -> Bool in
        list.append(process)
        return list.count == 1
    }
    if first {
        atexit {
            for process in running.get() where process.isRunning {
                kill(-process.processIdentifier, SIGKILL)
                kill(process.processIdentifier, SIGKILL)
            }
        }
    }
}
