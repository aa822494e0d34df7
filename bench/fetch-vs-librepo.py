#!/usr/bin/env python3
"""mox's downloader against librepo (what dnf, microdnf and rpm-ostree download with) on one job.

The job: from a repo on a local HTTP server, fetch repomd.xml and primary, then every package
(checksum-verified, 4 at once), into an empty cache. Measured, cold each time, median of --runs:

  curl floor      curl --parallel (4) of the same package URLs, nothing verified
  librepo         python3-librepo: Handle.perform (repomd + primary), then download_packages
                  with each package's sha256 and size (run by /usr/bin/python3, which has it)
  mox cold        mox compose of a development extension listing every package, empty cache:
                  metadata, solve, download, checksums, librpm digest checks, repodata, publish
  mox warm        the same with the cache full: everything but the downloads
  +downloads      mox cold - mox warm: what downloading adds to a compose (mox downloads while
                  it verifies earlier packages, so this is less than the download time alone)

Ratios printed: mox cold / librepo (a whole compose against librepo's download alone),
+downloads / librepo, librepo / curl. The repo is the one
bench/compose-vs-dnf-download.py builds (random payloads, stored uncompressed).

Usage: bench/fetch-vs-librepo.py [--mox PATH] [--runs 3] [--count 40] [--size 2]
"""
import argparse
import gzip
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
MiB = 1 << 20

# The repo fixture and the HTTP server are those of the compose benchmark.
_spec = importlib.util.spec_from_file_location("compose_bench", os.path.join(HERE, "compose-vs-dnf-download.py"))
compose_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(compose_bench)

LIBREPO_JOB = r"""
import json, sys, librepo
url, dest, packages = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
h = librepo.Handle()
h.repotype = librepo.LR_YUMREPO
h.urls = [url]
h.destdir = dest
h.yumdlist = ["primary"]
h.maxparalleldownloads = 4
h.perform(librepo.Result())
targets = [librepo.PackageTarget(href, handle=h, dest=dest, checksum_type=librepo.SHA256, checksum=sha, expectedsize=size)
           for href, sha, size in packages]
librepo.download_packages(targets, failfast=True)
bad = [t.relative_url + ": " + t.err for t in targets if t.err]
if bad:
    sys.exit("\n".join(bad))
"""


def packages_of(repo):
    """(href, sha256, size) of every package in the repo's primary.xml."""
    ns = {"r": "http://linux.duke.edu/metadata/repo", "c": "http://linux.duke.edu/metadata/common"}
    repomd = ET.parse(os.path.join(repo, "repodata", "repomd.xml"))
    href = repomd.find("r:data[@type='primary']/r:location", ns).get("href")
    with gzip.open(os.path.join(repo, href)) as f:
        primary = ET.parse(f)
    return [(p.find("c:location", ns).get("href"), p.find("c:checksum", ns).text, int(p.find("c:size", ns).get("package")))
            for p in primary.getroot().findall("c:package", ns)]


def timed(argv, **kw):
    start = time.monotonic()
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(argv[:4])} ...\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return time.monotonic() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mox", default=os.path.join(HERE, "..", ".build", "release", "mox"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--size", type=int, default=2, help="payload MB per package")
    args = parser.parse_args()
    if not os.access(args.mox, os.X_OK):
        sys.exit(f"{args.mox}: not an executable; build mox (swift build -c release) or pass --mox")
    if subprocess.run(["/usr/bin/python3", "-c", "import librepo"], stderr=subprocess.DEVNULL).returncode != 0:
        sys.exit("librepo's Python binding is missing: apt-get install python3-librepo (or dnf install python3-librepo)")

    dir, _, rpm_bytes = compose_bench.fixture(args.count, args.size)
    repo = os.path.join(dir, "repo")
    packages = packages_of(repo)
    names = sorted({os.path.basename(h).rsplit("-", 2)[0] for h, _, _ in packages})
    work = tempfile.mkdtemp(prefix="mox-bench-librepo-")
    manifest = os.path.join(work, "extensions.yaml")
    with open(manifest, "w") as f:
        f.write("repos: [bench]\nextensions:\n  all:\n    kind: development\n    packages: [" + ", ".join(names) + "]\n")
    server = compose_bench.Server(dir)
    url = f"{server.url}/repo/"
    reposd = os.path.join(work, "repos.d")
    os.makedirs(reposd)
    with open(os.path.join(reposd, "bench.repo"), "w") as f:
        f.write(f"[bench]\nname=bench\nbaseurl={url}\ngpgcheck=0\n")
    import json
    samples = {k: [] for k in ("curl floor", "librepo", "mox cold", "mox warm")}
    for i in range(args.runs):
        dest = os.path.join(work, f"curl{i}")
        os.makedirs(dest)
        curl = ["curl", "-sS", "--fail", "--parallel", "--parallel-max", "4", "--noproxy", "*"]
        for href, _, _ in packages:
            curl += ["-o", os.path.join(dest, os.path.basename(href)), url + href]
        samples["curl floor"].append(timed(curl))
        shutil.rmtree(dest)

        dest = os.path.join(work, f"librepo{i}")
        os.makedirs(dest)
        samples["librepo"].append(timed(["/usr/bin/python3", "-c", LIBREPO_JOB, url, dest, json.dumps(packages)]))
        shutil.rmtree(dest)

        cache, out = os.path.join(work, f"cache{i}"), os.path.join(work, f"out{i}")
        mox = [args.mox, "compose", manifest, "-q", "--arch", "x86_64", "--repos-dir", reposd,
               "--base-rootfs", os.path.join(dir, "base"), "--cachedir", cache, "--downloads", "4"]
        samples["mox cold"].append(timed(mox + ["--output", out]))
        samples["mox warm"].append(timed(mox + ["--output", out + "-warm"]))
        shutil.rmtree(cache)
        shutil.rmtree(out)
        shutil.rmtree(out + "-warm")
    server.stop()
    shutil.rmtree(work)

    median = {k: statistics.median(v) for k, v in samples.items()}
    median["+downloads"] = max(0.0, median["mox cold"] - median["mox warm"])
    print(f"\n{len(packages)} packages x {args.size} MB ({rpm_bytes / MiB:.0f} MiB of RPMs) from http://127.0.0.1, "
          f"4 at once, cold, median of {args.runs}:")
    print(f"  {'':12} {'wall s':>8} {'MiB/s':>8}")
    for name in ("curl floor", "librepo", "mox cold", "mox warm", "+downloads"):
        seconds = median[name]
        rate = rpm_bytes / MiB / seconds if seconds > 0 and name in ("curl floor", "librepo", "mox cold") else float("nan")
        print(f"  {name:12} {seconds:8.2f} {rate:8.0f}")
    print(f"  mox cold / librepo:   {median['mox cold'] / median['librepo']:.2f}")
    print(f"  +downloads / librepo: {median['+downloads'] / median['librepo']:.2f}")
    print(f"  librepo / curl:       {median['librepo'] / median['curl floor']:.2f}")


if __name__ == "__main__":
    main()
