#!/usr/bin/env python3
"""Benchmark: `mox check` beside `dnf install --assumeno` on the real CentOS Stream 9 metadata.

Empty base, BaseOS + AppStream from ../shared/corpus, the same package request for both tools,
cold caches (emptied before each run) and warm caches (kept), several runs each.
Prints the medians and the mox/dnf ratio. Targets: warm <= 0.35x dnf, cold <= 0.7x dnf.

Usage: bench/check-vs-dnf.py [--runs N] [--mox PATH] [--packages "a b c"]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(os.path.dirname(ROOT), "shared", "corpus", "centos-stream-9")
REPOS = {"baseos": "baseos-2022-02", "appstream": "appstream-2025-01"}


def timed(argv, env=None, ok=(0,)):
    start = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        sys.exit(f"{argv[0]} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return elapsed, proc


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mox", default=os.path.join(ROOT, ".build", "release", "mox"))
    parser.add_argument("--packages", default="usbguard sysstat krb5-workstation libkadm5")
    args = parser.parse_args()
    if not os.path.isdir(CORPUS):
        sys.exit(f"corpus not found at {CORPUS}")
    if not os.access(args.mox, os.X_OK):
        sys.exit(f"no mox binary at {args.mox}; run: swift build -c release")
    packages = args.packages.split()

    work = tempfile.mkdtemp(prefix="mox-bench-")
    try:
        reposdir = os.path.join(work, "repos.d")
        os.makedirs(reposdir)
        with open(os.path.join(reposdir, "corpus.repo"), "w") as f:
            for rid, sub in REPOS.items():
                f.write(f"[{rid}]\nname={rid}\nbaseurl=file://{os.path.join(CORPUS, sub)}\n"
                        "enabled=1\ngpgcheck=0\nmetadata_expire=-1\n\n")
        manifest = os.path.join(work, "extensions.yaml")
        with open(manifest, "w") as f:
            f.write("repos: [baseos, appstream]\nextensions:\n  bench:\n    packages:\n")
            f.writelines(f"      - {p}\n" for p in packages)
        empty_base = os.path.join(work, "empty-base.txt")
        open(empty_base, "w").close()
        mox_cache = os.path.join(work, "mox-cache")
        mox = [args.mox, "check", manifest, "--repos-dir", reposdir, "--base-packages", empty_base,
               "--arch", "x86_64", "--cachedir", mox_cache, "--format", "json", "--quiet"]

        root = os.path.join(work, "dnf-root")
        dnf_cache = os.path.join(work, "dnf-cache")
        dnf = ["dnf", "-q", "--installroot", root, "--setopt", f"reposdir={reposdir}",
               "--setopt", f"cachedir={dnf_cache}", "--setopt", "install_weak_deps=True",
               "--releasever", "9", "--forcearch", "x86_64", "--disableplugin=*",
               "install", "--assumeno"] + packages

        def clear():
            for d in (mox_cache, dnf_cache, root):
                shutil.rmtree(d, ignore_errors=True)
            os.makedirs(root)

        results = {}
        for mode in ("cold", "warm"):
            times = {"mox": [], "dnf": []}
            clear()
            if mode == "warm":
                timed(mox, ok=(0, 1))
                timed(dnf, ok=(0, 1))
            for _ in range(args.runs):
                if mode == "cold":
                    clear()
                t, _ = timed(mox, ok=(0, 1))
                times["mox"].append(t)
                if mode == "cold":
                    clear()
                t, _ = timed(dnf, ok=(0, 1))
                times["dnf"].append(t)
            results[mode] = {k: statistics.median(v) for k, v in times.items()}

        print(f"request: {' '.join(packages)}  (empty base, CentOS Stream 9 BaseOS+AppStream, {args.runs} runs)")
        targets = {"cold": 0.7, "warm": 0.35}
        for mode, r in results.items():
            ratio = r["mox"] / r["dnf"]
            verdict = "meets" if ratio <= targets[mode] else "MISSES"
            print(f"{mode:5}  mox {r['mox']:.3f}s  dnf {r['dnf']:.3f}s  ratio {ratio:.2f}x  "
                  f"({verdict} target {targets[mode]}x)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
