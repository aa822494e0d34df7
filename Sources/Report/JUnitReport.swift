import Resolve

/// The report for CI dashboards: one JUnit test case per extension and architecture.
public enum JUnitReport {
    /// Renders `report` as a JUnit XML document.
    public static func render(_ report: CheckReport) -> String {
        let all = report.arches.flatMap(\.extensions)
        let lockCases = report.arches.filter { !$0.failures.isEmpty }.count
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        xml += #"<testsuites name="mox check" tests="\#(all.count + lockCases)" failures="\#(report.counts.failed + lockCases)" skipped="\#(report.counts.skipped)">"# + "\n"
        for arch in report.arches {
            let lock = arch.failures.isEmpty ? 0 : 1
            let failed = arch.extensions.filter { $0.status == .failed }.count + lock
            let skipped = arch.extensions.filter { $0.status == .skipped }.count
            xml += #"  <testsuite name="\#(escape(arch.arch))" tests="\#(arch.extensions.count + lock)" failures="\#(failed)" skipped="\#(skipped)">"# + "\n"
            for ext in arch.extensions {
                xml += #"    <testcase classname="extensions.\#(escape(arch.arch))" name="\#(escape(ext.name))">"#
                switch ext.status {
                case .resolved where !ext.warnings.isEmpty:
                    xml += "\n      <system-out>" + escape(ext.warnings.map { "warning: \($0)\n" }.joined()) + "</system-out>\n    </testcase>\n"
                case .resolved:
                    xml += "</testcase>\n"
                case .skipped:
                    xml += "\n      " + #"<skipped message="\#(escape(ext.note ?? "not for this arch"))"/>"# + "\n    </testcase>\n"
                case .failed:
                    let message = ext.failures.map(\.message).joined(separator: "; ")
                    var body = ""
                    for failure in ext.failures {
                        body += failure.message + "\n"
                        for line in failure.details { body += "  " + line + "\n" }
                        for (n, steps) in failure.solutions.enumerated() {
                            body += "  solution \(n + 1): " + steps.joined(separator: "; ") + "\n"
                        }
                    }
                    for warning in ext.warnings { body += "warning: \(warning)\n" }
                    xml += "\n      " + #"<failure type="\#(escape(ext.failures.first?.kind.rawValue ?? "failed"))" message="\#(escape(message))">"#
                        + escape(body) + "</failure>\n    </testcase>\n"
                }
            }
            if !arch.failures.isEmpty {
                // The lock is checked as one more case of the arch, failing with every problem found.
                let body = arch.failures.map { ([$0.message] + $0.details.map { "  " + $0 }).joined(separator: "\n") }
                    .joined(separator: "\n") + "\n"
                xml += #"    <testcase classname="extensions.\#(escape(arch.arch))" name="lockfile">"#
                xml += "\n      " + #"<failure type="\#(escape(arch.failures[0].kind.rawValue))" message="\#(escape(arch.failures.map(\.message).joined(separator: "; ")))">"#
                    + escape(body) + "</failure>\n    </testcase>\n"
            }
            xml += "  </testsuite>\n"
        }
        xml += "</testsuites>\n"
        return xml
    }

    /// Renders a run that could not check as one errored test case per input file (or one for
    /// the run), so a dashboard shows why nothing was checked.
    public static func render(_ failed: CheckFailureReport) -> String {
        let problems = failed.error.problems
        var files: [String] = []
        for problem in problems where !files.contains(problem.file ?? failed.manifestPath) {
            files.append(problem.file ?? failed.manifestPath)
        }
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        xml += #"<testsuites name="mox check" tests="\#(files.count)" failures="0" errors="\#(files.count)">"# + "\n"
        xml += #"  <testsuite name="inputs" tests="\#(files.count)" failures="0" errors="\#(files.count)">"# + "\n"
        for file in files {
            let mine = problems.filter { ($0.file ?? failed.manifestPath) == file }
            let message = mine.count == 1 ? mine[0].description : "\(mine.count) problems in \(file)"
            xml += #"    <testcase classname="mox.\#(failed.status)" name="\#(escape(file))">"# + "\n"
            xml += "      " + #"<error type="\#(failed.status)" message="\#(escape(message))">"#
                + escape(mine.map(\.description).joined(separator: "\n") + "\n") + "</error>\n    </testcase>\n"
        }
        xml += "  </testsuite>\n</testsuites>\n"
        return xml
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n", "\t", "\r": out.unicodeScalars.append(scalar)
            default:
                // XML 1.0 forbids most control characters even escaped.
                if scalar.value < 0x20 { out += "?" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
