internal import CCurl
import Foundation
import Repos
import RPM

/// One libcurl easy handle, reused for a worker's transfers so connections are kept alive.
/// Owned by one thread at a time. Each transfer takes its repo's connection settings (TLS,
/// credentials, proxy, timeouts, speed limits); without a repo `proxy`, libcurl honours
/// http_proxy, https_proxy and no_proxy from the environment itself.
final class HTTPClient {
    private let handle: UnsafeMutableRawPointer
    private let options: FetchOptions
    private let errorText = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    /// curl_global_init is not thread-safe: run it once, before the first handle.
    private static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK

    /// The one way a connection comes to be: with `--offline` no client exists, so none is opened.
    init(options: FetchOptions) throws(FetchError) {
        guard !options.offline else { throw .offline(url: "") }
        guard Self.initialized, let handle = curl_easy_init() else {
            throw .transfer(url: "", code: Int(CURLE_FAILED_INIT.rawValue), message: "libcurl could not start")
        }
        self.handle = handle
        self.options = options
    }

    deinit {
        curl_easy_cleanup(handle)
        errorText.deallocate()
    }

    /// The result of one GET.
    enum Outcome {
        /// The whole body was received (this many bytes).
        case completed(Int64)
        /// The body was larger than the limit given: stopped early.
        case tooLarge(Int64)
        /// The connection ended before Content-Length bytes arrived.
        case truncated(received: Int64, announced: Int64?)
        /// Writing the body to disk failed (errno text).
        case writeFailed(String)
        /// Any other failure, already phrased as an error; `retry` (nil: the error's own judgement)
        /// says whether trying again may help, `hostFailure` why the host is unusable this run.
        case failed(FetchError, retry: Bool?, hostFailure: String? = nil)
    }

