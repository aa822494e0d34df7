// swift-tools-version:6.0
import PackageDescription

/// Typed paths (`FilePath`) for every module that names files.
let system: Target.Dependency = .product(name: "SystemPackage", package: "swift-system")

let package = Package(
    name: "mox",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "mox", targets: ["mox"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        // C headers of libsolv and libsolvext (repo readers, .solv writer), with shims for macros.
        .systemLibrary(
            name: "CSolv", pkgConfig: "libsolvext",
            providers: [.apt(["libsolv-dev", "libsolvext-dev"]), .yum(["libsolv-devel"])]),
        // C headers of librpm and librpmio (rpmdb reading, header and signature checks).
        .systemLibrary(
            name: "CRPM", pkgConfig: "rpm",
            providers: [.apt(["librpm-dev"]), .yum(["rpm-devel"])]),
        // Libraries some commands need, loaded on first use instead of at every start: the
        // forwarding of their functions (libcurl, libarchive and libcreaterepo_c use it).
        .target(name: "CLazy"),
        // C headers of libarchive (the OCI layer tarball, reading images), loaded on first use.
        .target(name: "CArchive", dependencies: ["CLazy"]),
        // C headers of GLib, which libcreaterepo_c's headers include.
        .systemLibrary(
            name: "CGLib", pkgConfig: "glib-2.0",
            providers: [.apt(["libglib2.0-dev"]), .yum(["glib2-devel"])]),
        // C headers of libcreaterepo_c (rpm-md repodata for the composed tree), loaded on first use.
        .target(name: "CCreaterepo", dependencies: ["CLazy", "CGLib"]),
        // C headers of libcurl (downloads from http(s) repos), with typed entries for its variadic
        // setters; loaded on first use.
        .target(name: "CCurl", dependencies: ["CLazy"]),
        // C headers of libmodulemd (modules.yaml: module streams and defaults), with shims for GLib macros.
        .systemLibrary(
            name: "CModulemd", pkgConfig: "modulemd-2.0",
            providers: [.apt(["libmodulemd-dev"]), .yum(["libmodulemd-devel"])]),
        // C headers of zlib (the layer's gzip, compressed in blocks on every core).
        .systemLibrary(
            name: "CZlib", pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"]), .yum(["zlib-devel"])]),
        // C headers of libzstd (the layer's zstd, with libzstd's own worker threads).
        .systemLibrary(
            name: "CZstd", pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"]), .yum(["libzstd-devel"])]),
        // Linux calls Glibc does not export to Swift: renameat2 (atomic swap), FICLONE (reflink), xattrs.
        .systemLibrary(name: "CLinux"),
        // librpm in Swift: one-time configuration, where images keep their rpmdb, package digest and
        // signature checks, streaming digests.
        .target(name: "RPM", dependencies: ["CRPM", "RootedPath", system]),
        // Paths inside an image's root: symlinks followed as if the root were `/`, never out of it.
        .target(name: "RootedPath", dependencies: [system]),
        // The OCI image spec's value types, shared by reading and writing: descriptors, platforms,
        // manifests, indexes, configs, media types.
        .target(name: "OCI"),
        // The extensions image's consumer contract in one place: paths, labels, command, the flat map's format.
        .target(name: "ImageContract"),
        // Reading OCI images: references and transports (through skopeo), index/manifest/config,
        // per-arch selection, layers streamed once with whiteouts, selected files extracted.
        .target(name: "ImageSource", dependencies: ["CArchive", "OCI", "RPM", "RootedPath", system]),
        // The base OS from its node image: the rpmdb read out of the layers, cached by manifest digest.
        .target(name: "BaseImage", dependencies: ["ImageSource", "OCI", "RPM", system]),
        // Plain threads, joined before returning: blocking work (downloads, parsing, compressing) side by side.
        .target(name: "Threads"),
        // libsolv in Swift: the Pool owner, repo loading, .solv caching, jobs, problems.
        .target(name: "Solv", dependencies: ["CSolv", "CRPM", "RPM", "Threads", system]),
        // Module streams as libdnf applies them: modules.yaml (libmodulemd), active streams, what they hide.
        .target(name: "Modules", dependencies: ["CModulemd", "Solv", system]),
        // extensions.yaml: the model and its strict validation with file:line:column errors.
        .target(name: "Manifest", dependencies: ["Yams"]),
        // rpm-ostree treefiles as `compose extensions` reads them: repos, releasever and repovars, through
        // include, arch-include and conditional-include.
        .target(name: "Treefile", dependencies: ["Yams", system]),
        // .repo files (every dnf repo key), repomd.xml, metalinks and mirrorlists, mirror choice, repomd
        // signatures, metadata checksums, loading repos into a pool, repo ids mapped to the build system's.
        .target(name: "Repos", dependencies: ["Solv", "RPM", "Threads", system]),
        // Package lists other programs write and read: rpm-ostree lockfiles, rpms.lock.yaml (hermeto),
        // NEVRA lists; read for bases and locks, written from what a tree ships.
        .target(name: "Lockfile", dependencies: ["Solv", "Yams"]),
        // Depsolving one extension x arch against the locked base, within a lock; problems as plain values.
        .target(name: "Resolve", dependencies: ["Solv", "Manifest", "Repos", "RPM", "Modules", "Lockfile", "BaseImage", "ImageSource",
                                                system]),
        // Getting packages: clone or copy local files, download remote ones (the HTTP(S) client also
        // serves repo metadata: per-repo TLS, credentials, proxy, limits), verify each once on its way
        // into the content-addressed package cache (checksum, header NEVRA, rpm digests and signatures)
        // and keep the verdict with the file.
        .target(name: "Fetch", dependencies: ["CCurl", "CLinux", "RPM", "Solv", "Repos", "Threads", system]),
        // File conflicts of the os-extensions, with the base and with each other, by rpm's rules
        // (librpm's file comparison, rpm's multilib colors), from package headers and the base's rpmdb.
        .target(name: "Conflicts", dependencies: ["RPM"]),
        // Publishing a directory in one step: built beside its destination under a lock, swapped in,
        // leftovers of killed runs removed. The composed tree and the image layout both use it; single
        // files (lockfiles, SBOMs) are staged beside theirs and renamed in with them.
        .target(name: "Publish", dependencies: ["CLinux", system]),
        // rpm-md repodata for a directory of RPMs, through libcreaterepo_c.
        .target(name: "Createrepo", dependencies: ["CCreaterepo"]),
        // The composed tree: layout, repodata, the JSON index, state digest, atomic publish, diffs,
        // the image of a tree, and its companions (lockfile, SBOMs).
        .target(name: "Compose", dependencies: ["Publish", "Resolve", "Fetch", "Createrepo", "Image", "ImageContract", "Repos", "Solv",
                                                "Manifest", "Lockfile", "SBOM", "Conflicts", "RPM", system]),
        // The OCI image: reproducible layer tarball, blobs, config, manifest, index.
        .target(name: "Image", dependencies: ["CArchive", "CZlib", "CZstd", "CLinux", "ImageContract", "OCI", "Publish", "RPM",
                                              "Threads", system]),
        // SPDX 2.3 SBOMs of extensions images: every RPM with its purl, checksum, source RPM and relations.
        .target(name: "SBOM"),
        // Checking any extensions image against the consumer contract, arch by arch: labels, command,
        // repodata and RPMs, the flat map in the last layer, installability from the image's repo alone.
        .target(name: "Lint", dependencies: ["ImageContract", "ImageSource", "Manifest", "OCI", "Repos", "Resolve", "Solv", system]),
        // Merging per-arch images composed on separate builders into one image index, byte for byte
        // the index a multi-arch compose writes.
        .target(name: "Merge", dependencies: ["Image", "ImageContract", "ImageSource", "OCI", system]),
        // Text, JSON and JUnit renderings of check and lint reports.
        .target(name: "Report", dependencies: ["Resolve", "Lint"]),
        // The command line: argument parsing, output, exit codes.
        .executableTarget(
            name: "mox",
            dependencies: [
                "Manifest", "Repos", "Resolve", "Report", "Fetch", "Publish", "Compose", "Image", "Treefile", "ImageContract",
                "ImageSource", "Lint", "Merge",
                .product(name: "ArgumentParser", package: "swift-argument-parser"), system,
            ]),
        .testTarget(name: "ManifestTests", dependencies: ["Manifest"]),
        .testTarget(name: "ReportTests", dependencies: ["Report"]),
        .testTarget(name: "ReposTests", dependencies: ["Repos", "RPM", "Fixtures"]),
        .testTarget(name: "LockfileTests", dependencies: ["Lockfile", "Solv", "Fixtures"]),
        .testTarget(name: "ResolveTests", dependencies: ["Resolve", "Repos", "Manifest", "Fixtures"]),
        .testTarget(name: "MoxTests", dependencies: ["Fixtures"]),
        .testTarget(name: "FetchTests", dependencies: ["Fetch", "Fixtures"]),
        .testTarget(name: "ComposeTests", dependencies: ["Compose", "Createrepo", "Fixtures"]),
        .testTarget(name: "ImageTests", dependencies: ["Image", "OCI", "Fixtures"]),
        .testTarget(name: "TreefileTests", dependencies: ["Treefile", "Fixtures"]),
        .testTarget(name: "ImageSourceTests", dependencies: ["ImageSource", "OCI", "RootedPath", "Fixtures"]),
        // Test support: builds real RPMs (rpmbuild), repos (createrepo_c) and rpmdbs (rpm --justdb).
        .target(name: "Fixtures", path: "Tests/Fixtures"),
    ],
    swiftLanguageModes: [.v6]
)
