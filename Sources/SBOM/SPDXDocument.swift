import Foundation

/// One RPM an image ships, as an SBOM describes it.
public struct SBOMPackage: Sendable, Hashable {
    public var name: String
    public var epoch: Int
    public var version: String
    public var release: String
    public var arch: String
    /// sha256 of the file, hex.
    public var sha256: String
    /// The source RPM's file name, when known.
    public var sourceRPM: String?
    /// The Vendor tag, when set.
    public var vendor: String?
    /// The repo id as the build system names it (the purl's `repository_id`).
    public var repositoryID: String

    public init(name: String, epoch: Int, version: String, release: String, arch: String, sha256: String,
                sourceRPM: String?, vendor: String?, repositoryID: String) {
        self.name = name
        self.epoch = epoch
        self.version = version
        self.release = release
        self.arch = arch
        self.sha256 = sha256
        self.sourceRPM = sourceRPM
        self.vendor = vendor
        self.repositoryID = repositoryID
    }

    /// `name-[E:]V-R.arch`.
    public var nevra: String { "\(name)-\(evr).\(arch)" }
    var evr: String { (epoch == 0 ? "" : "\(epoch):") + "\(version)-\(release)" }
}

/// One extension and the packages it lists or pulled in (by `nevra`).
public struct SBOMExtension: Sendable, Hashable {
    public var name: String
    /// NEVRAs the extension lists.
    public var listed: [String]
    /// NEVRAs it pulled in, each with the listed specs whose dependency chains reach it.
    public var dependencies: [String: [String]]

    public init(name: String, listed: [String], dependencies: [String: [String]]) {
        self.name = name
        self.listed = listed
        self.dependencies = dependencies
    }
}

/// What one arch's image ships: the subject of one SPDX document.
public struct SBOMSubject: Sendable {
    public var arch: String
    /// The arch's state digest (`sha256:...`): the image's identity, and its version in the SBOM.
    public var stateDigest: String
    public var packages: [SBOMPackage]
    public var extensions: [SBOMExtension]

    public init(arch: String, stateDigest: String, packages: [SBOMPackage], extensions: [SBOMExtension]) {
        self.arch = arch
        self.stateDigest = stateDigest
        self.packages = packages
        self.extensions = extensions
    }
}

/// SPDX 2.3 JSON documents of extensions images: the image (per arch, or the multi-arch index)
/// CONTAINS every RPM it ships and every extension; each extension DEPENDS_ON the RPMs it lists
/// or pulled in (the relationship's comment says which). Deterministic: no clock, no random
/// ids; the namespace comes from the state digest, the time from the tree's.
public enum SPDXDocument {
    /// The name the documents give the image.
    public static let imageName = "machine-os-extensions"

    /// The document of one arch's image.
    public static func document(for subject: SBOMSubject, created: Int64, tool: String) -> Data {
        var builder = Builder()
        let image = builder.image(subject)
        return builder.document(name: "\(imageName)-\(subject.arch)", namespace: "\(subject.arch)-\(hex(subject.stateDigest))",
                                describing: image, created: created, tool: tool)
    }

    /// The document of a multi-arch image index: the index CONTAINS each arch's image, described as above.
    public static func index(of subjects: [SBOMSubject], stateDigest: String, created: Int64, tool: String) -> Data {
        var builder = Builder()
        let root = "SPDXRef-Image-index"
        builder.packages.append(Package(SPDXID: root, name: imageName, versionInfo: stateDigest,
                                        primaryPackagePurpose: "CONTAINER",
                                        comment: "the multi-arch image index of the extensions images"))
        for subject in subjects.sorted(by: { $0.arch < $1.arch }) {
            let image = builder.image(subject)
            builder.relationships.append(Relationship(root, "CONTAINS", image))
        }
        return builder.document(name: "\(imageName)-index", namespace: "index-\(hex(stateDigest))", describing: root,
                                created: created, tool: tool)
    }

    /// Packages and relationships, with SPDX ids unique in the document.
    struct Builder {
        var packages: [Package] = []
        var relationships: [Relationship] = []
        private var used = Set<String>()
        /// RPMs already in the document (by NEVRA and sha256): one package each, whichever images ship it.
        private var rpms: [String: String] = [:]

        /// The document of what was added, describing `root` (encoded, keys sorted).
        func document(name: String, namespace unique: String, describing root: String, created: Int64, tool: String) -> Data {
            encode(Document(
                name: name,
                documentNamespace: namespace(unique),
                creationInfo: CreationInfo(created: timestamp(created), creators: ["Tool: \(tool)"]),
                packages: packages,
                relationships: [Relationship("SPDXRef-DOCUMENT", "DESCRIBES", root)] + relationships))
        }

