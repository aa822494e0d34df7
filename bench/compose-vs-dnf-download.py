#!/usr/bin/env python3
"""mox compose against `dnf download --resolve`: wall time, throughput and peak memory.

Builds (once, cached under /tmp/mox-bench-compose/) a repo of N packages with random payloads:
N/2 "app" packages, each requiring its own "lib" package, all listed by one extension, so the
tree holds every package. The base is an empty rpmdb. Then, for file:// and http:// repos:

  mox cold     empty package cache, new output
  mox warm     cache filled, new output (the tree is laid out again)
  mox rerun    same inputs, same output ("no change")
  dnf cold     dnf download --resolve into a new folder, with a fresh dnf cache

Each is run --runs times; medians are printed, with MB/s over the RPM bytes and the peak RSS
(/usr/bin/time -f %M). Two payload sizes show whether mox's peak memory grows with RPM size.

Usage: bench/compose-vs-dnf-download.py [--mox PATH] [--runs 3] [--count 60] [--sizes 1,5]
Needs rpmbuild, createrepo_c, rpm, dnf with the download plugin (dnf-plugins-core), /usr/bin/time.
"""
import argparse
import concurrent.futures
import http.server
import functools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ROOT = "/tmp/mox-bench-compose"
MiB = 1 << 20


def run(argv, **kw):
    return subprocess.run(argv, check=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def spec(name, size, requires):
    req = "".join(f"Requires: {r}\n" for r in requires)
    return f"""Name: {name}
Version: 1.0
Release: 1
Summary: benchmark package {name}
License: MIT
AutoReqProv: no
BuildArch: noarch
{req}
%description
Benchmark package {name}.

%install
mkdir -p %{{buildroot}}/usr/share/bench
head -c {size} /dev/urandom > %{{buildroot}}/usr/share/bench/{name}.bin

%files
/usr/share/bench/{name}.bin
"""


def build_rpm(name, size, requires, rpmdir, scratch):
    top = os.path.join(scratch, name)
    os.makedirs(top, exist_ok=True)
    path = os.path.join(top, name + ".spec")
    with open(path, "w") as f:
        f.write(spec(name, size, requires))
    run(["rpmbuild", "-bb", "--quiet",
         "--define", f"_topdir {top}", "--define", f"_rpmdir {rpmdir}",
         "--define", "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm",
         "--define", "__os_install_post %{nil}", "--define", "_build_id_links none",
         "--define", "debug_package %{nil}",
         # Random bytes do not compress: store them, so building stays quick.
         "--define", "_binary_payload w0.ufdio", path])


def fixture(count, size_mb):
    """The repo, base and extensions file for count x size_mb MB; built once and reused."""
    dir = os.path.join(ROOT, f"{count}x{size_mb}MB")
    done = os.path.join(dir, ".complete")
    apps = [f"app{i:03d}" for i in range(count // 2)]
    libs = [f"lib{i:03d}" for i in range(count - len(apps))]
    if not os.path.exists(done):
        shutil.rmtree(dir, ignore_errors=True)
        repo = os.path.join(dir, "repo")
        os.makedirs(repo)
        scratch = tempfile.mkdtemp(prefix="mox-bench-rpmbuild-")
        jobs = [(lib, size_mb * MiB, []) for lib in libs]
        jobs += [(app, size_mb * MiB, [libs[i % len(libs)]]) for i, app in enumerate(apps)]
        print(f"building {count} packages of {size_mb} MB in {dir} (once)...", file=sys.stderr)
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            for f in [pool.submit(build_rpm, n, s, r, repo, scratch) for n, s, r in jobs]:
                f.result()
        shutil.rmtree(scratch)
        run(["createrepo_c", "--quiet", "--no-database", repo])
        base = os.path.join(dir, "base")
        run(["rpm", "--root", base, "--dbpath", "/usr/share/rpm", "--initdb"])
        with open(os.path.join(dir, "extensions.yaml"), "w") as f:
            f.write("repos: [bench]\nextensions:\n  bench:\n    packages: [" + ", ".join(apps) + "]\n")
        open(done, "w").close()
    rpm_bytes = sum(os.path.getsize(os.path.join(dir, "repo", f))
                    for f in os.listdir(os.path.join(dir, "repo")) if f.endswith(".rpm"))
    return dir, apps, rpm_bytes


class Server:
    """The repo over HTTP on 127.0.0.1, quiet, in a thread of this process."""

    def __init__(self, root):
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=root))
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self):
        self.httpd.shutdown()


