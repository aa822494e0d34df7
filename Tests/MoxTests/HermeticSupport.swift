// Reading what hermetic builds write as their consumers read it: rpms.lock.yaml through PyYAML (as
// hermeto loads it), SPDX through spdx-tools, trees and layouts byte by byte.
import Fixtures
import Foundation

enum Hermetic {
    /// A YAML or JSON file read by PyYAML's safe_load (hermeto's loader), as JSON objects.
    static func yaml(_ file: URL) throws -> [String: Any] {
        let json = try Fixtures.run(["python3", "-c",
            "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))", file.path]).stdout
        guard let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any] else {
            throw MoxTestError("\(file.path) is not a mapping")
        }
        return object
    }

    /// The packages of one arch of an rpms.lock.yaml.
    static func lockedPackages(_ file: URL, arch: String = "x86_64") throws -> [[String: Any]] {
        let arches = try yaml(file)["arches"] as? [[String: Any]] ?? []
        return arches.first { $0["arch"] as? String == arch }?["packages"] as? [[String: Any]] ?? []
    }

    /// `.repo` files naming the world's two repos as a build system does, at `baseURL/os` and `baseURL/extra`.
    static func buildSystemRepos(in dir: URL, baseURL: String, ids: (os: String, extra: String)) throws -> URL {
        for (id, folder) in [(ids.os, "os"), (ids.extra, "extra")] {
            try Fixtures.writeRepoFile(id: id, baseURL: "\(baseURL)/\(folder)", in: dir)
        }
        return dir
    }

    /// Every regular file under `root` with its sha256: equal maps mean byte-identical trees.
    static func contents(of root: URL) throws -> [String: String] {
        var result: [String: String] = [:]
        for path in files(under: root) { result[path] = try sha256(of: root.appendingPathComponent(path)) }
        return result
    }

    /// spdx-tools' validator, installed by `./build test` under the build directory.
    static var pyspdxtools: URL {
        get throws {
            let tool = Fixtures.packageRoot.appendingPathComponent(".build/spdx-tools/bin/pyspdxtools")
            guard FileManager.default.isExecutableFile(atPath: tool.path) else {
                throw MoxTestError("\(tool.path) is missing: `./build test` installs spdx-tools (PyPI) there")
            }
            return tool
        }
    }
}
