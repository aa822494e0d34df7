#!/usr/bin/env bash
# Builds the demo OS from the spec files in demo/specs/<repo-id>/ into demo/build/:
#   repos/<repo-id>/<arch>/   one rpm-md repo per repo id and arch (that arch's + noarch packages)
#   rootfs/<arch>/            a base image: the packages of base-packages.txt in an rpmdb at
#                             usr/share/rpm (where rpm-ostree keeps it), no files unpacked
#   yum.repos.d/<repo-id>.repo  baseurl=file://.../repos/<repo-id>/$basearch
# Does nothing when build/ is newer than its inputs (specs, base-packages.txt, this script).
set -euo pipefail

demo=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
specs=$demo/specs
out=$demo/build
arches=(x86_64 aarch64)

# Specs built more than once, with `--define "build_release R"` for each release listed.
declare -A releases=([kernel]="70.el9 80.el9")

export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
stamp=$out/.made
if [[ -e $stamp && -z $(find "$specs" "$demo/base-packages.txt" "${BASH_SOURCE[0]}" -newer "$stamp" -print -quit) ]]; then
    echo "demo is up to date in $out"
    exit 0
fi
rm -rf "$out/repos" "$out/rootfs" "$out/yum.repos.d" "$stamp"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# True if SPEC has no ExclusiveArch line or lists ARCH in it.
builds_on() {
    local spec=$1 arch=$2 exclusive
    exclusive=$(sed -n 's/^ExclusiveArch:[[:space:]]*//p' "$spec")
    [[ -z $exclusive || " $exclusive " == *" $arch "* ]]
}

# rpmbuild SPEC for ARCH straight into DEST (flat file names), optionally as RELEASE.
build_spec() {
    local spec=$1 arch=$2 dest=$3 release=${4:-}
    local args=(
        -bb --quiet --target "$arch"
        --define "_topdir $scratch/$(basename "$spec" .spec)-$arch-$release"
        --define "_rpmdir $dest"
        --define "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm"
        # Empty files only: nothing to strip or compress, no debuginfo.
        --define "__os_install_post %{nil}"
        --define "_build_id_links none"
        --define "debug_package %{nil}"
        # Build times from SOURCE_DATE_EPOCH: the demo's packages, and so its image, are the same everywhere.
        --define "use_source_date_epoch_as_buildtime 1"
        --define "clamp_mtime_to_source_epoch 1"
    )
    [[ -n $release ]] && args+=(--define "build_release $release")
    rpmbuild "${args[@]}" "$spec" >/dev/null
}

echo "building demo packages into $out/repos"
for repo_dir in "$specs"/*/; do
    repo=$(basename "$repo_dir")
    for arch in "${arches[@]}"; do
        dest=$out/repos/$repo/$arch
        mkdir -p "$dest"
        for spec in "$repo_dir"*.spec; do
            builds_on "$spec" "$arch" || continue
            name=$(basename "$spec" .spec)
            for release in ${releases[$name]:-""}; do
                build_spec "$spec" "$arch" "$dest" "$release"
            done
        done
    done
    # A noarch package is one file whatever the arch, as in real repos: keep the first arch's build.
    for arch in "${arches[@]:1}"; do
        for rpm in "$out/repos/$repo/${arches[0]}"/*.noarch.rpm; do
            [[ -e $rpm ]] && ln -f "$rpm" "$out/repos/$repo/$arch/$(basename "$rpm")"
        done
    done
    for arch in "${arches[@]}"; do
        createrepo_c --quiet --no-database "$out/repos/$repo/$arch"
    done
done

# Debian's rpm warns about direct installs unless told it is meant.
rpm_flags=()
if [[ $(rpm --help 2>/dev/null) == *--force-debian* ]]; then rpm_flags+=(--force-debian); fi

echo "recording the base image in $out/rootfs/<arch>/usr/share/rpm"
shopt -s nullglob
for arch in "${arches[@]}"; do
    rpms=()
    while read -r nvr; do
        [[ -z $nvr || $nvr == \#* ]] && continue
        found=("$out"/repos/*/"$arch"/"$nvr".{"$arch",noarch}.rpm)
        if (( ${#found[@]} != 1 )); then
            echo "make-demo.sh: base package $nvr: expected 1 build for $arch, found ${#found[@]}" >&2
            exit 1
        fi
        rpms+=("${found[0]}")
    done < "$demo/base-packages.txt"
    root=$out/rootfs/$arch
    mkdir -p "$root"
    # No --nodeps: rpm checks that the base image is complete on its own.
    rpm --root "$root" --dbpath /usr/share/rpm "${rpm_flags[@]}" \
        --justdb --noscripts --ignorearch -i "${rpms[@]}"
done

echo "writing $out/yum.repos.d"
mkdir -p "$out/yum.repos.d"
for repo_dir in "$specs"/*/; do
    repo=$(basename "$repo_dir")
    cat > "$out/yum.repos.d/$repo.repo" <<REPO
[$repo]
name=Demo $repo
baseurl=file://$out/repos/$repo/\$basearch
enabled=1
gpgcheck=0
REPO
done

touch "$stamp"
echo "demo ready in $out"
