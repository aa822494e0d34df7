import ArgumentParser
import ImageSource
import SystemPackage

/// `--authfile`, shared by every command that reads images from registries.
struct AuthFileOption: ParsableArguments {
    @Option(name: .customLong("authfile"), help: ArgumentHelp(
        "Registry credentials from this auth file (as `skopeo login --authfile FILE` writes it), in place of "
            + "REGISTRY_AUTH_FILE and the default auth.json.", valueName: "file"))
    var authFile: String?

    /// The auth file as a path, nil when not given.
    var path: FilePath? { authFile.map { FilePath($0) } }

    /// A missing or unreadable auth file is bad input, refused before any work.
    func validate() throws {
        do { try RegistryOptions(authFile: path).checkAuthFile() } catch { throw ValidationError("\(error)") }
    }
}
