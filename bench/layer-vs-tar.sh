#!/usr/bin/env bash
# Layer writer throughput and peak memory against tar + gzip/zstd on a tree of >= 1 GB.
#
#   MOX_LAYER='mox compose ... --output {tree} --layer {out} --compression {compression}' bench/layer-vs-tar.sh
#
# MOX_LAYER is the command that writes one layer of {tree} to {out} with {compression} (placeholders are
# substituted); without it only the tar baselines run. TREE (default /tmp/mox-bench-tree) is generated
# once: FILES (21) files of 50 MB random data, so compression cannot shrink the work.
set -euo pipefail

TREE=${TREE:-/tmp/mox-bench-tree}
FILES=${FILES:-21}
OUT=${OUT:-/tmp/mox-bench-out}
mkdir -p "$OUT"

if [ ! -d "$TREE/extensions" ]; then
    echo "generating $TREE ($FILES x 50 MB)" >&2
    mkdir -p "$TREE/extensions" "$TREE/repodata"
    for i in $(seq -w 1 "$FILES"); do head -c 50M /dev/urandom > "$TREE/extensions/pkg-$i.rpm"; done
    echo '<repomd/>' > "$TREE/repodata/repomd.xml"
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
if [ -n "${MOX_LAYER:-}" ]; then
    for compression in gzip zstd none; do
        command=${MOX_LAYER//\{tree\}/$TREE}
        command=${command//\{out\}/$OUT/mox-$compression.out}
        command=${command//\{compression\}/$compression}
        run "mox-$compression" "$command"
    done
fi
