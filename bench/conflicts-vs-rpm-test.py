#!/usr/bin/env python3
"""mox's file-conflict gate against rpm's own transaction test (`rpm --test -i`), the reference.

Builds (once, cached under /tmp/mox-bench-conflicts/) a base of --base packages with --files
files each, recorded in a rootfs rpmdb (rpm --justdb), and --extensions packages of --ext-files
files each, one os-extension each; a tenth of each extension package's files are also in the base
with the same content (shared paths both tools must compare), the rest are new. No file conflicts,
so both tools do their whole work. Then, interleaved, --runs times:

  mox check             the depsolve alone (warm metadata cache)
  mox --file-conflicts  the same plus the gate: headers from the local repo, the base's rpmdb
  rpm --test -i         rpm's transaction test of the extension packages on a copy of the base

Prints medians, the gate's own time (the difference of the first two) and the gate / rpm ratio.
There is no separate floor: rpm's transaction test is both the peer and the reference.
The machine is shared: run it on a quiet one for numbers that mean something.

Usage: bench/conflicts-vs-rpm-test.py [--mox PATH] [--runs 5] [--base 200] [--files 500]
                                      [--extensions 8] [--ext-files 2000]
Needs rpmbuild, createrepo_c, rpm.
"""
import argparse
import concurrent.futures
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = "/tmp/mox-bench-conflicts"


def run(argv, check=True):
    return subprocess.run(argv, check=check, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def spec(name, files, shared):
    """A package owning `files` new files under /usr/share/NAME and `shared` base files (same content)."""
    return f"""Name: {name}
Version: 1.0
Release: 1
Summary: benchmark package {name}
License: MIT
AutoReqProv: no
BuildArch: noarch

%description
Benchmark package {name}.

%install
mkdir -p %{{buildroot}}/usr/share/{name} %{{buildroot}}/usr/share/common
for i in $(seq 1 {files}); do echo "{name} $i" > %{{buildroot}}/usr/share/{name}/f$i; done
for i in $(seq 1 {shared}); do echo "common $i" > %{{buildroot}}/usr/share/common/c$i; done

%files
/usr/share/{name}
{"/usr/share/common/c*" if shared else ""}
"""


def build(name, files, shared, out):
    top = os.path.join(ROOT, "build", name)
    os.makedirs(top, exist_ok=True)
    path = os.path.join(top, f"{name}.spec")
    with open(path, "w") as f:
        f.write(spec(name, files, shared))
    run(["rpmbuild", "-bb", "--quiet", "--define", f"_topdir {top}", "--define", f"_rpmdir {out}",
         "--define", "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm",
         "--define", "__os_install_post %{nil}", path])
    return os.path.join(out, f"{name}-1.0-1.noarch.rpm")


def prepare(args):
    stamp = os.path.join(ROOT, f"ready-{args.base}-{args.files}-{args.extensions}-{args.ext_files}")
    if os.path.exists(stamp):
        return
    shutil.rmtree(ROOT, ignore_errors=True)
    repo, base_rpms = os.path.join(ROOT, "repo"), os.path.join(ROOT, "base-rpms")
    os.makedirs(repo)
    os.makedirs(base_rpms)
    shared = args.ext_files // 10
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        # The first base package owns the shared files; extensions own them again, identical.
        jobs = [pool.submit(build, f"base{i}", args.files, shared if i == 0 else 0, base_rpms) for i in range(args.base)]
        jobs += [pool.submit(build, f"ext{i}", args.ext_files - shared, shared, repo) for i in range(args.extensions)]
        rpms = [job.result() for job in jobs]
    run(["createrepo_c", "--quiet", "--no-database", repo])
    root = os.path.join(ROOT, "rootfs")
    run(["rpm", "--root", root, "--dbpath", "/usr/share/rpm", "--justdb", "--nodeps", "--noscripts", "-i"]
        + rpms[:args.base])
    os.makedirs(os.path.join(ROOT, "repos"))
    with open(os.path.join(ROOT, "repos", "bench.repo"), "w") as f:
        f.write(f"[bench]\nname=bench\nbaseurl=file://{repo}\ngpgcheck=0\n")
    with open(os.path.join(ROOT, "extensions.yaml"), "w") as f:
        f.write("repos: [bench]\nextensions:\n" + "".join(
            f"  ext{i}:\n    packages: [ext{i}]\n" for i in range(args.extensions)))
    open(stamp, "w").close()


def timed(argv, ok=(0,)):
    start = time.monotonic()
    result = run(argv, check=False)
    elapsed = time.monotonic() - start
    if result.returncode not in ok:
        sys.exit(f"{argv[0]} failed ({result.returncode}): {result.stderr[-2000:]}")
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mox", default=".build/release/mox")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--base", type=int, default=200)
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--extensions", type=int, default=8)
    parser.add_argument("--ext-files", type=int, default=2000)
    args = parser.parse_args()
    prepare(args)
    rootfs, cache = os.path.join(ROOT, "rootfs"), os.path.join(ROOT, "cache")
    check = [args.mox, "check", os.path.join(ROOT, "extensions.yaml"), "--arch", "x86_64", "-q",
             "--repos-dir", os.path.join(ROOT, "repos"), "--base-rootfs", rootfs, "--cachedir", cache]
    rpms = sorted(os.path.join(ROOT, "repo", n) for n in os.listdir(os.path.join(ROOT, "repo")) if n.endswith(".rpm"))
    timed(check)  # warm the metadata cache
    plain, gated, reference = [], [], []
    for _ in range(args.runs):
        plain.append(timed(check))
        gated.append(timed(check + ["--file-conflicts"]))
        copy = os.path.join(ROOT, "rpm-root")
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(rootfs, copy, symlinks=True)
        reference.append(timed(["rpm", "--root", copy, "--dbpath", "/usr/share/rpm", "--test", "-i", "--nodeps",
                                "--noscripts"] + rpms))
    p, g, r = (statistics.median(x) for x in (plain, gated, reference))
    files = args.base * args.files
    print(f"base: {args.base} packages, {files} files; extensions: {args.extensions} x {args.ext_files} files")
    print(f"mox check                  {p:7.3f} s")
    print(f"mox check --file-conflicts {g:7.3f} s   (gate alone {g - p:.3f} s)")
    print(f"rpm --test -i              {r:7.3f} s")
    print(f"gate / rpm --test          {(g - p) / r:7.2f}")


if __name__ == "__main__":
    main()
