#!/usr/bin/env python3
"""Benchmark: `mox check --base-image` on a ~1 GB multi-layer image, beside what a user would do
instead and beside the floor.

The image (built once under --work): real files of this machine (libraries and binaries, which
compress like an OS does) in --layers gzip layers totalling --size-mb uncompressed, plus a top layer
holding an rpmdb (the corpus's real CBL-Mariner rpmdb.sqlite when ../shared/corpus is there, else an
empty one). A one-package repo gives check something to resolve.

Timed, --runs times each (medians):
  floor      decompressing every layer once into nothing with zlib (libarchive's inflate), one
             after another; `gzip -dc > /dev/null` is shown beside it (slower: its own inflate)
  mox cold   mox check --base-image oci:LAYOUT:bench with an empty base-image cache
  user       skopeo copy to another layout + umoci unpack + mox check --base-rootfs
  mox warm   mox check --base-image again (the rpmdb from the cache, no layer read)
  rootfs     mox check --base-rootfs of the unpacked root (the warm run's target)
Peak RSS of mox cold is printed for the full image and for one of half the size: flat memory
means the two are close. Targets: cold <= 1.2x floor; warm ~ 1.0x rootfs.

Usage: bench/base-image-vs-unpack.py [--runs 3] [--size-mb 1000] [--layers 4] [--work DIR] [--mox PATH]
The machine is shared: rerun on a quiet one for numbers to compare.
"""
import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS_DB = os.path.join(os.path.dirname(ROOT), "shared", "corpus", "base", "cbl-mariner-2.0.rpmdb.sqlite")
SOURCES = ["/opt/swift/usr/lib", "/usr/lib/x86_64-linux-gnu", "/opt/swift/usr/bin", "/usr/share"]


