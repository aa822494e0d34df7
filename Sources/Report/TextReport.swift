import Resolve

/// The report for people: one line per extension and arch, then every failure explained.
public enum TextReport {
    /// Renders `report`; `verbose` also lists each extension's packages and why they are there.
    public static func render(_ report: CheckReport, verbose: Bool = false, color: Bool = false) -> String {
        let paint = Paint(enabled: color)
        var out = ""
        for arch in report.arches {
            out += "\(arch.arch) (base: \(count(arch.basePackageCount, "package")))\n"
            let width = max(12, arch.extensions.map(\.name.count).max() ?? 0)
            for ext in arch.extensions {
                let name = ext.name.padding(toLength: width, withPad: " ", startingAt: 0)
                switch ext.status {
                case .resolved:
                    let listed = ext.packages.filter { $0.role == .listed }.count
                    let deps = ext.packages.count - listed
                    let kind = ext.kind == "development" ? ", development" : ""
                    out += "  \(paint.green("ok  "))  \(name)  resolved with \(count(ext.packages.count, "package"))"
                        + " (\(listed) listed, \(count(deps, "dependency", "dependencies"))\(kind))\n"
                    if verbose {
                        for package in ext.packages {
                            let why = package.role == .listed
                                ? "listed" + (package.match.map { ": \($0)" } ?? "")
                                : "for " + package.pulledBy.joined(separator: ", ")
                            out += "          \(package.package.nevra)  [\(package.package.repo)]  \(why)\n"
                        }
                    }
                    for warning in ext.warnings { out += "          \(paint.dim("warning:")) \(warning)\n" }
                case .skipped:
                    out += "  \(paint.dim("skip"))  \(name)  skipped: \(ext.note ?? "not for this arch")\n"
                case .failed:
                    out += "  \(paint.red("FAIL"))  \(name)  failed\n"
                    out += explain(ext.failures)
                    for warning in ext.warnings { out += "          warning: \(warning)\n" }
                }
            }
            if !arch.failures.isEmpty {
                out += "  \(paint.red("FAIL"))  \("(the lock)".padding(toLength: width, withPad: " ", startingAt: 0))  "
                    + "the lock disagrees with the repos or the base\n" + explain(arch.failures)
            }
        }
        let c = report.counts
        let lockFailures = report.arches.reduce(0) { $0 + $1.failures.count }
        let verdict = report.failed ? paint.red("FAILED") : paint.green("OK")
        out += "\(verdict): \(c.resolved) resolved, \(c.skipped) skipped, \(c.failed) failed"
            + (lockFailures > 0 ? ", \(count(lockFailures, "lock problem"))" : "") + "\n"
        return out
    }

    /// Each failure, its details and the ways out, indented under its line.
    static func explain(_ failures: [Failure]) -> String {
        var out = ""
        for failure in failures {
            out += "          - \(failure.message)\n"
            for line in failure.details { out += "            \(line)\n" }
            if !failure.solutions.isEmpty {
                out += "            possible solutions:\n"
                for (n, steps) in failure.solutions.enumerated() {
                    out += "              \(n + 1). " + steps.joined(separator: "; ") + "\n"
                }
            }
        }
        return out
    }
}

/// "1 package", "2 packages".
public func count(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
    "\(n) " + (n == 1 ? singular : plural ?? singular + "s")
}

/// ANSI colors, only when writing to a terminal that wants them.
struct Paint {
    let enabled: Bool
    func green(_ s: String) -> String { wrap(s, "32") }
    func red(_ s: String) -> String { wrap(s, "31;1") }
    func dim(_ s: String) -> String { wrap(s, "2") }
    private func wrap(_ s: String, _ code: String) -> String { enabled ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
}
