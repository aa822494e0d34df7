import ArgumentParser
import Manifest
import Resolve

/// The base OS the extensions must install on, one for every arch and/or one per arch (`ARCH=...`).
struct BaseOptions: ParsableArguments {
    @Option(name: .customLong("base-rootfs"), help: ArgumentHelp(
        "Root filesystem of the base OS (its rpmdb under usr/share/rpm, usr/lib/sysimage/rpm or var/lib/rpm); "
            + "ARCH=DIR gives one arch its own base; repeatable.",
        valueName: "[arch=]dir"))
    var rootfs: [String] = []

    @Option(name: .customLong("base-packages"), help: ArgumentHelp(
        "The base as an rpm-ostree lockfile (JSON or YAML) or a list of NEVRAs, one per line, looked up in the repos; "
            + "ARCH=FILE for one arch; repeatable.",
        valueName: "[arch=]file"))
    var packages: [String] = []

    @Option(name: .customLong("base-image"), help: ArgumentHelp(
        "The base OS image, in a transport skopeo reads (docker://REGISTRY/NAME:TAG or @sha256:..., oci:DIR[:TAG], "
            + "oci-archive:FILE, docker-archive:FILE, containers-storage:NAME); its rpmdb is read out of the layers. "
            + "ARCH=REF for one arch; repeatable.",
        valueName: "[arch=]ref"))
    var images: [String] = []

    /// Whether no base was given at all.
    var isEmpty: Bool { rootfs.isEmpty && packages.isEmpty && images.isEmpty }

    /// The bases given: one shared, and/or one per arch (`ARCH=PATH`, ARCH a known architecture);
    /// two for one arch, or two shared, are a validation error.
    var selection: BaseSelection {
        get throws {
            var selection = BaseSelection(shared: nil)
            let given = rootfs.map { ("--base-rootfs", $0, BaseSource.rootfs) }
                + packages.map { ("--base-packages", $0, BaseSource.packages) }
                + images.map { ("--base-image", $0, BaseSource.image) }
            for (option, value, make) in given {
                if let equals = value.firstIndex(of: "="),
                   Extension.knownArchitectures.contains(String(value[..<equals])) {
                    let arch = String(value[..<equals])
                    guard selection.perArch[arch] == nil else {
                        throw ValidationError("\(option): two bases for \(arch)")
                    }
                    selection.perArch[arch] = make(String(value[value.index(after: equals)...]))
                } else {
                    guard selection.shared == nil else {
                        throw ValidationError("\(option) \(value): a base for every arch is already given; "
                            + "use ARCH=PATH for per-arch bases")
                    }
                    selection.shared = make(value)
                }
            }
            return selection
        }
    }

    func validate() throws { _ = try selection }
}
