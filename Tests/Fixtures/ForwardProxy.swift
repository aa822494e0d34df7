// Small network peers for repo tests: a forwarding HTTP proxy that logs what it forwards, and a
// server that accepts connections and never answers. Python in a child process, bounded in time.
import Foundation

/// A forwarding HTTP proxy on 127.0.0.1 (absolute-form GETs, as curl sends them to a proxy).
public final class ForwardProxy: @unchecked Sendable {
    /// `http://127.0.0.1:<port>`.
    public let url: String
    private let process: Process
    private let requestLog: URL

    /// Starts the proxy; it exits by itself after `lifetime` seconds. With `credentials`
    /// ("user:password") it answers 407 to requests that lack them.
    public init(lifetime: Double = 300, credentials: String? = nil) throws {
        requestLog = try Fixtures.temporaryDirectory("proxy-log").appendingPathComponent("requests")
        try Data().write(to: requestLog)
        (process, url) = try startPython(Self.script, [requestLog.path, String(lifetime),
                                                       credentials.map { Data($0.utf8).base64EncodedString() } ?? ""])
    }

    deinit { stop() }

    /// The absolute URLs forwarded (or refused) so far, in order.
    public var requests: [String] {
        ((try? String(contentsOf: requestLog, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    public func stop() { stopPython(process) }

    private static let script = """
        import http.server, os, signal, sys, threading, urllib.request
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        log, lifetime, credentials = sys.argv[1], float(sys.argv[2]), sys.argv[3]
        lock = threading.Lock()
        direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        class Proxy(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                with lock, open(log, 'a') as f:
                    f.write(self.path + '\\n')
                if credentials and self.headers.get('Proxy-Authorization') != 'Basic ' + credentials:
                    self.send_response(407)
                    self.send_header('Proxy-Authenticate', 'Basic realm="proxy"')
                    self.send_header('Content-Length', '0')
                    self.end_headers()
                    return
                try:
                    with direct.open(self.path, timeout=30) as upstream:
                        body, status = upstream.read(), upstream.status
                except urllib.error.HTTPError as error:
                    body, status = error.read(), error.code
                except Exception as error:
                    body, status = str(error).encode(), 502
                self.send_response(status)
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Proxy)
        server.daemon_threads = True
        threading.Timer(lifetime, lambda: os._exit(0)).start()
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """
}

/// A server on 127.0.0.1 that accepts connections and never answers; counts the connections.
public final class SilentServer: @unchecked Sendable {
    /// `http://127.0.0.1:<port>`.
    public let url: String
    private let process: Process
    private let counter: URL

    public init(lifetime: Double = 120) throws {
        counter = try Fixtures.temporaryDirectory("silent").appendingPathComponent("connections")
        try Data().write(to: counter)
        (process, url) = try startPython(Self.script, [counter.path, String(lifetime)])
    }

    deinit { stop() }

    /// Connections accepted so far.
    public var connections: Int {
        ((try? String(contentsOf: counter, encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    public func stop() { stopPython(process) }

    private static let script = """
        import os, signal, socket, sys, threading
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        counter, lifetime = sys.argv[1], float(sys.argv[2])
        threading.Timer(lifetime, lambda: os._exit(0)).start()
        listener = socket.socket()
        listener.bind(('127.0.0.1', 0))
        listener.listen(64)
        print(listener.getsockname()[1], flush=True)
        held = []
        while True:
            connection, _ = listener.accept()
            held.append(connection)
            with open(counter, 'a') as f:
                f.write('x\\n')
        """
}

/// Starts `python3 -c script arguments...`, which prints its port once it listens.
private func startPython(_ script: String, _ arguments: [String]) throws -> (Process, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let line = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
    guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
        kill(process.processIdentifier, SIGKILL)
        throw FixtureError.commandFailed(argv: ["python3", "server"], status: -1, stderr: "no port: '\(line)'")
    }
    return (process, "http://127.0.0.1:\(port)")
}

/// SIGKILL (children may inherit a mask that blocks SIGTERM) and a bounded wait.
private func stopPython(_ process: Process) {
    guard process.isRunning else { return }
    kill(process.processIdentifier, SIGKILL)
    let deadline = Date().addingTimeInterval(10)
    while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
}