    /// GETs `url` into `sink` with `connection`'s settings, following redirects (http and https only).
    func get(_ url: String, connection: RepoConnection, prefix: Int64? = nil, into sink: DownloadSink) -> Outcome {
        curl_easy_reset(handle)
        errorText[0] = 0
        _ = mox_curl_setopt_string(handle, CURLOPT_URL, url)
        _ = mox_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = mox_curl_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        _ = mox_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 1)
        _ = mox_curl_setopt_long(handle, CURLOPT_MAXREDIRS, 10)
        _ = mox_curl_setopt_long(handle, CURLOPT_FAILONERROR, 1)
        if let prefix, prefix > 0 { _ = mox_curl_setopt_string(handle, CURLOPT_RANGE, "0-\(prefix - 1)") }
        // Timeouts use signals otherwise, which threads must not.
        _ = mox_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        let limits = Limits(options: options, connection: connection)
        _ = mox_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(limits.connect * 1000))
        _ = mox_curl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, limits.minRate)
        _ = mox_curl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, max(1, Int(limits.stall.rounded(.up))))
        if let total = options.totalTimeout {
            _ = mox_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(total * 1000))
        }
        if let maxSpeed = connection.maxSpeed {
            _ = mox_curl_setopt_off(handle, CURLOPT_MAX_RECV_SPEED_LARGE, curl_off_t(maxSpeed))
        }
        switch connection.ipResolve {
        case .any: break
        case .v4: _ = mox_curl_setopt_long(handle, CURLOPT_IPRESOLVE, Int(CURL_IPRESOLVE_V4))
        case .v6: _ = mox_curl_setopt_long(handle, CURLOPT_IPRESOLVE, Int(CURL_IPRESOLVE_V6))
        }
        _ = mox_curl_setopt_string(handle, CURLOPT_USERAGENT, connection.userAgent ?? options.userAgent)
        setTLS(connection)
        setCredentials(connection)
        _ = mox_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorText)
        _ = mox_curl_setopt_write(handle) { data, size, count, context in
            guard let data, let context else { return 0 }
            let sink = Unmanaged<DownloadSink>.fromOpaque(context).takeUnretainedValue()
            // Returning fewer bytes than given makes libcurl stop with CURLE_WRITE_ERROR.
            return sink.write(UnsafeRawBufferPointer(start: data, count: size * count)) ? size * count : 0
        }
        _ = mox_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(sink).toOpaque())
        _ = mox_curl_setopt_prereq(handle) { context, _, _, _, _ in
            if let context { Unmanaged<DownloadSink>.fromOpaque(context).takeUnretainedValue().connect() }
            return CURL_PREREQFUNC_OK
        }
        _ = mox_curl_setopt_pointer(handle, CURLOPT_PREREQDATA, Unmanaged.passUnretained(sink).toOpaque())

        let code = withExtendedLifetime(sink) { curl_easy_perform(handle) }
        if code == CURLE_OK { return .completed(sink.received) }
        if sink.exceededLimit { return .tooLarge(sink.received) }
        if let reason = sink.writeError { return .writeFailed(reason) }
        if code == CURLE_HTTP_RETURNED_ERROR {
            var status = 0
            _ = mox_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
            return .failed(Self.statusError(url: url, status: status, connection: connection), retry: nil)
        }
        if code == CURLE_PARTIAL_FILE {
            var announced: curl_off_t = -1
            _ = mox_curl_getinfo_off(handle, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced)
            return .truncated(received: sink.received, announced: announced >= 0 ? Int64(announced) : nil)
        }
        let detail = String(cString: errorText)
        var verifyResult = 0
        _ = mox_curl_getinfo_long(handle, CURLINFO_SSL_VERIFYRESULT, &verifyResult)
        let failure = TransferFailure(.init(
            url: url, code: code, text: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail,
            verifyResult: verifyResult, connected: sink.connected, received: sink.received, connection: connection,
            timeout: sink.connected ? limits.stall : limits.connect, minRate: limits.minRate, usesProxy: connection.proxy != nil))
        return .failed(failure.error, retry: failure.retry, hostFailure: failure.hostFailure)
    }

    /// Only connects (TCP, a proxy's tunnel, TLS) to `url`'s host, as a GET of it would; returns
    /// how long that took in seconds.
    func connect(_ url: String, connection: RepoConnection) -> Result<Double, TransferFailure> {
        curl_easy_reset(handle)
        errorText[0] = 0
        _ = mox_curl_setopt_string(handle, CURLOPT_URL, url)
        _ = mox_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = mox_curl_setopt_long(handle, CURLOPT_CONNECT_ONLY, 1)
        _ = mox_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        let limits = Limits(options: options, connection: connection)
        _ = mox_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(limits.connect * 1000))
        switch connection.ipResolve {
        case .any: break
        case .v4: _ = mox_curl_setopt_long(handle, CURLOPT_IPRESOLVE, Int(CURL_IPRESOLVE_V4))
        case .v6: _ = mox_curl_setopt_long(handle, CURLOPT_IPRESOLVE, Int(CURL_IPRESOLVE_V6))
        }
        setTLS(connection)
        setCredentials(connection)
        _ = mox_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorText)
        let code = curl_easy_perform(handle)
        guard code == CURLE_OK else {
            let detail = String(cString: errorText)
            var verifyResult = 0
            _ = mox_curl_getinfo_long(handle, CURLINFO_SSL_VERIFYRESULT, &verifyResult)
            return .failure(TransferFailure(.init(
                url: url, code: code, text: detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail,
                verifyResult: verifyResult, connected: false, received: 0, connection: connection,
                timeout: limits.connect, minRate: limits.minRate, usesProxy: connection.proxy != nil)))
        }
        var tcp: curl_off_t = 0, tls: curl_off_t = 0
        _ = mox_curl_getinfo_off(handle, CURLINFO_CONNECT_TIME_T, &tcp)
        _ = mox_curl_getinfo_off(handle, CURLINFO_APPCONNECT_TIME_T, &tls)
        return .success(Double(max(tcp, tls)) / 1_000_000)
    }

    /// Timeouts and the low-speed limit: the repo's own (dnf's `timeout` bounds both the
    /// connection and a stall), else the run's.
    struct Limits {
        /// Seconds to connect.
        var connect: Double
        /// Seconds a transfer may stay below `minRate`.
        var stall: Double
        var minRate: Int

        init(options: FetchOptions, connection: RepoConnection) {
            connect = connection.timeout ?? options.connectTimeout
            stall = connection.timeout ?? options.lowSpeedTime
            minRate = connection.minRate ?? options.lowSpeedLimit
        }
    }

    private func setTLS(_ connection: RepoConnection) {
        // A private CA: the repo's sslcacert, else the variables curl and OpenSSL users already set.
        let environment = ProcessInfo.processInfo.environment
        if let bundle = connection.sslCACert ?? environment["CURL_CA_BUNDLE"] ?? environment["SSL_CERT_FILE"], !bundle.isEmpty {
            _ = mox_curl_setopt_string(handle, CURLOPT_CAINFO, bundle)
        }
        if !connection.sslVerify {
            _ = mox_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 0)
            _ = mox_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 0)
        }
        if connection.sslVerifyStatus { _ = mox_curl_setopt_long(handle, CURLOPT_SSL_VERIFYSTATUS, 1) }
        if let cert = connection.sslClientCert { _ = mox_curl_setopt_string(handle, CURLOPT_SSLCERT, cert) }
        if let key = connection.sslClientKey { _ = mox_curl_setopt_string(handle, CURLOPT_SSLKEY, key) }
        if let ca = connection.proxySSLCACert { _ = mox_curl_setopt_string(handle, CURLOPT_PROXY_CAINFO, ca) }
        if !connection.proxySSLVerify {
            _ = mox_curl_setopt_long(handle, CURLOPT_PROXY_SSL_VERIFYPEER, 0)
            _ = mox_curl_setopt_long(handle, CURLOPT_PROXY_SSL_VERIFYHOST, 0)
        }
        if let cert = connection.proxySSLClientCert { _ = mox_curl_setopt_string(handle, CURLOPT_PROXY_SSLCERT, cert) }
        if let key = connection.proxySSLClientKey { _ = mox_curl_setopt_string(handle, CURLOPT_PROXY_SSLKEY, key) }
    }

    private func setCredentials(_ connection: RepoConnection) {
        if let user = connection.username {
            _ = mox_curl_setopt_string(handle, CURLOPT_USERNAME, user)
            _ = mox_curl_setopt_string(handle, CURLOPT_PASSWORD, connection.password ?? "")
            _ = mox_curl_setopt_long(handle, CURLOPT_HTTPAUTH, mox_curlauth_any())
        }
        if let proxy = connection.proxy { _ = mox_curl_setopt_string(handle, CURLOPT_PROXY, proxy) }
        if let user = connection.proxyUsername {
            _ = mox_curl_setopt_string(handle, CURLOPT_PROXYUSERNAME, user)
            _ = mox_curl_setopt_string(handle, CURLOPT_PROXYPASSWORD, connection.proxyPassword ?? "")
        }
        let methods: Int
        switch connection.proxyAuthMethod {
        case .any: methods = mox_curlauth_any()
        case .none: methods = mox_curlauth_none()
        case .basic: methods = mox_curlauth_basic()
        case .digest: methods = mox_curlauth_digest()
        case .negotiate: methods = mox_curlauth_negotiate()
        case .ntlm: methods = mox_curlauth_ntlm()
        case .digestIE: methods = mox_curlauth_digest_ie()
        case .ntlmWinbind: methods = mox_curlauth_ntlm_wb()
        }
        _ = mox_curl_setopt_long(handle, CURLOPT_PROXYAUTH, methods)
    }

    /// An HTTP error status, in words for the statuses a repo's settings can fix.
    static func statusError(url: String, status: Int, connection: RepoConnection) -> FetchError {
        switch status {
        case 401 where connection.username == nil:
            return .connection(url: url, reason: "HTTP 401: the server wants credentials; set username and password in the repo")
        case 401:
            return .connection(url: url, reason: "HTTP 401: the server refused the repo's username '\(connection.username ?? "")' "
                + "and password; check them")
        case 407:
            return .connection(url: url, reason: "HTTP 407: the proxy wants credentials; set proxy_username and proxy_password "
                + "in the repo")
        default:
            return .httpStatus(url: url, status: status)
        }
    }
}

