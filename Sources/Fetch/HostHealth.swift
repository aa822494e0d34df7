import Foundation
import Repos

/// What a run learnt about the hosts it talks to. The first request to a host is its probe: the
/// others to that host wait until it has connected (or failed to), so a dead mirror costs one
/// connection timeout per run, not one per repo and file, and is then skipped at once.
final class HostHealth: @unchecked Sendable {
    /// A host as one repo reaches it: the same server with other TLS or proxy settings is another.
    struct Key: Hashable {
        var scheme: String
        var host: String
        var port: Int
        var connection: RepoConnection

        init?(url: String, connection: RepoConnection) {
            guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), let host = parsed.host else {
                return nil
            }
            self.scheme = scheme
            self.host = host
            self.port = parsed.port ?? (scheme == "https" ? 443 : 80)
            self.connection = connection
        }

        var name: String { "\(host):\(port)" }
    }

    private enum State {
        case probing
        case reachable
        case unreachable(String)
    }

    private let condition = NSCondition()
    private var states: [Key: State] = [:]

    /// What a caller may do with a host.
    enum Claim {
        /// Nobody has tried it yet: the caller is its probe, and reports back.
        case probe
        /// It answered earlier in the run.
        case reachable
        /// It did not, for this reason.
        case unreachable(String)
    }

    /// Claims `key`'s host for a request, waiting while another caller probes it. A `.probe`
    /// caller reports back with `connected` and then `finished`.
    func claim(_ key: Key) -> Claim {
        condition.lock()
        defer { condition.unlock() }
        while true {
            switch states[key] {
            case nil:
                states[key] = .probing
                return .probe
            case .probing?:
                condition.wait()
            case .reachable?:
                return .reachable
            case .unreachable(let reason)?:
                return .unreachable(reason)
            }
        }
    }

    /// Why `key`'s host is known to be unreachable, or nil when a request may go ahead (as its
    /// probe or not; it reports back with `connected` and `finished` either way).
    func admit(_ key: Key) -> String? {
        if case .unreachable(let reason) = claim(key) { return reason }
        return nil
    }

    /// The host answered (a connection, and TLS, came up).
    func connected(_ key: Key) {
        settle(key, .reachable)
    }

    /// The request ended; `hostFailure` says why the host itself cannot be used this run, when
    /// that is the reason. Any other ending leaves the host to the next request.
    func finished(_ key: Key, hostFailure: String?) {
        condition.lock()
        defer { condition.unlock() }
        if let hostFailure {
            states[key] = .unreachable(hostFailure)
        } else if case .probing? = states[key] {
            states[key] = nil
        }
        condition.broadcast()
    }

    private func settle(_ key: Key, _ state: State) {
        condition.lock()
        defer { condition.unlock() }
        if case .unreachable? = states[key] { return }
        states[key] = state
        condition.broadcast()
    }
}