def timed(argv):
    """Wall seconds and peak RSS (KiB) of one command."""
    start = time.monotonic()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(argv)}\n{proc.stdout}\n{proc.stderr}")
    rss = int(proc.stderr.strip().splitlines()[-1])
    return wall, rss, proc.stdout


def bench(mox, count, size_mb, mode, runs):
    dir, apps, rpm_bytes = fixture(count, size_mb)
    work = tempfile.mkdtemp(prefix="mox-bench-run-")
    server = Server(dir) if mode == "http" else None
    baseurl = f"{server.url}/repo" if server else "file://" + os.path.join(dir, "repo")
    reposd = os.path.join(work, "repos.d")
    os.makedirs(reposd)
    with open(os.path.join(reposd, "bench.repo"), "w") as f:
        f.write(f"[bench]\nname=bench\nbaseurl={baseurl}\ngpgcheck=0\n")
    manifest = os.path.join(dir, "extensions.yaml")
    results = {}

    def mox_compose(cache, out):
        return timed([mox, "compose", manifest, "-q", "--arch", "x86_64", "--repos-dir", reposd,
                      "--base-rootfs", os.path.join(dir, "base"), "--cachedir", cache, "--output", out])

    cold, warm, rerun, dnf = [], [], [], []
    for i in range(runs):
        cache = os.path.join(work, f"cache{i}")
        out = os.path.join(work, f"out{i}")
        cold.append(mox_compose(cache, out)[:2])
        warm.append(mox_compose(cache, out + "-warm")[:2])
        r = mox_compose(cache, out + "-warm")
        if not r[2].startswith("no change"):
            sys.exit(f"expected 'no change', got: {r[2]}")
        rerun.append(r[:2])
        shutil.rmtree(cache)
        for o in (out, out + "-warm"):
            shutil.rmtree(o)

        root = os.path.join(work, f"dnfroot{i}")
        run(["rpm", "--root", root, "--dbpath", "/var/lib/rpm", "--initdb"])
        dest = os.path.join(work, f"dnf{i}")
        dnf.append(timed([
            "dnf", "-q", "--installroot", root, f"--setopt=reposdir={reposd}",
            f"--setopt=cachedir={os.path.join(work, f'dnfcache{i}')}", "--releasever", "9", "--forcearch", "x86_64",
            "download", "--resolve", "--destdir", dest] + apps)[:2])
        got = [f for f in os.listdir(dest) if f.endswith(".rpm")]
        if len(got) != count:
            sys.exit(f"dnf download got {len(got)} packages, expected {count}")
        shutil.rmtree(dest)
        shutil.rmtree(root)
    if server:
        server.stop()
    shutil.rmtree(work)
    for name, samples in [("mox cold", cold), ("mox warm", warm), ("mox no-change", rerun), ("dnf download cold", dnf)]:
        results[name] = (statistics.median(w for w, _ in samples), max(r for _, r in samples))
    return rpm_bytes, results


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mox", default=os.path.join(here, "..", ".build", "release", "mox"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--sizes", default="1,5", help="payload MB per package, comma-separated")
    parser.add_argument("--modes", default="file,http")
    args = parser.parse_args()
    if not os.access(args.mox, os.X_OK):
        sys.exit(f"{args.mox}: not an executable; build mox (swift build -c release) or pass --mox")
    peaks = {}
    for size in [int(s) for s in args.sizes.split(",")]:
        for mode in args.modes.split(","):
            rpm_bytes, results = bench(args.mox, args.count, size, mode, args.runs)
            print(f"\n{args.count} packages x {size} MB ({rpm_bytes / MiB:.0f} MiB of RPMs), {mode} repo, "
                  f"median of {args.runs}:")
            print(f"  {'':22} {'wall s':>8} {'MiB/s':>8} {'peak RSS MiB':>13}")
            for name, (wall, rss) in results.items():
                rate = "" if "no-change" in name else f"{rpm_bytes / MiB / wall:8.1f}"
                print(f"  {name:22} {wall:8.2f} {rate:>8} {rss / 1024:13.1f}")
            peaks[(size, mode)] = max(results["mox cold"][1], results["mox warm"][1])
    sizes = sorted({s for s, _ in peaks})
    print("\nmox peak RSS by payload size (should not grow with it):")
    for mode in args.modes.split(","):
        print(f"  {mode}: " + ", ".join(f"{s} MB/pkg -> {peaks[(s, mode)] / 1024:.1f} MiB" for s in sizes))
    if len(sizes) > 1:
        for mode in args.modes.split(","):
            small, large = peaks[(sizes[0], mode)], peaks[(sizes[-1], mode)]
            if large > small * 1.5 + 20 * 1024:
                print(f"  WARNING ({mode}): peak grew from {small / 1024:.1f} to {large / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
