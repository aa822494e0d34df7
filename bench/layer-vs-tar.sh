#!/usr/bin/env bash
# Layer writer throughput and peak memory against tar + gzip/zstd on a composed tree of >= 1 GB.
#
#   bench/layer-vs-tar.sh            (build the release binary first: swift build -c release)
#
# Builds once, under WORK (default /tmp/mox-bench-layer): PACKAGES (21) noarch RPMs of SIZE_MB (50)
# random, uncompressed payload each, an rpm-md repo of them, an empty base, and the tree that
# `mox compose` publishes from them. Then times, on that same tree: `mox image TREE --layer` with
# gzip, zstd and no compression, beside `tar --sort=name ... | gzip -n -6` and `| zstd -3 -T1`,
# and prints MB/s, wall time, peak RSS and output size for each. Run it with two sizes
# (SIZE_MB=25 and 50) to see that mox's peak memory does not grow with the tree.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

MOX=${MOX:-$PWD/.build/release/mox}
WORK=${WORK:-/tmp/mox-bench-layer}
PACKAGES=${PACKAGES:-21}
SIZE_MB=${SIZE_MB:-50}
TREE=$WORK/tree-$PACKAGES-$SIZE_MB
OUT=$WORK/out
mkdir -p "$OUT"

if [ ! -f "$TREE/extensions.json" ]; then
    echo "building $PACKAGES packages of $SIZE_MB MB and composing them into $TREE" >&2
    repo=$WORK/repo-$PACKAGES-$SIZE_MB
    rm -rf "$repo" "$WORK/build" "$WORK/root"
    mkdir -p "$repo" "$WORK/build/SOURCES" "$WORK/root"
    names=()
    for i in $(seq -w 1 "$PACKAGES"); do
        name=bench-$i
        names+=("$name")
        head -c "${SIZE_MB}M" /dev/urandom > "$WORK/build/SOURCES/$name.bin"
        cat > "$WORK/build/$name.spec" <<SPEC
Name: $name
Version: 1.0
Release: 1
Summary: layer benchmark payload
License: MIT
BuildArch: noarch
Source0: $name.bin
%description
Random bytes.
%install
mkdir -p %{buildroot}/usr/share/bench
cp %{SOURCE0} %{buildroot}/usr/share/bench/
%files
/usr/share/bench/$name.bin
SPEC
        rpmbuild -bb --quiet --define "_topdir $WORK/build" --define "_rpmdir $repo" \
            --define "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm" \
            --define "_binary_payload w0.ufdio" --define "__os_install_post %{nil}" \
            "$WORK/build/$name.spec" > /dev/null
    done
    createrepo_c --quiet --no-database "$repo"
    rpm --root "$WORK/root" --dbpath /usr/share/rpm --initdb
    printf 'repos: [bench]\nextensions:\n  bench:\n    packages: [%s]\n' "$(IFS=,; echo "${names[*]}")" > "$WORK/extensions.yaml"
    "$MOX" compose "$WORK/extensions.yaml" --repo "bench=$repo" --repos-dir "$WORK" \
        --base-rootfs "$WORK/root" --cachedir "$WORK/cache" --output "$TREE" -q > /dev/null
fi
bytes=$(du -sb "$TREE" | cut -f1)
sync

# run NAME COMMAND: prints MB/s of tree bytes, wall time, peak RSS (of the largest process) and output size.
run() {
    local name=$1 command=$2 log="$OUT/$1.time"
    /usr/bin/time -v -o "$log" bash -c "$command" > /dev/null
    local seconds rss
    seconds=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$log")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    awk -v n="$name" -v b="$bytes" -v s="$seconds" -v r="$rss" -v o="$(stat -c %s "$OUT/$name.out")" \
        'BEGIN { printf "%-12s %8.1f MB/s %7.2f s  peak RSS %7.1f MB  output %8.1f MB\n", n, b / s / 1e6, s, r / 1024, o / 1e6 }'
}

tar_cmd="tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C '$TREE' -c ."
echo "tree: $TREE, $((bytes / 1000000)) MB"
run tar-gzip "$tar_cmd | gzip -n -6 > '$OUT/tar-gzip.out'"
run tar-zstd "$tar_cmd | zstd -q -3 -T1 > '$OUT/tar-zstd.out'"
for compression in gzip zstd none; do
    run "mox-$compression" "'$MOX' image '$TREE' --layer '$OUT/mox-$compression.out' --compression $compression"
done
