// What an image says about itself: platform, time, labels, annotations, history.
import ImageContract

/// The metadata of one per-architecture image.
public struct ImageSpec: Sendable, Hashable {
    /// The architecture as rpm names it (`x86_64`, `aarch64`, `ppc64le`, `s390x`).
    public var arch: String
    /// Creation time in seconds since the epoch: `SOURCE_DATE_EPOCH`, or a time derived from the inputs.
    public var created: Int64
    /// `org.opencontainers.image.version`.
    public var version: String?
    /// `org.opencontainers.image.title`.
    public var title: String?
    /// `org.opencontainers.image.description`.
    public var description: String?
    /// `org.opencontainers.image.base.name`: the base image by reference, when known.
    public var baseName: String?
    /// `org.opencontainers.image.base.digest`: the base image by digest, when known.
    public var baseDigest: String?
    /// Config labels in addition to `io.openshift.os.extensions=true`, which is always set.
    public var labels: [String: String]
    /// Manifest annotations in addition to the `org.opencontainers.image.*` ones above.
    public var annotations: [String: String]
    /// The one history entry's `created_by`.
    public var createdBy: String
    /// The one history entry's `comment`, if any.
    public var comment: String?

    public init(
        arch: String, created: Int64, version: String? = nil, title: String? = nil, description: String? = nil,
        baseName: String? = nil, baseDigest: String? = nil, labels: [String: String] = [:],
        annotations: [String: String] = [:], createdBy: String = "mox compose", comment: String? = nil
    ) {
        self.arch = arch
        self.created = created
        self.version = version
        self.title = title
        self.description = description
        self.baseName = baseName
        self.baseDigest = baseDigest
        self.labels = labels
        self.annotations = annotations
        self.createdBy = createdBy
        self.comment = comment
    }

    /// The config labels: the caller's, with the extensions label always `true`.
    var allLabels: [String: String] {
        labels.merging([ExtensionsImage.extensionsLabel: "true"]) { _, ours in ours }
    }

    /// The manifest annotations: the caller's, overridden by the ones this spec names.
    var allAnnotations: [String: String] {
        var all = annotations
        all["org.opencontainers.image.created"] = rfc3339(created)
        let named: [(String, String?)] = [
            ("org.opencontainers.image.version", version),
            ("org.opencontainers.image.title", title),
            ("org.opencontainers.image.description", description),
            ("org.opencontainers.image.base.name", baseName),
            ("org.opencontainers.image.base.digest", baseDigest),
        ]
        for case let (key, value?) in named { all[key] = value }
        return all
    }
}

/// `seconds` since the epoch as RFC 3339 in UTC (`1970-01-01T00:00:00Z`), without the clock or TZ.
func rfc3339(_ seconds: Int64) -> String {
    let days = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400
    let time = seconds - days * 86400
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let mp = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    func pad(_ n: Int64, _ width: Int) -> String {
        let digits = String(n)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
    return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(time / 3600, 2)):\(pad(time % 3600 / 60, 2)):\(pad(time % 60, 2))Z"
}