def run(argv, ok=(0,), **kw):
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    if proc.returncode not in ok:
        sys.exit(f"{' '.join(argv)} exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    return proc


def timed(argv, ok=(0, 1)):
    """Wall seconds and peak RSS (KiB) of one command, by GNU time."""
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        sys.exit(f"{' '.join(argv)} exited {proc.returncode}:\n{proc.stderr[-3000:]}")
    rss = int(proc.stderr.strip().splitlines()[-1])
    return elapsed, rss


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return "sha256:" + digest.hexdigest()


def store(layout, path, media_type):
    digest = sha256_file(path)
    size = os.path.getsize(path)
    blobs = os.path.join(layout, "blobs", "sha256")
    os.makedirs(blobs, exist_ok=True)
    os.replace(path, os.path.join(blobs, digest[7:]))
    return {"mediaType": media_type, "digest": digest, "size": size}


def store_json(layout, document, media_type):
    path = os.path.join(layout, "new.json")
    with open(path, "w") as f:
        json.dump(document, f, sort_keys=True, separators=(",", ":"))
    return store(layout, path, media_type)


def pick_files(size_bytes):
    """Regular files of this machine, sorted, until size_bytes (paths relative to /)."""
    picked, total = [], 0
    for top in SOURCES:
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames.sort()
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                if os.path.islink(path) or not os.path.isfile(path):
                    continue
                picked.append(path.lstrip("/"))
                total += os.path.getsize(path)
                if total >= size_bytes:
                    return picked, total
    return picked, total


def build_image(work, size_mb, layers):
    layout = os.path.join(work, f"layout-{size_mb}")
    if os.path.exists(os.path.join(layout, "index.json")):
        return layout
    shutil.rmtree(layout, ignore_errors=True)
    os.makedirs(layout)
    files, total = pick_files(size_mb << 20)
    print(f"building {layout}: {len(files)} files, {total >> 20} MB in {layers} layers + the rpmdb layer", file=sys.stderr)
    share = total / layers
    groups, current, acc = [], [], 0
    for path in files:
        current.append(path)
        acc += os.path.getsize("/" + path)
        if acc >= share * (len(groups) + 1) and len(groups) < layers - 1:
            groups.append(current)
            current = []
    groups.append(current)
    descriptors, diff_ids = [], []
    rpmdb_root = os.path.join(work, "rpmdb-layer")
    shutil.rmtree(rpmdb_root, ignore_errors=True)
    db_dir = os.path.join(rpmdb_root, "usr/lib/sysimage/rpm")
    os.makedirs(db_dir)
    if os.path.exists(CORPUS_DB):
        shutil.copy(CORPUS_DB, os.path.join(db_dir, "rpmdb.sqlite"))
    else:
        print("../shared/corpus is absent: the image gets an empty rpmdb", file=sys.stderr)
        run(["rpm", "--root", rpmdb_root, "--dbpath", "/usr/lib/sysimage/rpm", "--initdb"])
    for index, group in enumerate(groups + [None]):
        tar = os.path.join(layout, f"layer{index}.tar")
        if group is None:
            run(["tar", "--sort=name", "--owner=0", "--group=0", "-C", rpmdb_root, "-cf", tar, "."])
        else:
            listing = os.path.join(work, "files.txt")
            with open(listing, "w") as f:
                f.write("\n".join(group) + "\n")
            run(["tar", "--sort=name", "--owner=0", "--group=0", "-C", "/", "-cf", tar, "--files-from", listing])
        diff_ids.append(sha256_file(tar))
        run(["gzip", "-n", "-6", tar])
        descriptors.append(store(layout, tar + ".gz", "application/vnd.oci.image.layer.v1.tar+gzip"))
    config = {"architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/sh"]},
              "rootfs": {"type": "layers", "diff_ids": diff_ids}}
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                "config": store_json(layout, config, "application/vnd.oci.image.config.v1+json"), "layers": descriptors}
    entry = store_json(layout, manifest, "application/vnd.oci.image.manifest.v1+json")
    entry["annotations"] = {"org.opencontainers.image.ref.name": "bench"}
    with open(os.path.join(layout, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [entry]}, f)
    with open(os.path.join(layout, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    return layout


def layer_blobs(layout):
    with open(os.path.join(layout, "index.json")) as f:
        entry = json.load(f)["manifests"][0]
    with open(os.path.join(layout, "blobs/sha256", entry["digest"][7:])) as f:
        manifest = json.load(f)
    return [os.path.join(layout, "blobs/sha256", layer["digest"][7:]) for layer in manifest["layers"]]


def make_repo(work):
    repo = os.path.join(work, "repo")
    if os.path.exists(os.path.join(repo, "repodata")):
        return repo
    os.makedirs(os.path.join(work, "rpmbuild"), exist_ok=True)
    spec = os.path.join(work, "rpmbuild", "bench-ext.spec")
    with open(spec, "w") as f:
        f.write("Name: bench-ext\nVersion: 1\nRelease: 1\nSummary: s\nLicense: MIT\nBuildArch: noarch\n"
                "%description\nd\n%files\n")
    run(["rpmbuild", "-bb", "--quiet", "--define", f"_topdir {work}/rpmbuild", "--define", f"_rpmdir {repo}", spec])
    run(["createrepo_c", "--quiet", "--no-database", repo])
    with open(os.path.join(work, "extensions.yaml"), "w") as f:
        f.write("repos: [bench]\nextensions:\n  bench:\n    packages: [bench-ext]\n")
    return repo


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size-mb", type=int, default=1000)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--work", default="/tmp/mox-bench-baseimage")
    parser.add_argument("--mox", default=os.path.join(ROOT, ".build", "release", "mox"))
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    repo = make_repo(args.work)
    layout = build_image(args.work, args.size_mb, args.layers)
    half = build_image(args.work, args.size_mb // 2, args.layers)
    blobs = layer_blobs(layout)
    compressed = sum(os.path.getsize(b) for b in blobs) >> 20
    common = [args.mox, "check", os.path.join(args.work, "extensions.yaml"), "-q", "--arch", "x86_64",
              "--repos-dir", args.work, "--repo", f"bench={repo}"]
    cache = os.path.join(args.work, "cache")
    image_ref = f"oci:{layout}:bench"
    # Repo metadata cached once, so every mox run below differs only in how it gets the base.
    run(common + ["--cachedir", cache, "--base-image", image_ref], ok=(0, 1))

    def cold_mox(ref):
        shutil.rmtree(os.path.join(cache, "base-images"), ignore_errors=True)
        return timed(common + ["--cachedir", cache, "--base-image", ref])

    def gzip_floor():
        start = time.perf_counter()
        for blob in blobs:
            run(["/bin/sh", "-c", f"gzip -dc '{blob}' > /dev/null"])
        return time.perf_counter() - start, 0

    def zlib_floor():
        # zlib's inflate, the one libarchive uses, streaming each layer once into nothing.
        script = ("import sys, zlib\nfor path in sys.argv[1:]:\n    d = zlib.decompressobj(47)\n"
                  "    with open(path, 'rb') as f:\n        for chunk in iter(lambda: f.read(1 << 20), b''):\n"
                  "            d.decompress(chunk)\n")
        start = time.perf_counter()
        run([sys.executable, "-c", script] + blobs)
        return time.perf_counter() - start, 0

    unpacked = os.path.join(args.work, "user")

    def user():
        shutil.rmtree(unpacked, ignore_errors=True)
        os.makedirs(unpacked)
        start = time.perf_counter()
        run(["skopeo", "copy", "--quiet", image_ref, f"oci:{unpacked}/layout:bench"])
        run(["umoci", "unpack", "--image", f"{unpacked}/layout:bench", f"{unpacked}/bundle"], stdin=subprocess.DEVNULL)
        elapsed, _ = timed(common + ["--cachedir", cache, "--base-rootfs", f"{unpacked}/bundle/rootfs"])
        return time.perf_counter() - start, 0

    results = {}
    for name, fn in [("floor", zlib_floor), ("gzip -dc", gzip_floor), ("mox cold", lambda: cold_mox(image_ref)), ("user", user),
                     ("mox warm", lambda: timed(common + ["--cachedir", cache, "--base-image", image_ref])),
                     ("rootfs", lambda: timed(common + ["--cachedir", cache, "--base-rootfs", f"{unpacked}/bundle/rootfs"]))]:
        samples = [fn() for _ in range(args.runs)]
        results[name] = (statistics.median(s[0] for s in samples), max(s[1] for s in samples))
    half_rss = max(cold_mox(f"oci:{half}:bench")[1] for _ in range(2))

    print(f"image: {len(blobs)} gzip layers, {compressed} MB compressed, {args.size_mb} MB of files uncompressed")
    for name, (seconds, rss) in results.items():
        print(f"  {name:10} {seconds:7.2f} s" + (f"   peak RSS {rss / 1024:6.1f} MB" if rss else ""))
    print(f"  mox cold / floor        {results['mox cold'][0] / results['floor'][0]:5.2f}x   (target <= 1.2x)")
    print(f"  user / mox cold         {results['user'][0] / results['mox cold'][0]:5.2f}x")
    print(f"  mox warm / rootfs       {results['mox warm'][0] / results['rootfs'][0]:5.2f}x   (target ~ 1.0x)")
    print(f"  peak RSS, mox cold: {results['mox cold'][1] / 1024:.1f} MB at {args.size_mb} MB, "
          f"{half_rss / 1024:.1f} MB at {args.size_mb // 2} MB (flat when close)")


if __name__ == "__main__":
    main()
