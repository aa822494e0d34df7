import Foundation
import Repos
import Threads

extension Fetcher {
    /// Connects to the hosts of `urls` at once (those not known yet), so that a repo's mirrors
    /// that do not answer are known, and skipped, before its URLs are tried one after another.
    /// Returns the connect time in seconds of each URL whose host answered (0 when it had
    /// answered earlier in the run).
    public func probe(_ urls: [URL], connection: RepoConnection) -> [URL: Double] {
        var byHost: [HostHealth.Key: [URL]] = [:]
        for url in urls {
            guard let key = HostHealth.Key(url: url.absoluteString, connection: connection) else { continue }
            byHost[key, default: []].append(url)
        }
        let hosts = byHost.map { ($0.key, $0.value[0]) }
        let times = Locked([HostHealth.Key: Double]())
        Threads.run(hosts.count) { [self] n in
            let (key, url) = hosts[n]
            switch self.hosts.claim(key) {
            case .unreachable: return
            case .reachable: times.update { $0[key] = 0 }
            case .probe:
                var hostFailure: String?
                defer { self.hosts.finished(key, hostFailure: hostFailure) }
                guard let client = try? HTTPClient(options: options) else { return }
                switch client.connect(url.absoluteString, connection: connection) {
                case .success(let seconds):
                    self.hosts.connected(key)
                    times.update { $0[key] = seconds }
                case .failure(let failure):
                    hostFailure = failure.hostFailure
                }
            }
        }
        let measured = times.value
        var result: [URL: Double] = [:]
        for (key, urls) in byHost {
            guard let seconds = measured[key] else { continue }
            for url in urls { result[url] = seconds }
        }
        return result
    }
}
