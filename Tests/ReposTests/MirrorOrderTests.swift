// Mirror order: every remote mirror's host probed at once; with fastestmirror, fastest first.
import Foundation
import Solv
import Testing
@testable import Repos

/// A downloader that answers probes with set connect times and downloads nothing.
private struct Latencies: RepoDownloader {
    let times: [String: Double]

    func download(_ urls: [URL], connection: RepoConnection, expected: Checksum?, size: Int?) throws(RepoDownloadError) -> String {
        throw RepoDownloadError(attempts: urls.map { .init(url: $0.absoluteString, reason: "offline") })
    }

    func probe(_ urls: [URL], connection: RepoConnection) -> [URL: Double] {
        var result: [URL: Double] = [:]
        for url in urls { if let host = url.host, let time = times[host] { result[url] = time } }
        return result
    }
}

@Test(arguments: [true, false])
func fastestMirrorPutsTheQuickestHostsFirstAndDeadOnesLast(fastest: Bool) throws {
    let repo = RepoDefinition(id: "r", baseURLs: ["https://slow.example/r/", "https://dead.example/r/", "/srv/r",
                                                  "https://quick.example/r/"],
                              origin: "t.repo:1", fastestMirror: fastest)
    let locator = RepoLocator(downloader: Latencies(times: ["slow.example": 0.3, "quick.example": 0.01]), variables: [:])
    do throws(RepoLoadError) {
        _ = try locator.locate(repo)
        Issue.record("nothing can be downloaded here")
    } catch {
        guard case .unreachable(_, let attempts) = error else {
            Issue.record("\(error)")
            return
        }
        let tried = attempts.map { URL(string: $0.components(separatedBy: ": ")[0])?.host ?? "local" }
        let expected = fastest ? ["local", "quick.example", "slow.example", "dead.example"]
            : ["slow.example", "dead.example", "local", "quick.example"]
        #expect(tried == expected, "\(attempts)")
    }
}
