internal import CCurl
import Foundation
import RPM

/// One libcurl easy handle, reused for a worker's transfers so connections are kept alive.
/// Owned by one thread at a time. Proxy options are never set: libcurl then honours
/// http_proxy, https_proxy and no_proxy from the environment itself.
final class HTTPClient {
    private let handle: UnsafeMutableRawPointer
    private let options: FetchOptions
    private let errorText = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)

    /// curl_global_init is not thread-safe: run it once, before the first handle.
    private static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_ALL)) == CURLE_OK

    init(options: FetchOptions) throws(FetchError) {
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
        /// Any other failure, already phrased as an error.
        case failed(FetchError)
    }

    /// GETs `url` into `sink`, following redirects (http and https only).
    func get(_ url: String, into sink: DownloadSink) -> Outcome {
        curl_easy_reset(handle)
        errorText[0] = 0
        _ = mox_curl_setopt_string(handle, CURLOPT_URL, url)
        _ = mox_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https")
        _ = mox_curl_setopt_string(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        _ = mox_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 1)
        _ = mox_curl_setopt_long(handle, CURLOPT_MAXREDIRS, 10)
        _ = mox_curl_setopt_long(handle, CURLOPT_FAILONERROR, 1)
        // Timeouts use signals otherwise, which threads must not.
        _ = mox_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        _ = mox_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, Int(options.connectTimeout * 1000))
        _ = mox_curl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, options.lowSpeedLimit)
        _ = mox_curl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, max(1, Int(options.lowSpeedTime.rounded(.up))))
        if let total = options.totalTimeout {
            _ = mox_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(total * 1000))
        }
        _ = mox_curl_setopt_string(handle, CURLOPT_USERAGENT, options.userAgent)
        // A private CA (a mirror inside a company): the variables curl and OpenSSL users already set.
        let environment = ProcessInfo.processInfo.environment
        if let bundle = environment["CURL_CA_BUNDLE"] ?? environment["SSL_CERT_FILE"], !bundle.isEmpty {
            _ = mox_curl_setopt_string(handle, CURLOPT_CAINFO, bundle)
        }
        _ = mox_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorText)
        _ = mox_curl_setopt_write(handle) { data, size, count, context in
            guard let data, let context else { return 0 }
            let sink = Unmanaged<DownloadSink>.fromOpaque(context).takeUnretainedValue()
            // Returning fewer bytes than given makes libcurl stop with CURLE_WRITE_ERROR.
            return sink.write(UnsafeRawBufferPointer(start: data, count: size * count)) ? size * count : 0
        }
        _ = mox_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(sink).toOpaque())

        let code = withExtendedLifetime(sink) { curl_easy_perform(handle) }
        if code == CURLE_OK { return .completed(sink.received) }
        if sink.exceededLimit { return .tooLarge(sink.received) }
        if let reason = sink.writeError { return .writeFailed(reason) }
        if code == CURLE_HTTP_RETURNED_ERROR {
            var status = 0
            _ = mox_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
            return .failed(.httpStatus(url: url, status: status))
        }
        if code == CURLE_PARTIAL_FILE {
            var announced: curl_off_t = -1
            _ = mox_curl_getinfo_off(handle, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced)
            return .truncated(received: sink.received, announced: announced >= 0 ? Int64(announced) : nil)
        }
        let detail = String(cString: errorText)
        let message = detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
        return .failed(.transfer(url: url, code: Int(code.rawValue), message: message))
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

    init(fd: Int32, digest: StreamingDigest?, limit: Int64?, progress: @escaping (Int64) -> Void) {
        self.fd = fd
        self.digest = digest
        self.limit = limit
        self.progress = progress
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
