import Foundation
import Resolve
import Solv

/// The report for machines; the schema is documented in docs/check-json.md.
public enum JSONReport {
    /// Bumped on any incompatible change to the document's shape.
    public static let schemaVersion = 1

    /// Renders `report` as pretty-printed JSON with sorted keys (stable for diffs), written as
    /// it is walked: a report of thousands of packages builds no tree of values first.
    public static func render(_ report: CheckReport) -> String {
        let counts = report.counts
        return document(report.moxVersion, report.manifestPath, report.baseSource,
                        status: report.failed ? "failed" : "ok", errors: [],
                        summary: (counts.resolved, counts.skipped, counts.failed)) { json in
            json.array(report.arches) { json, arch in
                json.object { json in
                    json.member("arch", arch.arch)
                    if let image = arch.baseImage {
                        // The image a `--base-image` base was read from.
                        json.member("baseImage") { json in
                            json.object { json in
                                json.member("digest", image.digest)
                                json.member("name", image.name)
                                json.member("reference", image.reference)
                            }
                        }
                    }
                    json.member("basePackages", arch.basePackageCount)
                    json.member("extensions") { json in json.array(arch.extensions, write) }
                    // Problems of the arch as a whole (the lock disagrees with the repos or the base).
                    json.member("failures") { json in json.array(arch.failures, write) }
                    json.member("repos") { json in
                        json.array(arch.repos) { json, repo in
                            json.object { json in
                                json.member("baseurl", repo.baseURL)
                                json.member("id", repo.id)
                                json.member("packages", repo.packages)
                                json.member("repomdSha256", repo.repomdChecksum)
                                json.member("revision", repo.revision)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Renders a run that could not check (exit 2 or 3): the same document with no arches and
    /// every error, so pipelines always get JSON.
    public static func render(_ failed: CheckFailureReport) -> String {
        document(failed.moxVersion, failed.manifestPath, failed.baseSource, status: failed.status,
                 errors: failed.error.problems, summary: (0, 0, 0)) { json in json.array([String]()) }
    }

    /// The top-level object; `arches` writes the value of its `arches` member.
    private static func document(_ mox: String, _ manifest: String, _ base: String, status: String,
                                 errors: [InputProblem], summary: (resolved: Int, skipped: Int, failed: Int),
                                 arches: (inout JSONWriter) -> Void) -> String {
        var json = JSONWriter()
        json.object { json in
            json.member("arches", arches)
            json.member("base", base)
            json.member("errors") { json in
                json.array(errors) { json, problem in
                    json.object { json in
                        json.member("column", problem.column == 0 ? nil : problem.column)
                        json.member("file", problem.file)
                        json.member("key", problem.key)
                        json.member("line", problem.line == 0 ? nil : problem.line)
                        json.member("message", problem.message)
                    }
                }
            }
            json.member("manifest", manifest)
            json.member("mox", mox)
            json.member("schemaVersion", schemaVersion)
            json.member("status", status)
            json.member("summary") { json in
                json.object { json in
                    json.member("failed", summary.failed)
                    json.member("resolved", summary.resolved)
                    json.member("skipped", summary.skipped)
                }
            }
        }
        return String(decoding: json.bytes, as: UTF8.self) + "\n"
    }

    private static func write(_ json: inout JSONWriter, _ result: ExtensionResult) {
        json.object { json in
            json.member("failures") { json in json.array(result.failures, write) }
            json.member("kind", result.kind)
            json.member("name", result.name)
            json.member("note", result.note)
            json.member("packages") { json in json.array(result.packages, write) }
            json.member("status", result.status.rawValue)
            json.member("warnings", result.warnings)
        }
    }

    private static func write(_ json: inout JSONWriter, _ failure: Failure) {
        json.object { json in
            json.member("details", failure.details)
            json.member("kind", failure.kind.rawValue)
            json.member("message", failure.message)
            json.member("solutions") { json in json.array(failure.solutions) { $0.array($1) } }
        }
    }

    /// Pretty-printed JSON with sorted keys and a final newline, through JSONEncoder: for small
    /// documents (lint's), where building them first costs nothing.
    static func encode<T: Encodable>(_ document: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(document)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    private static func write(_ json: inout JSONWriter, _ resolved: ResolvedPackage) {
        let package = resolved.package
        let nevra = package.nevra
        json.object { json in
            json.member("arch", nevra.arch)
            json.member("checksum", package.checksum.map { "\($0.algorithm):\($0.hex)" })
            json.member("epoch", nevra.epoch ?? 0)
            json.member("evr", nevra.evr)
            json.member("location", package.location)
            json.member("match", resolved.match)
            json.member("name", nevra.name)
            json.member("nevra", nevra.description)
            json.member("pulledBy", resolved.pulledBy)
            json.member("release", nevra.release)
            json.member("repo", package.repo)
            json.member("role", resolved.role.rawValue)
            json.member("size", package.size)
            json.member("version", nevra.version)
        }
    }
}
