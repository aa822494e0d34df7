// TestServer: a local HTTP server on 127.0.0.1 (python3) that serves a directory, misbehaves on
// request, and counts what it was asked; each test starts and stops its own.
import Fixtures
import Foundation

/// A python3 HTTP server serving `root`. The first path segment says how to behave:
/// `ok/F` serves F; `status-500-2/F` answers 500 twice, then serves; `drop-1/F` closes the
/// connection without an answer once; `truncate-9/F` sends half of F (with the full length) 9 times;
/// `gate-4/F` holds requests until 4 are in flight at once, then lets those 4 go (or gives up after 5 s).
final class TestServer: @unchecked Sendable {
    let root: URL
    let port: Int
    private let process: Process
    private let input = Pipe()

    /// What the server saw: request targets in arrival order, and the most requests in flight at once.
    struct Stats: Decodable {
        var requests: [String]
        var maxInFlight: Int
        enum CodingKeys: String, CodingKey {
            case requests
            case maxInFlight = "max_inflight"
        }
        /// How often a target ending in `suffix` was requested.
        func count(_ suffix: String) -> Int { requests.filter { $0.hasSuffix(suffix) }.count }
    }

    /// Starts a server on a free port; it also stops by itself when this process goes away.
    init(root: URL, startsProxy: Bool = true) throws {
        if startsProxy { _ = Self.proxy }
        self.root = root
        let script = try Self.script.get()
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, root.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = input
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            throw FixtureError.commandFailed(argv: process.arguments ?? [], status: -1, stderr: "the test server did not start")
        }
        self.port = port
    }

    /// `http://127.0.0.1:<port>/<path>`.
    func url(_ path: String) -> URL { URL(string: "http://127.0.0.1:\(port)/\(path)")! }

    /// The server's counters, read without going through any proxy.
    func stats() throws -> Stats {
        let reply = try Fixtures.run(["curl", "-sS", "--noproxy", "*", url("_stats").absoluteString])
        return try JSONDecoder().decode(Stats.self, from: Data(reply.stdout.utf8))
    }

    /// Stops the server and waits for it.
    func stop() {
        guard process.isRunning else { return }
        // The test runner blocks SIGTERM in children: end of input stops the server, SIGKILL makes sure.
        try? input.fileHandleForWriting.close()
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit { stop() }

    /// One proxy for the whole test process, put in the environment (http_proxy) before any
    /// transfer starts: every test starts a server first. 127.0.0.1 stays direct through no_proxy,
    /// so only requests to other hosts reach it.
    static let proxy: TestServer? = {
        guard let dir = try? Fixtures.temporaryDirectory("fetch-proxy"),
            let proxy = try? TestServer(root: dir, startsProxy: false)
        else { return nil }
        setenv("http_proxy", "http://127.0.0.1:\(proxy.port)", 1)
        setenv("no_proxy", "127.0.0.1,localhost", 1)
        for name in ["NO_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"] { unsetenv(name) }
        return proxy
    }()

    /// The server program, written once per test process.
    private static let script: Result<URL, Error> = Result {
        let dir = try Fixtures.temporaryDirectory("fetch-server")
        let file = dir.appendingPathComponent("server.py")
        try source.write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    private static let source = #"""
        import http.server, json, os, sys, threading, time, urllib.parse

        root = sys.argv[1]
        lock = threading.Condition()
        counts, log, barriers = {}, [], {}
        state = {"inflight": 0, "max": 0}

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                target = self.path
                if target.startswith("http://"):  # absolute form: a client using us as its proxy
                    target = urllib.parse.urlsplit(target).path
                if target == "/_stats":
                    with lock:
                        body = json.dumps({"requests": log, "max_inflight": state["max"]}).encode()
                    return self.reply(200, body)
                with lock:
                    log.append(self.path)
                    seen = counts[target] = counts.get(target, 0) + 1
                    state["inflight"] += 1
                    state["max"] = max(state["max"], state["inflight"])
                    lock.notify_all()
                try:
                    self.serve(target, seen)
                finally:
                    with lock:
                        state["inflight"] -= 1

            def serve(self, target, seen):
                mode, _, name = target.lstrip("/").partition("/")
                kind, *args = mode.split("-")
                path = os.path.join(root, urllib.parse.unquote(name))
                if kind == "status" and seen <= int(args[1]):
                    return self.reply(int(args[0]), b"failing on purpose\n")
                if kind == "drop" and seen <= int(args[0]):
                    self.close_connection = True
                    return
                if kind == "gate":  # a barrier: k requests in flight together, then all go on
                    with lock:
                        barrier = barriers.setdefault(int(args[0]), threading.Barrier(int(args[0]), timeout=5))
                    try:
                        barrier.wait()
                    except threading.BrokenBarrierError:
                        barrier.reset()
                if not os.path.isfile(path):
                    return self.reply(404, b"no such file\n")
                size = os.path.getsize(path)
                self.send_response(200)
                self.send_header("Content-Length", str(size))
                self.send_header("Content-Type", "application/octet-stream")
                self.end_headers()
                with open(path, "rb") as f:
                    if kind == "truncate" and seen <= int(args[0]):
                        self.wfile.write(f.read(size // 2))
                        self.wfile.flush()
                        self.close_connection = True
                        return
                    self.wfile.flush()
                    self.connection.sendfile(f)

            def reply(self, status, body):
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        def exit_with_parent():
            sys.stdin.read()
            os._exit(0)

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=exit_with_parent, daemon=True).start()
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """#
}
