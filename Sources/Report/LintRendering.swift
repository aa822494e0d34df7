// `mox lint`'s report for people (text), machines (JSON, docs/lint-json.md) and CI dashboards (JUnit).
import Foundation
import Lint

/// Renderings of a lint report, and of a lint run that could not check.
public enum LintRendering {
    /// Bumped on any incompatible change to the JSON document's shape.
    public static let schemaVersion = 1

    // MARK: Text

    /// Per arch, one line per check; each violation with what to do.
    public static func text(_ report: LintReport, color: Bool = false) -> String {
        func paint(_ text: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text }
        var out = "\(report.reference) (\(report.digest))\n"
        for arch in report.arches {
            out += "\(arch.arch) (\(arch.platform), \(arch.digest)):\n"
            for check in arch.checks {
                let mark: String
                switch check.status {
                case .passed: mark = paint("ok  ", "32")
                case .failed: mark = paint("FAIL", "31")
                case .skipped: mark = paint("skip", "33")
                }
                out += "  \(mark) \(check.name.rawValue)" + (check.note.map { ": \($0)" } ?? "") + "\n"
                for violation in check.violations { out += describe(violation) }
            }
            for warning in arch.warnings {
                out += "  \(paint("warn", "33")) \(warning.code)\n" + describe(warning)
            }
        }
        let count = report.violations.count
        out += report.passed
            ? "passed: the image meets the contract on \(report.arches.map(\.arch).joined(separator: ", "))\n"
            : "failed: \(count) violation\(count == 1 ? "" : "s")\n"
        return out
    }

    /// A violation or warning under its check: message and code, details, what to do.
    private static func describe(_ violation: Violation) -> String {
        var out = "       \(violation.message) [\(violation.code)]\n"
        for line in violation.details { out += "         \(line)\n" }
        return out + "       fix: \(violation.fix)\n"
    }

    // MARK: JSON

    /// The report as JSON, keys sorted.
    public static func json(_ report: LintReport, mox: String) -> String {
        encode(Document(
            schemaVersion: schemaVersion, mox: mox, status: report.passed ? "passed" : "failed",
            reference: report.reference, digest: report.digest, violations: report.violations.count, errors: [],
            arches: report.arches.map { arch in
                Arch(arch: arch.arch, platform: arch.platform, digest: arch.digest, status: arch.passed ? "passed" : "failed",
                     checks: arch.checks.map { check in
                         Check(name: check.name.rawValue, status: check.status.rawValue, note: check.note,
                               violations: check.violations.map(ViolationDoc.init))
                     },
                     warnings: arch.warnings.map(ViolationDoc.init))
            }))
    }

    /// A run that could not check (exit 2 or 3): the same document, no arches, every error.
    public static func json(_ error: LintError, reference: String, mox: String) -> String {
        encode(Document(schemaVersion: schemaVersion, mox: mox, status: status(error), reference: reference,
                        digest: nil, violations: 0, errors: error.problems, arches: []))
    }

    /// `invalid-input` (exit 2) or `environment-error` (exit 3).
    static func status(_ error: LintError) -> String {
        switch error {
        case .invalidInput: "invalid-input"
        case .environment: "environment-error"
        }
    }

    private static func encode(_ document: Document) -> String { JSONReport.encode(document) }

    struct Document: Encodable {
        let schemaVersion: Int
        let mox: String
        let status: String
        let reference: String
        let digest: String?
        let violations: Int
        let errors: [String]
        let arches: [Arch]
    }

    struct Arch: Encodable {
        let arch, platform, digest, status: String
        let checks: [Check]
        let warnings: [ViolationDoc]
    }

    struct Check: Encodable {
        let name, status: String
        let note: String?
        let violations: [ViolationDoc]
    }

    struct ViolationDoc: Encodable {
        let code, message, fix: String
        let details: [String]

        init(_ violation: Violation) {
            (code, message, fix, details) = (violation.code, violation.message, violation.fix, violation.details)
        }
    }

    // MARK: JUnit

    /// One test suite per arch, one test case per check.
    public static func junit(_ report: LintReport) -> String {
        let all = report.arches.flatMap(\.checks)
        let failed = all.filter { $0.status == .failed }.count, skipped = all.filter { $0.status == .skipped }.count
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        xml += #"<testsuites name="mox lint" tests="\#(all.count)" failures="\#(failed)" skipped="\#(skipped)">"# + "\n"
        for arch in report.arches {
            let archFailed = arch.checks.filter { $0.status == .failed }.count
            let archSkipped = arch.checks.filter { $0.status == .skipped }.count
            xml += #"  <testsuite name="\#(esc(arch.arch))" tests="\#(arch.checks.count)" failures="\#(archFailed)" skipped="\#(archSkipped)">"# + "\n"
            for check in arch.checks {
                xml += #"    <testcase classname="lint.\#(esc(arch.arch))" name="\#(esc(check.name.rawValue))">"#
                switch check.status {
                case .passed:
                    xml += "</testcase>\n"
                case .skipped:
                    xml += "\n      " + #"<skipped message="\#(esc(check.note ?? "not run"))"/>"# + "\n    </testcase>\n"
                case .failed:
                    let message = check.violations.map(\.message).joined(separator: "; ")
                    let body = check.violations.map { violation in
                        ([violation.message] + violation.details.map { "  " + $0 } + ["  fix: " + violation.fix]).joined(separator: "\n")
                    }.joined(separator: "\n") + "\n"
                    xml += "\n      " + #"<failure type="\#(esc(check.violations.first?.code ?? "failed"))" message="\#(esc(message))">"#
                        + esc(body) + "</failure>\n    </testcase>\n"
                }
            }
            if !arch.warnings.isEmpty {
                xml += "    <system-out>" + esc(arch.warnings.map { "warning: \($0.message) [\($0.code)]\n  fix: \($0.fix)\n" }.joined())
                    + "</system-out>\n"
            }
            xml += "  </testsuite>\n"
        }
        return xml + "</testsuites>\n"
    }

    /// A run that could not check: one errored test case saying why.
    public static func junit(_ error: LintError, reference: String) -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        xml += #"<testsuites name="mox lint" tests="1" failures="0" errors="1">"# + "\n"
        xml += #"  <testsuite name="inputs" tests="1" failures="0" errors="1">"# + "\n"
        xml += #"    <testcase classname="mox.\#(status(error))" name="\#(esc(reference))">"# + "\n"
        xml += "      " + #"<error type="\#(status(error))" message="\#(esc(error.problems.first ?? ""))">"#
            + esc(error.problems.joined(separator: "\n") + "\n") + "</error>\n    </testcase>\n"
        return xml + "  </testsuite>\n</testsuites>\n"
    }

    private static func esc(_ text: String) -> String { JUnitReport.escape(text) }
}