        /// Adds one arch's image, its RPMs and extensions; returns the image's id.
        mutating func image(_ subject: SBOMSubject) -> String {
            let image = id("SPDXRef-Image-\(subject.arch)")
            packages.append(Package(SPDXID: image, name: "\(imageName)-\(subject.arch)", versionInfo: subject.stateDigest,
                                    primaryPackagePurpose: "CONTAINER",
                                    comment: "the extensions image of \(subject.arch): an rpm-md repository at "
                                        + "usr/share/rpm-ostree/extensions/"))
            var byNEVRA: [String: String] = [:]
            for rpm in subject.packages.sorted(by: { ($0.nevra, $0.sha256) < ($1.nevra, $1.sha256) }) {
                let key = "\(rpm.nevra) \(rpm.sha256)"
                let rpmID: String
                if let known = rpms[key] { rpmID = known } else {
                    rpmID = id("SPDXRef-RPM-\(rpm.nevra)")
                    rpms[key] = rpmID
                    packages.append(Package(rpm, id: rpmID))
                }
                byNEVRA[rpm.nevra] = rpmID
                relationships.append(Relationship(image, "CONTAINS", rpmID))
            }
            for ext in subject.extensions.sorted(by: { $0.name < $1.name }) {
                let extID = id("SPDXRef-Extension-\(subject.arch)-\(ext.name)")
                packages.append(Package(SPDXID: extID, name: ext.name, versionInfo: nil, primaryPackagePurpose: "OTHER",
                                        comment: "the extension '\(ext.name)': extensions/\(ext.name)/ in the image"))
                relationships.append(Relationship(image, "CONTAINS", extID))
                for nevra in ext.listed.sorted() {
                    guard let rpm = byNEVRA[nevra] else { continue }
                    relationships.append(Relationship(extID, "DEPENDS_ON", rpm, comment: "listed by the extension"))
                }
                for (nevra, pulledBy) in ext.dependencies.sorted(by: { $0.key < $1.key }) {
                    guard let rpm = byNEVRA[nevra] else { continue }
                    let by = pulledBy.isEmpty ? "" : " for " + pulledBy.map { "'\($0)'" }.joined(separator: ", ")
                    relationships.append(Relationship(extID, "DEPENDS_ON", rpm, comment: "dependency pulled in\(by)"))
                }
            }
            return image
        }

        /// `wanted` made a valid SPDX id (letters, digits, `.` and `-`), unique in the document.
        private mutating func id(_ wanted: String) -> String {
            let base = String(wanted.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") ? $0 : "-" })
            var candidate = base
            var n = 2
            while !used.insert(candidate).inserted {
                candidate = "\(base)-\(n)"
                n += 1
            }
            return candidate
        }
    }

    struct Document: Encodable {
        var spdxVersion = "SPDX-2.3"
        var dataLicense = "CC0-1.0"
        var SPDXID = "SPDXRef-DOCUMENT"
        var name: String
        var documentNamespace: String
        var creationInfo: CreationInfo
        var packages: [Package]
        var relationships: [Relationship]
    }

    struct CreationInfo: Encodable {
        var created: String
        var creators: [String]
    }

    struct Package: Encodable {
        var SPDXID: String
        var name: String
        var versionInfo: String?
        var supplier: String = "NOASSERTION"
        var downloadLocation = "NOASSERTION"
        var filesAnalyzed = false
        var licenseConcluded = "NOASSERTION"
        var licenseDeclared = "NOASSERTION"
        var copyrightText = "NOASSERTION"
        var checksums: [Checksum]?
        var externalRefs: [ExternalRef]?
        var sourceInfo: String?
        var primaryPackagePurpose: String?
        var comment: String?

        init(SPDXID: String, name: String, versionInfo: String?, primaryPackagePurpose: String?, comment: String?) {
            self.SPDXID = SPDXID
            self.name = name
            self.versionInfo = versionInfo
            self.primaryPackagePurpose = primaryPackagePurpose
            self.comment = comment
        }

        init(_ rpm: SBOMPackage, id: String) {
            SPDXID = id
            name = rpm.name
            versionInfo = rpm.evr
            if let vendor = rpm.vendor { supplier = "Organization: \(vendor)" }
            checksums = [Checksum(algorithm: "SHA256", checksumValue: rpm.sha256)]
            externalRefs = [ExternalRef(referenceCategory: "PACKAGE-MANAGER", referenceType: "purl",
                                        referenceLocator: RPMPurl.purl(
                                            name: rpm.name, epoch: rpm.epoch, version: rpm.version, release: rpm.release,
                                            arch: rpm.arch, vendor: rpm.vendor, repositoryID: rpm.repositoryID))]
            sourceInfo = rpm.sourceRPM.map { "built from the source RPM \($0)" }
            comment = "\(rpm.nevra).rpm from repo \(rpm.repositoryID)"
        }
    }

    struct Checksum: Encodable {
        var algorithm: String
        var checksumValue: String
    }

    struct ExternalRef: Encodable {
        var referenceCategory: String
        var referenceType: String
        var referenceLocator: String
    }

    struct Relationship: Encodable {
        var spdxElementId: String
        var relationshipType: String
        var relatedSpdxElement: String
        var comment: String?

        init(_ element: String, _ type: String, _ related: String, comment: String? = nil) {
            spdxElementId = element
            relationshipType = type
            relatedSpdxElement = related
            self.comment = comment
        }
    }

    /// A namespace URI unique to the document's content (SPDX asks for one URI per document).
    static func namespace(_ unique: String) -> String {
        "https://spdx.org/spdxdocs/\(imageName)-\(unique)"
    }

    static func hex(_ digest: String) -> String {
        digest.hasPrefix("sha256:") ? String(digest.dropFirst(7)) : digest
    }

    /// SPDX's `YYYY-MM-DDThh:mm:ssZ`.
    static func timestamp(_ seconds: Int64) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
    }

    static func encode(_ document: Document) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // Strings, bools and arrays of them: encoding cannot fail.
        var data = (try? encoder.encode(document)) ?? Data("{}".utf8)
        data.append(0x0A)
        return data
    }
}
