#!/usr/bin/env bash
# The layer writer beside tar and the parallel compressors, on a composed tree of about 1 GB.
#
#   bench/layer-vs-tar.sh            (RUNS=3 PACKAGES=21 SIZE_MB=50 MOX=... WORK=... to change)
#
# Builds mox as ./build does unless MOX is given, and once, under WORK (default /tmp/mox-bench-layer):
# PACKAGES noarch RPMs of SIZE_MB random, uncompressed payload each, a repo of them, an empty base,
# and the tree `mox compose` publishes from them. Then, RUNS times in turn, on that same tree:
#
#   tar          tar --sort=name ... > file        (the floor for an uncompressed layer)
#   pigz         tar ... | pigz -n -6 > file       (gzip on every core)
#   zstd         tar ... | zstd -3 -T0 > file      (zstd on every core)
#   mox-none, mox-gzip, mox-zstd                   mox image TREE --layer file --compression ...
#
# and prints the medians of wall time and CPU time (user+sys), MB/s of tree bytes, peak RSS of the
# largest process, output size, and the ratios the issue sets targets for: mox-gzip / pigz <= 1.05,
# mox-zstd / zstd <= 1.0, mox-none / tar <= 1.0. Run it with two sizes (SIZE_MB=25 and 50) to see
# that mox's peak memory does not grow with the tree.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ -z "${MOX:-}" ]; then
    swift build -c release --static-swift-stdlib --product mox > /dev/null
    MOX=$PWD/.build/release/mox
fi
WORK=${WORK:-/tmp/mox-bench-layer}
PACKAGES=${PACKAGES:-21}
SIZE_MB=${SIZE_MB:-50}
RUNS=${RUNS:-3}
TREE=$WORK/tree-$PACKAGES-$SIZE_MB
OUT=$WORK/out
rm -rf "$OUT"
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
bytes=$(du -sbL "$TREE" | cut -f1)
sync

tar_cmd="tar --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -C '$TREE' -c ."
declare -A commands=(
    [tar]="$tar_cmd > '$OUT/tar.out'"
    [pigz]="$tar_cmd | pigz -n -6 > '$OUT/pigz.out'"
    [zstd]="$tar_cmd | zstd -q -3 -T0 > '$OUT/zstd.out'"
    [mox-none]="'$MOX' image '$TREE' --layer '$OUT/mox-none.out' --compression none"
    [mox-gzip]="'$MOX' image '$TREE' --layer '$OUT/mox-gzip.out' --compression gzip"
    [mox-zstd]="'$MOX' image '$TREE' --layer '$OUT/mox-zstd.out' --compression zstd"
)
order=(tar mox-none pigz mox-gzip zstd mox-zstd)

# Interleaved runs; each appends "wall cpu rss-KB" to OUT/NAME.samples.
for run in $(seq 1 "$RUNS"); do
    for name in "${order[@]}"; do
        rm -f "$OUT/$name.out"
        /usr/bin/time -f "%e %U %S %M" -o "$OUT/$name.time" bash -c "${commands[$name]}" > /dev/null
        awk '{ printf "%s %.3f %s\n", $1, $2 + $3, $4 }' "$OUT/$name.time" >> "$OUT/$name.samples"
    done
done

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
declare -A wall cpu
echo "tree: $TREE, $((bytes / 1000000)) MB; $RUNS interleaved runs, medians; load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf "%-9s %8s %8s %9s %10s %10s\n" "" "wall s" "cpu s" "MB/s" "peak RSS" "output MB"
for name in "${order[@]}"; do
    wall[$name]=$(cut -d' ' -f1 "$OUT/$name.samples" | median)
    cpu[$name]=$(cut -d' ' -f2 "$OUT/$name.samples" | median)
    rss=$(cut -d' ' -f3 "$OUT/$name.samples" | sort -g | tail -1)
    awk -v n="$name" -v w="${wall[$name]}" -v c="${cpu[$name]}" -v b="$bytes" -v r="$rss" -v o="$(stat -c %s "$OUT/$name.out")" \
        'BEGIN { printf "%-9s %8.2f %8.2f %9.1f %7.1f MB %10.1f\n", n, w, c, b / w / 1e6, r / 1024, o / 1e6 }'
done
ratio() {
    awk -v a="${wall[$1]}" -v b="${wall[$2]}" -v c="${cpu[$1]}" -v d="${cpu[$2]}" -v t="$3" -v l="$1 / $2" \
        'BEGIN { printf "%-18s wall %.2fx  cpu %.2fx  (target <= %s)\n", l, a / b, c / d, t }'
}
ratio mox-gzip pigz 1.05
ratio mox-zstd zstd 1.0
ratio mox-none tar 1.0
