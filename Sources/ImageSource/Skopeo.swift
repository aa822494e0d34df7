// skopeo does the transports: registries (auth files, certs.d, proxies), archives, containers storage.
import Foundation
import OCI
import SystemPackage

/// Runs skopeo for one reference.
struct Skopeo {
    let options: RegistryOptions

    /// The raw top-level document of `reference` (an index or a manifest), byte for byte.
    func rawManifest(_ reference: ImageReference) throws(ImageSourceError) -> Data {
        try run(["inspect", "--raw"] + flags(tls: "--tls-verify", auth: "--authfile") + [reference.description], for: reference)
    }

    /// The raw config of `reference` (of this machine's platform when the reference is an index).
    func rawConfig(_ reference: ImageReference) throws(ImageSourceError) -> Data {
        try run(["inspect", "--config", "--raw"] + flags(tls: "--tls-verify", auth: "--authfile") + [reference.description], for: reference)
    }

    /// Copies the image of `platform` to `directory` in skopeo's `dir:` format (manifest.json and one
    /// file per blob), keeping the manifest's bytes and the layers' compression as they are.
    func copy(_ reference: ImageReference, platform: Platform, to directory: FilePath) throws(ImageSourceError) {
        var arguments = ["copy", "--quiet", "--override-os", platform.os, "--override-arch", platform.architecture]
        if let variant = platform.variant { arguments += ["--override-variant", variant] }
        _ = try run(arguments + flags(tls: "--src-tls-verify", auth: "--src-authfile") + [reference.description, "dir:" + directory.string],
                    for: reference)
    }

    /// The TLS and auth file options under the names this skopeo command gives them.
    private func flags(tls: String, auth: String) -> [String] {
        (options.tlsVerify ? [] : ["\(tls)=false"]) + (options.authFile.map { [auth, $0.string] } ?? [])
    }

    /// Runs skopeo and returns what it printed; its complaint becomes the error.
    private func run(_ arguments: [String], for reference: ImageReference) throws(ImageSourceError) -> Data {
        // The one place images are read from registries: offline, none is.
        if options.offline && reference.transport == .docker { throw .offline(reference: reference.description) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["skopeo"] + arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw .skopeoMissing }
        // Both pipes are drained at once so a chatty skopeo never blocks on a full one.
        let stderrBox = DataBox()
        let drained = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            stderrBox.data = errors.fileHandleForReading.readDataToEndOfFile()
            drained.signal()
        }
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        drained.wait()
        process.waitUntilExit()
        guard process.terminationStatus != 0 else { return stdout }
        let message = Self.message(String(decoding: stderrBox.data, as: UTF8.self))
        if process.terminationStatus == 127 && message.contains("skopeo") { throw .skopeoMissing }
        let lowered = message.lowercased()
        // Checked first: some registries refuse a name they do not have as they refuse a stranger.
        if reference.transport == .docker, ["unauthorized", "authentication required", "access denied",
            "access to the resource is denied", "invalid username/password", "no basic auth credentials"]
            .contains(where: lowered.contains) {
            throw .unauthorized(reference: reference.description, host: reference.registryHost ?? reference.description,
                                authFile: options.authFile, message: message)
        }
        if ["manifest unknown", "no such file or directory", "no such image", "does not exist", "not found",
            "name unknown", "repository name not known", "identifier is not an image"].contains(where: lowered.contains) {
            throw .notFound(reference: reference.description, message: message)
        }
        throw .skopeo(reference: reference.description, message: message)
    }

    /// skopeo's error without its log prefix (`time="..." level=fatal msg="..."`).
    static func message(_ stderr: String) -> String {
        let lines = stderr.split(separator: "\n").map(String.init)
        let last = lines.last(where: { $0.contains("level=fatal") || $0.contains("level=error") }) ?? lines.last ?? ""
        if let start = last.range(of: "msg=\"") {
            var text = String(last[start.upperBound...])
            if text.hasSuffix("\"") { text.removeLast() }
            return text.replacingOccurrences(of: "\\\"", with: "\"")
        }
        return last.isEmpty ? "skopeo failed without a message" : last
    }
}

/// Bytes handed from the draining thread back to the caller.
private final class DataBox: @unchecked Sendable {
    var data = Data()
}
