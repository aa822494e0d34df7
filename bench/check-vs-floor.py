#!/usr/bin/env python3
"""Benchmark: `mox check` beside the libsolv floor (../shared/bench/floor.c) on real metadata.

The floor is the least work that gives check's answer: it loads the very .solv files mox cached
(cold: the rpm-md XML), indexes the pool once and solves each extension, then all together. Both
run on the CentOS Stream 9 BaseOS + AppStream metadata in ../shared/corpus (AppStream with its
modules.yaml) and an empty base. Cases:

  warm   5 extensions, mox's cache filled
  cold   the same 5, mox's cache emptied before each run; the floor parses the XML on one thread
  many   40 extensions (each resolves, and they install together), warm
  clash  the same with 2 of the 40 replaced by two that clash (coreutils-single, coreutils), warm

Runs are interleaved (mox, floor, mox, floor...). For each case it prints the medians of wall time
and of CPU time (user+sys), and the mox/floor ratios beside the target; the machine may be shared,
so compare CPU time too and say how noisy it was. With --baseline MOX, a second mox binary (e.g.
the build before a change) is timed in the same runs.

With --instructions, each case is also run once under valgrind (callgrind) and the instruction
counts are compared: a ratio no other load on the machine disturbs (it leaves out what memory
and the kernel cost).

Builds what it needs: mox (`swift build -c release --static-swift-stdlib`, as ./build does) unless
--mox is given, and
the floor (cc) unless --floor is given.

Usage: bench/check-vs-floor.py [--cases warm,cold,many,clash] [--runs N] [--mox PATH]
                               [--baseline PATH] [--floor PATH]
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
FIVE = [
    "usbguard",
    "krb5-workstation libkadm5",
    "sysstat",
    "redis",
    "nodejs",
]
# Forty extensions that each resolve on an empty base from this corpus and install together.
FORTY = FIVE + [
    "tmux", "vim-enhanced", "httpd", "nginx", "postfix", "bind-utils", "tcpdump", "strace", "gdb", "git",
    "zsh", "nmap", "rsync", "wireshark-cli", "nfs-utils", "iscsi-initiator-utils", "cryptsetup", "lvm2",
    "mdadm", "chrony", "tuned", "podman", "skopeo", "buildah", "python3-pip", "ruby", "php", "mariadb",
    "java-17-openjdk-headless", "haproxy", "keepalived", "firewalld", "audit", "sssd", "cockpit",
]
# Each resolves alone; together they cannot (coreutils-single conflicts with coreutils).
CLASH = FORTY[:38] + ["coreutils-single", "coreutils"]
CASES = {
    "warm": (FIVE, False, 1.1),
    "cold": (FIVE, True, 1.0),
    "many": (FORTY, False, 1.3),
    "clash": (CLASH, False, 1.5),
}


def timed(argv, ok=(0, 1)):
    """Wall and CPU (user+sys) seconds of one run."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    stderr = proc.stderr.read()
    proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code not in ok:
        sys.exit(f"{' '.join(argv)}\nexited {code}:\n{stderr[-2000:]}")
    return elapsed, usage.ru_utime + usage.ru_stime


def count_instructions(argv, work):
    """Instructions one run executes (every thread), counted by callgrind."""
    binary = argv[0]
    if "floor" not in os.path.basename(binary):
        # valgrind cannot read the debug information of a large static Swift binary: drop it.
        stripped = os.path.join(work, os.path.basename(binary) + f"-{abs(hash(binary))}")
        if not os.path.exists(stripped):
            subprocess.run(["strip", "--strip-debug", "-o", stripped, binary], check=True)
        argv = [stripped] + argv[1:]
    out = os.path.join(work, "callgrind.out")
    proc = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"] + argv,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr.splitlines():
        if "Collected :" in line:
            return int(line.split("Collected :")[1].strip())
    sys.exit(f"valgrind gave no count for {' '.join(argv)}:\n{proc.stderr[-2000:]}")


def build_mox():
    subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "--product", "mox"], cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL)
    return os.path.join(ROOT, ".build", "release", "mox")


def build_floor(work):
    source = os.path.join(SHARED, "bench", "floor.c")
    binary = os.path.join(work, "floor")
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "libsolvext", "libsolv"],
                           check=True, capture_output=True, text=True).stdout.split()
    subprocess.run(["cc", "-O2", "-o", binary, source] + flags, check=True)
    return binary


def with_filelists(log):
    """Repo ids whose filelists mox loaded, from its progress lines."""
    return {rid for rid in REPOS if f"repo {rid}:" in log and "with filelists" in log.split(f"repo {rid}:")[1].split("\n")[0]}


def floor_solv_repos(cache, filelists):
    """name=FILE[,FILE][+EXT] arguments for the .solv files mox loads, one per repo."""
    args = []
    for rid in REPOS:
        whole = glob.glob(os.path.join(cache, "solv", f"{rid}-*.solv"))
        main = [f for f in whole if ".filelists." not in f and ".part" not in f]
        parts = sorted(f for f in whole if ".part" in f)
        files = main or parts
        if not files:
            sys.exit(f"no .solv cache for {rid} under {cache}")
        ext = [f for f in whole if ".filelists." in f]
        use_ext = rid in filelists and ext
        args.append(f"{rid}=" + ",".join(files) + (f"+{ext[0]}" if use_ext else ""))
    return args


