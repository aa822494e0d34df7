// A small HTTP server for compose tests: serves a folder on 127.0.0.1, optionally slowly, and
// records every path asked for. Python's http.server in a child process, bounded in time.
import Foundation

/// A static file server on an ephemeral port of 127.0.0.1; stopped by `stop()` or when released.
public final class FileServer: @unchecked Sendable {
    /// `http://127.0.0.1:<port>`, or `https://` when serving with a certificate.
    public let baseURL: String
    private let process: Process
    private let requestLog: URL

    /// Serves `root` (the first bytes of a file to a `Range: bytes=0-N` request); every `.rpm` response waits `rpmDelay` seconds first. The server exits by
    /// itself after `lifetime` seconds so a failed test cannot leave it running. With `tls` (a PEM
    /// file holding the certificate and its key) it speaks https; with `clientCA` as well it
    /// requires a client certificate issued by that CA. With `basicAuth` ("user:password") it
    /// answers 401 to requests without those credentials.
    public init(serving root: URL, rpmDelay: Double = 0, lifetime: Double = 300, tls: URL? = nil,
                clientCA: URL? = nil, basicAuth: String? = nil) throws {
        requestLog = try Fixtures.temporaryDirectory("http-log").appendingPathComponent("requests")
        try Data().write(to: requestLog)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script, root.path, String(rpmDelay), requestLog.path, String(lifetime),
                             tls?.path ?? "", clientCA?.path ?? "", basicAuth.map { Data($0.utf8).base64EncodedString() } ?? ""]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // The script prints its port once it listens.
        let line = String(decoding: out.fileHandleForReading.availableData, as: UTF8.self)
        guard let port = Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw FixtureError.commandFailed(argv: ["python3", "http server"], status: -1, stderr: "no port: '\(line)'")
        }
        baseURL = "\(tls == nil ? "http" : "https")://127.0.0.1:\(port)"
    }

    deinit { stop() }

    /// Stops the server (idempotent). SIGKILL: children of the test process may inherit a mask
    /// that blocks SIGTERM, and a hung stop would hang the whole test run.
    public func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
    }

    /// The paths requested so far, in order (each logged when its request arrives).
    public var requests: [String] {
        let text = (try? String(contentsOf: requestLog, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map(String.init)
    }

    /// A 127.0.0.1 URL nothing listens on: a port bound and closed again.
    public static func deadURL() throws -> String {
        let port = try Fixtures.run(["python3", "-c",
            "import socket; s=socket.socket(); s.bind(('127.0.0.1',0)); print(s.getsockname()[1]); s.close()"]).stdout
        return "http://127.0.0.1:\(port.trimmingCharacters(in: .whitespacesAndNewlines))"
    }

    private static let script = """
        import functools, http.server, os, signal, ssl, sys, threading, time
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        root, delay, log, lifetime = sys.argv[1], float(sys.argv[2]), sys.argv[3], float(sys.argv[4])
        auth = sys.argv[7]
        lock = threading.Lock()
        class Handler(http.server.SimpleHTTPRequestHandler):
            def do_GET(self):
                ranged = self.headers.get('Range', '')
                with lock, open(log, 'a') as f:
                    f.write(self.path + (' ' + ranged if ranged else '') + '\\n')
                if auth and self.headers.get('Authorization') != 'Basic ' + auth:
                    self.send_response(401)
                    self.send_header('WWW-Authenticate', 'Basic realm="repo"')
                    self.send_header('Content-Length', '0')
                    self.end_headers()
                    return
                if delay and self.path.endswith('.rpm'):
                    time.sleep(delay)
                path = self.translate_path(self.path)
                if ranged.startswith('bytes=0-') and os.path.isfile(path):
                    # The first bytes of a file (what a header fetch asks for), as web servers serve them.
                    with open(path, 'rb') as f:
                        data = f.read(int(ranged[len('bytes=0-'):]) + 1)
                    self.send_response(206)
                    self.send_header('Content-Length', str(len(data)))
                    self.send_header('Content-Range', 'bytes 0-%d/%d' % (len(data) - 1, os.path.getsize(path)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                super().do_GET()
            def log_message(self, *args):
                pass
        server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), functools.partial(Handler, directory=root))
        server.daemon_threads = True
        if sys.argv[5]:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(sys.argv[5])
            if sys.argv[6]:
                context.verify_mode = ssl.CERT_REQUIRED
                context.load_verify_locations(sys.argv[6])
            server.socket = context.wrap_socket(server.socket, server_side=True)
        threading.Timer(lifetime, lambda: os._exit(0)).start()
        print(server.server_address[1], flush=True)
        server.serve_forever()
        """
}

extension Fixtures {
    /// A self-signed certificate for 127.0.0.1 and its key in one PEM file (openssl req -x509).
    public static func selfSignedCertificate(in dir: URL) throws -> URL {
        let pem = dir.appendingPathComponent("server.pem")
        let key = dir.appendingPathComponent("server.key")
        let cert = dir.appendingPathComponent("server.crt")
        try run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                 "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                 "-keyout", key.path, "-out", cert.path])
        try (Data(contentsOf: cert) + Data(contentsOf: key)).write(to: pem)
        return pem
    }

    /// `argv` run through a trampoline that clears the signal mask first: Foundation's Process
    /// on Linux hands children the spawning thread's mask, in which SIGINT and SIGTERM are blocked,
    /// so a test that signals a child must start it this way.
    public static func withSignalsUnblocked(_ argv: [String]) -> [String] {
        ["/usr/bin/env", "python3", "-c",
         "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])"] + argv
    }
}