/// Where a body goes: a file descriptor, a digest fed on the way, a byte limit, a progress hook.
final class DownloadSink {
    private let fd: Int32
    private let digest: StreamingDigest?
    private let limit: Int64?
    private let progress: (Int64) -> Void
    /// Bytes written so far.
    private(set) var received: Int64 = 0
    /// Set when the body grew past `limit` (the repo metadata's size).
    private(set) var exceededLimit = false
    /// Set when writing to disk failed.
    private(set) var writeError: String?
    /// Set once the connection (and TLS) is up.
    private(set) var connected = false
    /// Called once the connection is up (before the request is sent).
    var onConnect: () -> Void = {}

    init(fd: Int32, digest: StreamingDigest?, limit: Int64?, progress: @escaping (Int64) -> Void) {
        self.fd = fd
        self.digest = digest
        self.limit = limit
        self.progress = progress
    }

    /// The connection is up.
    func connect() {
        if !connected { onConnect() }
        connected = true
    }

    /// Hashes and writes one chunk; false stops the transfer.
    func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if let limit, received + Int64(bytes.count) > limit {
            exceededLimit = true
            return false
        }
        digest?.update(bytes)
        guard writeAll(fd, bytes) else {
            writeError = lastError()
            return false
        }
        received += Int64(bytes.count)
        progress(Int64(bytes.count))
        return true
    }
}
