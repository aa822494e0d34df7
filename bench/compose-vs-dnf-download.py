#!/usr/bin/env python3
"""mox compose against `dnf download --resolve` and a `curl --parallel` floor: wall and CPU time,
throughput, peak memory, and the ratios the targets are set on.

Builds (once, cached under /tmp/mox-bench-compose/) a repo of N packages with random payloads:
N/2 "app" packages, each requiring its own "lib" package, all listed by one extension, so the
tree holds every package. The base is an empty rpmdb. Then, for file:// and http:// repos, each
round runs in turn:

  mox cold        empty package cache, new output
  mox warm        cache filled, new output (the tree is laid out again)
  mox no-change   same inputs, same output ("no change")
  dnf cold        dnf download --resolve into a new folder, with a fresh dnf cache
  dnf warm        the same again, dnf's metadata cache kept
  curl --parallel (http only) every RPM fetched at once into a folder: the transfer floor

Medians of --runs rounds are printed, with MiB/s over the RPM bytes, CPU time (user+sys) and peak
RSS (/usr/bin/time), then the ratios: mox warm / dnf warm (file://, target <= 1), mox cold / dnf
cold (http://, target <= 0.8) and mox cold / curl (http://, target <= 1.3). Two payload sizes
show whether mox's peak memory grows with RPM size (it should not).

Builds mox as ./build does unless --mox is given.

Usage: bench/compose-vs-dnf-download.py [--mox PATH] [--runs 3] [--count 60] [--sizes 1,5] [--modes file,http]
Needs rpmbuild, createrepo_c, rpm, dnf with the download plugin (dnf-plugins-core), curl, /usr/bin/time.
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
    """Wall seconds, CPU seconds (user+sys) and peak RSS (KiB) of one command, and its stdout."""
    start = time.monotonic()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M %U %S"] + argv, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    wall = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(argv)}\n{proc.stdout}\n{proc.stderr}")
    rss, user, system = proc.stderr.strip().splitlines()[-1].split()
    return wall, float(user) + float(system), int(rss), proc.stdout


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
    rpms = sorted(f for f in os.listdir(os.path.join(dir, "repo")) if f.endswith(".rpm"))

    def mox_compose(cache, out):
        return timed([mox, "compose", manifest, "-q", "--arch", "x86_64", "--repos-dir", reposd,
                      "--base-rootfs", os.path.join(dir, "base"), "--cachedir", cache, "--output", out])

    def dnf_download(i, dest):
        root = os.path.join(work, f"dnfroot{i}")
        if not os.path.isdir(root):
            run(["rpm", "--root", root, "--dbpath", "/var/lib/rpm", "--initdb"])
        result = timed([
            "dnf", "-q", "--installroot", root, f"--setopt=reposdir={reposd}",
            f"--setopt=cachedir={os.path.join(work, f'dnfcache{i}')}", "--releasever", "9", "--forcearch", "x86_64",
            "download", "--resolve", "--destdir", dest] + apps)
        got = [f for f in os.listdir(dest) if f.endswith(".rpm")]
        if len(got) != count:
            sys.exit(f"dnf download got {len(got)} packages, expected {count}")
        shutil.rmtree(dest)
        return result

    samples = {name: [] for name in ["mox cold", "mox warm", "mox no-change", "dnf cold", "dnf warm", "curl --parallel"]}
    for i in range(runs):
        cache = os.path.join(work, f"cache{i}")
        out = os.path.join(work, f"out{i}")
        samples["mox cold"].append(mox_compose(cache, out))
        samples["mox warm"].append(mox_compose(cache, out + "-warm"))
        r = mox_compose(cache, out + "-warm")
        if not r[3].startswith("no change"):
            sys.exit(f"expected 'no change', got: {r[3]}")
        samples["mox no-change"].append(r)
        shutil.rmtree(cache)
        for o in (out, out + "-warm"):
            shutil.rmtree(o)
        samples["dnf cold"].append(dnf_download(i, os.path.join(work, f"dnf{i}")))
        samples["dnf warm"].append(dnf_download(i, os.path.join(work, f"dnf{i}-warm")))
        shutil.rmtree(os.path.join(work, f"dnfroot{i}"))
        if server:
            dest = os.path.join(work, f"curl{i}")
            os.makedirs(dest)
            argv = ["curl", "-sSf", "--parallel", "--parallel-max", "4", "--output-dir", dest]
            for name in rpms:
                argv += ["-o", name, f"{baseurl}/{name}"]
            samples["curl --parallel"].append(timed(argv))
            shutil.rmtree(dest)
    if server:
        server.stop()
    shutil.rmtree(work)
    return rpm_bytes, {name: (statistics.median(s[0] for s in runs_), statistics.median(s[1] for s in runs_),
                              max(s[2] for s in runs_))
                       for name, runs_ in samples.items() if runs_}


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mox", help="the mox binary (default: built as ./build builds it)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--sizes", default="1,5", help="payload MB per package, comma-separated")
    parser.add_argument("--modes", default="file,http")
    args = parser.parse_args()
    if not args.mox:
        subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "--product", "mox"],
                       cwd=os.path.dirname(here), check=True, stdout=subprocess.DEVNULL)
        args.mox = os.path.join(here, "..", ".build", "release", "mox")
    if not os.access(args.mox, os.X_OK):
        sys.exit(f"{args.mox}: not an executable")
    peaks = {}
    for size in [int(s) for s in args.sizes.split(",")]:
        for mode in args.modes.split(","):
            rpm_bytes, results = bench(args.mox, args.count, size, mode, args.runs)
            print(f"\n{args.count} packages x {size} MB ({rpm_bytes / MiB:.0f} MiB of RPMs), {mode} repo, "
                  f"median of {args.runs}; load average {os.getloadavg()[0]:.1f}:")
            print(f"  {'':18} {'wall s':>8} {'cpu s':>8} {'MiB/s':>8} {'peak RSS MiB':>13}")
            for name, (wall, cpu, rss) in results.items():
                rate = "" if "no-change" in name else f"{rpm_bytes / MiB / wall:8.1f}"
                print(f"  {name:18} {wall:8.2f} {cpu:8.2f} {rate:>8} {rss / 1024:13.1f}")
            ratios = [("mox warm / dnf warm", "mox warm", "dnf warm", 1.0)] if mode == "file" else [
                ("mox cold / dnf cold", "mox cold", "dnf cold", 0.8),
                ("mox cold / curl", "mox cold", "curl --parallel", 1.3)]
            for label, a, b, target in ratios:
                print(f"  {label:22} wall {results[a][0] / results[b][0]:.2f}x  (target <= {target})")
            peaks[(size, mode)] = max(results["mox cold"][2], results["mox warm"][2])
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
