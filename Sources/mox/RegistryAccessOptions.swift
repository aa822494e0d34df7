import ArgumentParser
import ImageSource
import SystemPackage

/// How images are read from registries (`--base-image`, lint's image): TLS and credentials, shared
/// by every command that reads them.
struct RegistryAccessOptions: ParsableArguments {
    @Option(name: .customLong("tls-verify"), help: ArgumentHelp(
        "Verify registry TLS certificates (false: also allow plain HTTP, for a local registry).", valueName: "bool"))
    var tlsVerify = true

    @Option(name: .customLong("authfile"), help: ArgumentHelp(
        "Registry credentials from this auth file (as `skopeo login --authfile FILE` writes it), in place of "
            + "REGISTRY_AUTH_FILE and the default auth.json.", valueName: "file"))
    var authFile: String?

    /// The options as image reading takes them.
    var options: RegistryOptions { RegistryOptions(tlsVerify: tlsVerify, authFile: authFile.map { FilePath($0) }) }

    /// A missing or unreadable auth file is bad input, refused before any work.
    func validate() throws {
        do { try options.checkAuthFile() } catch { throw ValidationError("\(error)") }
    }
}
