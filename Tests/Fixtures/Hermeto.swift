// A stand-in for hermeto's rpm backend in tests: `fetch-deps rpm` and `inject-files`, done the way
// hermeto does them (its docs and source, hermeto/core/package_managers/rpm): rpms.lock.yaml read
// with yaml.safe_load and checked as its model checks it, every `url` downloaded to
// deps/rpm/<arch>/<repoid>/<file name of the url> and checked against `size` and `checksum`, then
// createrepo_c in each repo folder and deps/rpm/<arch>/repos.d/hermeto.repo (every repo
// `gpgcheck = 1` unless per-repo dnf options say otherwise, `baseurl = file://...`).
import Foundation

public enum Hermeto {
    /// Prefetches `lockfile` into `output` and writes its repo files; `dnfOptions` are hermeto's
    /// per-repo `options.dnf` (repo id -> key -> value). `renaming` lays repos out under other ids
    /// than the lock's (as when a lock has no repoid and hermeto makes ids up, or a pipeline renames).
    public static func prefetch(lockfile: URL, into output: URL, dnfOptions: [String: [String: String]] = [:],
                                renaming: [String: String] = [:]) throws {
        let options = String(decoding: try JSONSerialization.data(withJSONObject: dnfOptions), as: UTF8.self)
        let names = String(decoding: try JSONSerialization.data(withJSONObject: renaming), as: UTF8.self)
        try Fixtures.run(["python3", "-c", script, lockfile.path, output.path, options, names])
    }

    /// `deps/rpm/<arch>/repos.d` under a prefetched output: what `--repos-dir` points at.
    public static func reposDirectory(_ output: URL, arch: String) -> URL {
        output.appendingPathComponent("deps/rpm/\(arch)/repos.d", isDirectory: true)
    }

    private static let script = #"""
        import configparser, hashlib, json, os, subprocess, sys, urllib.request, uuid
        import yaml

        lockfile, output, dnf_options, renaming = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), json.loads(sys.argv[4])
        with open(lockfile) as f:
            lock = yaml.safe_load(f)

        # The model hermeto validates the lockfile with (RedhatRpmsLock).
        def fail(message):
            sys.exit(f"invalid lockfile {lockfile}: {message}")
        if not isinstance(lock, dict):
            fail("not a mapping")
        if not isinstance(lock.get("lockfileVersion"), int) or lock["lockfileVersion"] != 1:
            fail("lockfileVersion must be 1")
        if lock.get("lockfileVendor") != "redhat":
            fail("lockfileVendor must be redhat")
        if not isinstance(lock.get("arches"), list):
            fail("arches must be a list")
        generated = "hermeto-" + uuid.uuid4().hex[:6]
        package_dir = os.path.join(output, "deps", "rpm")
        for arch in lock["arches"]:
            if not isinstance(arch, dict) or not isinstance(arch.get("arch"), str):
                fail("every arch needs an arch")
            for key in ("packages", "source", "module_metadata"):
                items = arch.get(key, [])
                if not isinstance(items, list):
                    fail(f"{key} must be a list")
                for item in items:
                    if not isinstance(item, dict) or not isinstance(item.get("url"), str):
                        fail(f"every {key} entry needs a url")
                    if key == "module_metadata" and not item.get("repoid"):
                        fail("module_metadata entries need a repoid")
                    if "size" in item and item["size"] is not None and not isinstance(item["size"], int):
                        fail("size must be an integer")
                    repoid = item.get("repoid") or (generated if key == "packages" else generated + "-source")
                    repoid = renaming.get(repoid, repoid)
                    dest = os.path.join(package_dir, arch["arch"], repoid, item["url"].rsplit("/", 1)[-1])
                    os.makedirs(os.path.dirname(dest), exist_ok=True)
                    with urllib.request.urlopen(item["url"]) as response, open(dest, "wb") as out:
                        out.write(response.read())
                    if item.get("size") is not None and os.stat(dest).st_size != item["size"]:
                        sys.exit(f"{dest}: size is not {item['size']}")
                    if item.get("checksum"):
                        algorithm, digest = item["checksum"].split(":")
                        with open(dest, "rb") as f:
                            if hashlib.new(algorithm, f.read()).hexdigest() != digest:
                                sys.exit(f"{dest}: checksum is not {item['checksum']}")

        # inject-files: repodata per repo folder, and one hermeto.repo per arch.
        for arch in sorted(os.listdir(package_dir)):
            arch_dir = os.path.join(package_dir, arch)
            repofile = configparser.ConfigParser()
            for repoid in sorted(os.listdir(arch_dir)):
                repo_dir = os.path.join(arch_dir, repoid)
                if repoid == "repos.d" or not os.path.isdir(repo_dir):
                    continue
                subprocess.run(["createrepo_c", "--quiet", "--general-compress-type", "gz", repo_dir], check=True)
                section = {"gpgcheck": "1"}
                section.update(dnf_options.get(repoid, {}))
                section["baseurl"] = "file://" + repo_dir
                if repoid.startswith("hermeto-"):
                    section["name"] = "Packages unaffiliated with an official repository"
                repofile[repoid] = section
            os.makedirs(os.path.join(arch_dir, "repos.d"), exist_ok=True)
            with open(os.path.join(arch_dir, "repos.d", "hermeto.repo"), "w") as f:
                repofile.write(f)
        """#
}
