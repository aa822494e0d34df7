// Image references in the transports skopeo reads: `transport:details`, as `skopeo copy` takes them.
import Foundation
import SystemPackage

/// A reference to an image, in one of the transports skopeo reads.
public struct ImageReference: Sendable, Hashable, CustomStringConvertible {
    /// Where the image lives.
    public enum Transport: String, Sendable, CaseIterable {
        /// An OCI image layout directory: `oci:DIR[:TAG]`.
        case oci
        /// A tar archive of an OCI image layout: `oci-archive:FILE[:TAG]`.
        case ociArchive = "oci-archive"
        /// A `docker save` archive: `docker-archive:FILE[:NAME:TAG]`.
        case dockerArchive = "docker-archive"
        /// A registry: `docker://REGISTRY/NAME[:TAG|@sha256:...]`.
        case docker
        /// The local containers storage of podman and buildah: `containers-storage:NAME`.
        case containersStorage = "containers-storage"
        /// A directory written by `skopeo copy ... dir:DIR`.
        case dir
    }

    /// The transport.
    public let transport: Transport
    /// Everything after `transport:` (after `docker://` for registries).
    public let details: String

    /// Parses `text` as skopeo would (`oci:layout:tag`, `docker://quay.io/org/name@sha256:...`).
    public init(parsing text: String) throws(ImageSourceError) {
        guard let colon = text.firstIndex(of: ":"),
              let transport = Transport(rawValue: String(text[..<colon])) else {
            throw .invalidReference(text, reason: "no transport; write it as skopeo does: "
                + "docker://REGISTRY/NAME:TAG, oci:DIR[:TAG], oci-archive:FILE, docker-archive:FILE, "
                + "containers-storage:NAME or dir:DIR")
        }
        var details = text[text.index(after: colon)...]
        if transport == .docker {
            guard details.hasPrefix("//") else {
                throw .invalidReference(text, reason: "a registry reference starts with docker:// (docker://\(details))")
            }
            details = details.dropFirst(2)
        }
        guard !details.isEmpty else { throw .invalidReference(text, reason: "nothing after '\(transport.rawValue):'") }
        self.transport = transport
        self.details = String(details)
    }

    /// The reference as skopeo takes it.
    public var description: String {
        transport == .docker ? "docker://\(details)" : "\(transport.rawValue):\(details)"
    }

    /// The directory of a reference whose blobs are already local files (`oci:` and `dir:`), else nil.
    public var localDirectory: FilePath? {
        switch transport {
        case .oci: FilePath(String(details.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)[0]))
        case .dir: FilePath(details)
        default: nil
        }
    }

    /// For `oci:DIR:TAG`, the tag (nil: the layout's only image).
    public var layoutTag: String? {
        guard transport == .oci else { return nil }
        let parts = details.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[1].isEmpty ? String(parts[1]) : nil
    }

    /// The image's name where others can pull it (`quay.io/org/name:tag`), for
    /// `org.opencontainers.image.base.name`: registry references and registry names in containers
    /// storage. nil for local files and directories, which are not shipped.
    public var registryName: String? {
        switch transport {
        case .docker:
            return details
        case .containersStorage:
            var name = Substring(details)
            if name.hasPrefix("["), let close = name.firstIndex(of: "]") { name = name[name.index(after: close)...] }
            guard name.contains("/"), !name.hasPrefix("localhost/") else { return nil }
            return String(name)
        default:
            return nil
        }
    }

    /// The registry a registry reference names (`quay.io`, `127.0.0.1:5000`; `docker.io` when the
    /// name has no registry part, as skopeo reads it), the host `skopeo login` takes; nil for other transports.
    public var registryHost: String? {
        guard transport == .docker else { return nil }
        let first = details.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)[0]
        guard details.contains("/"), first.contains(".") || first.contains(":") || first == "localhost" else { return "docker.io" }
        return String(first)
    }

    /// A registry reference's repository without tag or digest (`quay.io/org/name`), to address one
    /// manifest of it by digest; nil for other transports.
    public var repository: String? {
        guard transport == .docker else { return nil }
        var name = Substring(details)
        if let at = name.firstIndex(of: "@") { name = name[..<at] }
        if let colon = name.lastIndex(of: ":"), !name[colon...].contains("/") { name = name[..<colon] }
        return String(name)
    }

    /// The same registry repository pinned to `digest`; nil for other transports.
    public func pinned(to digest: String) -> ImageReference? {
        guard let repository else { return nil }
        return try? ImageReference(parsing: "docker://\(repository)@\(digest)")
    }
}

/// How skopeo reaches registries. Auth files (`REGISTRY_AUTH_FILE`, `auth.json`), `certs.d` and
/// `SSL_CERT_FILE` are read by skopeo itself, from the containers configuration the user already has.
public struct RegistryOptions: Sendable, Hashable {
    /// false: accept any certificate and plain HTTP (`--tls-verify=false`), for a local registry.
    public var tlsVerify: Bool
    /// `--offline`: registries are not contacted at all; local transports still work.
    public var offline: Bool
    /// `--authfile`: the auth file skopeo reads credentials from, in place of `REGISTRY_AUTH_FILE`
    /// and the default `auth.json`.
    public var authFile: FilePath?

    /// Options as skopeo's defaults, or with TLS verification off, or another auth file.
    public init(tlsVerify: Bool = true, offline: Bool = false, authFile: FilePath? = nil) {
        self.tlsVerify = tlsVerify
        self.offline = offline
        self.authFile = authFile
    }

    /// Checks, before any work, that the auth file is a readable JSON object (skopeo would quietly
    /// ignore a missing one and report only that the registry refused access).
    public func checkAuthFile() throws(ImageSourceError) {
        guard let authFile else { return }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: authFile.string, isDirectory: &isDirectory) else {
            throw .authFile(authFile, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw .authFile(authFile, reason: "a directory, not an auth file") }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: authFile.string)) } catch {
            throw .authFile(authFile, reason: "cannot be read: \(error.localizedDescription)")
        }
        guard (try? JSONSerialization.jsonObject(with: data)) is [String: Any] else {
            throw .authFile(authFile, reason: "not a JSON object as containers-auth.json describes ({\"auths\": {...}})")
        }
    }
}