def floor_xml_repos(filelists):
    """name=primary.xml.gz[+filelists.xml.gz] arguments: what mox parses when its cache is empty."""
    args = []
    for rid, sub in REPOS.items():
        repodata = os.path.join(CORPUS, sub, "repodata")
        primary = glob.glob(os.path.join(repodata, "*-primary.xml*"))[0]
        ext = glob.glob(os.path.join(repodata, "*-filelists.xml*"))
        args.append(f"{rid}={primary}" + (f"+{ext[0]}" if rid in filelists and ext else ""))
    return args


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", default="warm,cold,many,clash")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--mox", help="the mox binary (default: built as ./build builds it)")
    parser.add_argument("--baseline", help="another mox binary to time in the same runs")
    parser.add_argument("--floor", help="a floor binary (default: built from ../shared/bench/floor.c)")
    parser.add_argument("--instructions", action="store_true", help="also compare instruction counts (valgrind)")
    args = parser.parse_args()
    if not os.path.isdir(CORPUS):
        sys.exit(f"corpus not found at {CORPUS}")
    cases = args.cases.split(",")
    if unknown := [c for c in cases if c not in CASES]:
        sys.exit(f"unknown case {unknown}; known: {', '.join(CASES)}")
    binaries = {"mox": args.mox or build_mox()}
    if args.baseline:
        binaries["baseline"] = args.baseline
    for path in binaries.values():
        if not os.access(path, os.X_OK):
            sys.exit(f"no mox binary at {path}")

    work = tempfile.mkdtemp(prefix="mox-floor-bench-")
    try:
        floor = args.floor or build_floor(work)
        reposdir = os.path.join(work, "repos.d")
        os.makedirs(reposdir)
        with open(os.path.join(reposdir, "corpus.repo"), "w") as f:
            for rid, sub in REPOS.items():
                f.write(f"[{rid}]\nname={rid}\nbaseurl=file://{os.path.join(CORPUS, sub)}\ngpgcheck=0\n\n")
        empty_base = os.path.join(work, "empty-base.txt")
        open(empty_base, "w").close()
        loadavg = [os.getloadavg()[0]]
        rows = []
        instructions = {}
        for case in cases:
            lines, cold, target = CASES[case]
            manifest = os.path.join(work, f"{case}.yaml")
            with open(manifest, "w") as f:
                f.write("repos: [baseos, appstream]\nextensions:\n")
                for n, line in enumerate(lines):
                    f.write(f"  ext{n:02d}-{line.split()[0]}:\n    packages: [{', '.join(line.split())}]\n")
            extfile = os.path.join(work, f"{case}.txt")
            with open(extfile, "w") as f:
                f.write("\n".join(lines) + "\n")

            commands, caches = {}, {}
            for label, binary in binaries.items():
                caches[label] = os.path.join(work, f"cache-{label}")
                commands[label] = [binary, "check", manifest, "--repos-dir", reposdir, "--base-packages", empty_base,
                                   "--arch", "x86_64", "--cachedir", caches[label], "--format", "json"]
                # Fills the cache (twice: a run may complete the cache the first one wrote).
                subprocess.run(commands[label], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                log = subprocess.run(commands[label], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     text=True).stderr
                if label == "mox":
                    filelists = with_filelists(log)
                commands[label].append("--quiet")
            repos = floor_xml_repos(filelists) if cold else floor_solv_repos(caches["mox"], filelists)
            commands["floor"] = [floor, "-q", extfile] + repos
            timed(commands["floor"])

            wall = {label: [] for label in commands}
            cpu = {label: [] for label in commands}
            for _ in range(args.runs):
                for label, argv in commands.items():
                    if cold and label != "floor":
                        shutil.rmtree(caches[label], ignore_errors=True)
                    w, c = timed(argv)
                    wall[label].append(w)
                    cpu[label].append(c)
                loadavg.append(os.getloadavg()[0])
            if args.instructions:
                for label, argv in commands.items():
                    if cold and label != "floor":
                        shutil.rmtree(caches[label], ignore_errors=True)
                    instructions.setdefault(case, {})[label] = count_instructions(argv, work)
            rows.append((case, target, {k: statistics.median(v) for k, v in wall.items()},
                         {k: statistics.median(v) for k, v in cpu.items()},
                         {k: (min(v), max(v)) for k, v in wall.items()}))

        print(f"mox check beside the libsolv floor: CentOS Stream 9 BaseOS+AppStream, empty base, x86_64; "
              f"{args.runs} interleaved runs, medians; load average {min(loadavg):.1f}-{max(loadavg):.1f}")
        print(f"{'case':6} {'who':9} {'wall s':>7} {'x floor':>8} {'cpu s':>7} {'x floor':>8}  "
              f"{'wall min-max':>13}  target")
        for case, target, wall, cpu, spread in rows:
            for label in list(binaries) + ["floor"]:
                ratio = f"{wall[label] / wall['floor']:.2f}x" if label != "floor" else ""
                cratio = f"{cpu[label] / cpu['floor']:.2f}x" if label != "floor" else ""
                goal = f"<= {target}x" if label == "mox" else ""
                print(f"{case:6} {label:9} {wall[label]:7.3f} {ratio:>8} {cpu[label]:7.3f} {cratio:>8}  "
                      f"{spread[label][0]:.3f}-{spread[label][1]:.3f}  {goal}")
        for case, counts in instructions.items():
            print(f"{case:6} instructions: " + ", ".join(
                f"{label} {n / 1e6:.0f}M ({n / counts['floor']:.2f}x floor)" for label, n in counts.items() if label != "floor")
                + f", floor {counts['floor'] / 1e6:.0f}M")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
