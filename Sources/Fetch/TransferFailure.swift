internal import CCurl
import Foundation
import Repos

/// A failed transfer told in the repo's terms: what failed (the server's certificate, the client
/// certificate, credentials, the proxy, the host) and which `.repo` key changes it.
struct TransferFailure: Error {
    let error: FetchError
    /// Whether trying the same URL again later might help.
    let retry: Bool
    /// Set when the host itself cannot be used for the rest of the run (no connection, TLS refused).
    let hostFailure: String?

    /// What happened up to the failure.
    struct Context {
        var url: String
        var code: CURLcode
        /// libcurl's error buffer (or its generic text).
        var text: String
        /// OpenSSL's verdict on the server certificate (X509_V_*), 0 when it passed or was not checked.
        var verifyResult: Int
        /// True once the connection (and TLS) came up.
        var connected: Bool
        var received: Int64
        var connection: RepoConnection
        var timeout: Double
        var minRate: Int
        var usesProxy: Bool
    }

    init(_ c: Context) {
        (error, retry, hostFailure) = Self.explain(c)
    }

    private static func explain(_ c: Context) -> (FetchError, Bool, String?) {
        let host = URL(string: c.url)?.host ?? c.url
        let lower = c.text.lowercased()
        // `host`: the host cannot be used for the rest of the run.
        func said(_ reason: String, retry: Bool = false, host: Bool = false) -> (FetchError, Bool, String?) {
            (.connection(url: c.url, reason: reason), retry, host ? reason : nil)
        }
        let brokenTLS = [CURLE_SSL_CONNECT_ERROR, CURLE_SEND_ERROR, CURLE_RECV_ERROR].contains(c.code)
            && c.url.lowercased().hasPrefix("https:") && c.received == 0
        if brokenTLS, let reason = clientCertificate(c, lower: lower) {
            // An alert is the server's final word; a connection closed after the handshake may be a glitch.
            return said(reason, retry: !lower.contains("alert"), host: lower.contains("alert"))
        }
        switch c.code {
        case CURLE_SSL_CONNECT_ERROR where brokenTLS:
            return said("TLS: the handshake with \(host) failed: \(c.text)", retry: true)
        case CURLE_COULDNT_RESOLVE_PROXY:
            return said("cannot resolve the proxy's host name (\(c.text)); check the repo's proxy= or http_proxy/https_proxy",
                        host: true)
        case CURLE_COULDNT_RESOLVE_HOST:
            return said("cannot resolve host name '\(host)' (\(c.text)); check the URL and DNS", host: true)
        case CURLE_COULDNT_CONNECT:
            let through = c.usesProxy ? " (through the proxy)" : ""
            return said("cannot connect to \(host)\(through): \(c.text); nothing answers there, or a firewall blocks it",
                        host: true)
        case CURLE_OPERATION_TIMEDOUT where !c.connected:
            return said("no connection to \(host) within \(seconds(c.timeout)) (timeout); the host is down or unreachable",
                        host: true)
        case CURLE_OPERATION_TIMEDOUT where c.received == 0:
            return said("the server accepted the connection but sent no answer for \(seconds(c.timeout)) (timeout); "
                + "it is overloaded or broken", retry: true)
        case CURLE_OPERATION_TIMEDOUT:
            return said("the transfer stalled below \(c.minRate) bytes/s for \(seconds(c.timeout)) (minrate, timeout) "
                + "after \(c.received) bytes", retry: true)
        case CURLE_PEER_FAILED_VERIFICATION:
            return said(serverCertificate(c, host: host), host: true)
        case CURLE_SSL_CACERT_BADFILE:
            return said("TLS: the CA file \(c.connection.sslCACert ?? "from CURL_CA_BUNDLE/SSL_CERT_FILE") "
                + "cannot be read as PEM certificates (\(c.text)); check sslcacert", host: true)
        case CURLE_SSL_CERTPROBLEM:
            return said("TLS: the client certificate cannot be used (sslclientcert=\(c.connection.sslClientCert ?? "-"), "
                + "sslclientkey=\(c.connection.sslClientKey ?? "-")): \(c.text); check that both files are readable PEM "
                + "and that the key belongs to the certificate", host: true)
        case CURLE_SSL_INVALIDCERTSTATUS:
            return said("TLS: the server gave no good OCSP status for its certificate (sslverifystatus=1): \(c.text)",
                        host: true)
        default:
            let transient = ![CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT, CURLE_NOT_BUILT_IN].contains(c.code)
            return (.transfer(url: c.url, code: Int(c.code.rawValue), message: c.text), transient, nil)
        }
    }

    /// Why the server's certificate was refused, from OpenSSL's verdict and libcurl's text.
    private static func serverCertificate(_ c: Context, host: String) -> String {
        let fix = "give its CA with sslcacert=FILE in the repo (or CURL_CA_BUNDLE), or set sslverify=0 to skip the check"
        switch c.verifyResult {
        case 10:  // X509_V_ERR_CERT_HAS_EXPIRED
            return "TLS: the server's certificate has expired (\(c.text)); the server must renew it "
                + "(or this machine's clock is wrong); sslverify=0 skips the check"
        case 9:  // X509_V_ERR_CERT_NOT_YET_VALID
            return "TLS: the server's certificate is not valid yet (\(c.text)); check this machine's clock"
        case 2, 18, 19, 20, 21:  // unknown issuer, self-signed
            return "TLS: the server's certificate is not trusted (\(c.text)): it is self-signed or issued by a CA "
                + "this machine does not trust; \(fix)"
        case 23:  // X509_V_ERR_CERT_REVOKED
            return "TLS: the server's certificate is revoked (\(c.text))"
        default:
            let lower = c.text.lowercased()
            if c.verifyResult == 62 || c.verifyResult == 64 || lower.contains("subject name") || lower.contains("does not match") {
                return "TLS: the server's certificate is not for '\(host)' (\(c.text)); use a host name the certificate "
                    + "names in the URL, or set sslverify=0 to skip the check"
            }
            return "TLS: the server's certificate was refused (\(c.text)); \(fix)"
        }
    }

    /// When the server wanted a client certificate it did not get, or refused the one it got.
    /// With TLS 1.3 the refusal comes after the handshake, so libcurl often reports only a
    /// failed send or receive ("Failed sending data to the peer").
    private static func clientCertificate(_ c: Context, lower: String) -> String? {
        if let cert = c.connection.sslClientCert {
            guard lower.contains("alert") else { return nil }
            return "TLS: the server refused the client certificate \(cert) (\(c.text)); check that it was issued by a CA "
                + "the server trusts and has not expired"
        }
        if lower.contains("certificate required") || lower.contains("handshake failure") || lower.contains("bad certificate") {
            return "TLS: the server requires a client certificate and the repo gives none (\(c.text)); set sslclientcert=FILE "
                + "and sslclientkey=FILE in the repo"
        }
        guard c.connected, c.code != CURLE_SSL_CONNECT_ERROR else { return nil }
        return "TLS: the server closed the connection right after the handshake, before answering (\(c.text)); a server "
            + "that requires a client certificate does this over TLS 1.3: if it does, set sslclientcert=FILE and "
            + "sslclientkey=FILE in the repo"
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) s" : String(format: "%.1f s", value)
    }
}
