#!/usr/bin/env python3
"""Benchmark: warm `mox check` beside the libsolv floor (../shared/bench/floor.c) on real metadata.

The floor is the least work that gives check's answer: it loads the very .solv files mox cached,
indexes the pool once and solves each extension. Both run on the CentOS Stream 9 BaseOS +
AppStream metadata in ../shared/corpus (AppStream with its modules.yaml), an empty base and the
same extensions, runs interleaved (the machine may be shared: medians, and say it is noisy).
Prints the medians and the mox/floor ratio. With --baseline MOX, a second mox binary (e.g. the
build before a change) is timed in the same interleaved runs, and its ratio is printed beside.

Usage: bench/check-vs-floor.py [--runs N] [--mox PATH] [--baseline PATH] [--floor PATH]
"""
import argparse
import glob
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.path.join(os.path.dirname(ROOT), "shared")
CORPUS = os.path.join(SHARED, "corpus", "centos-stream-9")
REPOS = {"baseos": "baseos-2022-02", "appstream": "appstream-2025-01"}
# One extension a line: several rules exercised (multilib, weak deps, streams of modular packages).
EXTENSIONS = [
    "usbguard",
    "krb5-workstation libkadm5",
    "sysstat",
    "redis",
    "nodejs",
]


def timed(argv, ok=(0, 1)):
    start = time.perf_counter()
    proc = subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        sys.exit(f"{argv[0]} exited {proc.returncode}:\n{proc.stderr[-2000:]}")
    return elapsed


def build_floor(work):
    source = os.path.join(SHARED, "bench", "floor.c")
    binary = os.path.join(work, "floor")
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libsolvext", "libsolv"],
                           check=True, capture_output=True, text=True).stdout.split()
    subprocess.run(["cc", "-O2", "-o", binary, source] + flags, check=True)
    return binary


def floor_repos(cache):
    """name=FILE[,FILE][+EXT] arguments for the .solv files mox cached, one per repo."""
    args = []
    for rid in REPOS:
        whole = glob.glob(os.path.join(cache, "solv", f"{rid}-*-v3.solv"))
        parts = sorted(glob.glob(os.path.join(cache, "solv", f"{rid}-*-v3.part*.solv")))
        files = whole or parts
        if not files:
            sys.exit(f"no .solv cache for {rid} under {cache}")
        ext = glob.glob(os.path.join(cache, "solv", f"{rid}-*-v3.filelists.solv"))
        args.append(f"{rid}=" + ",".join(files) + (f"+{ext[0]}" if ext else ""))
    return args


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--mox", default=os.path.join(ROOT, ".build", "release", "mox"))
    parser.add_argument("--baseline", help="another mox binary to time in the same runs")
    parser.add_argument("--floor", help="a floor binary (default: built from ../shared/bench/floor.c)")
    args = parser.parse_args()
    if not os.path.isdir(CORPUS):
        sys.exit(f"corpus not found at {CORPUS}")
    binaries = {"mox": args.mox}
    if args.baseline:
        binaries["baseline"] = args.baseline
    for path in binaries.values():
        if not os.access(path, os.X_OK):
            sys.exit(f"no mox binary at {path}; run: swift build -c release")

    work = tempfile.mkdtemp(prefix="mox-floor-bench-")
    try:
        floor = args.floor or build_floor(work)
        reposdir = os.path.join(work, "repos.d")
        os.makedirs(reposdir)
        with open(os.path.join(reposdir, "corpus.repo"), "w") as f:
            for rid, sub in REPOS.items():
                f.write(f"[{rid}]\nname={rid}\nbaseurl=file://{os.path.join(CORPUS, sub)}\ngpgcheck=0\n\n")
        manifest = os.path.join(work, "extensions.yaml")
        with open(manifest, "w") as f:
            f.write("repos: [baseos, appstream]\nextensions:\n")
            for n, line in enumerate(EXTENSIONS):
                f.write(f"  ext{n}:\n    packages: [{', '.join(line.split())}]\n")
        extfile = os.path.join(work, "extensions.txt")
        with open(extfile, "w") as f:
            f.write("\n".join(EXTENSIONS) + "\n")
        empty_base = os.path.join(work, "empty-base.txt")
        open(empty_base, "w").close()

        commands = {}
        for label, binary in binaries.items():
            cache = os.path.join(work, f"cache-{label}")
            commands[label] = [binary, "check", manifest, "--repos-dir", reposdir, "--base-packages", empty_base,
                               "--arch", "x86_64", "--cachedir", cache, "--format", "json", "--quiet"]
            timed(commands[label])  # warm the cache
        commands["floor"] = [floor, "-q", extfile] + floor_repos(os.path.join(work, "cache-mox"))
        timed(commands["floor"])

        times = {label: [] for label in commands}
        for _ in range(args.runs):
            for label, argv in commands.items():
                times[label].append(timed(argv))
        medians = {label: statistics.median(values) for label, values in times.items()}

        print(f"warm check, {len(EXTENSIONS)} extensions, empty base, CentOS Stream 9 BaseOS+AppStream, "
              f"{args.runs} interleaved runs (medians; a shared machine is noisy)")
        for label in binaries:
            print(f"  {label:8} {medians[label]:.3f}s  {medians[label] / medians['floor']:.2f}x floor")
        print(f"  floor    {medians['floor']:.3f}s")
        if "baseline" in medians:
            print(f"  mox/baseline {medians['mox'] / medians['baseline']:.3f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
