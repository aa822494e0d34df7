// What the config must say: the labels image-stream discovery looks for, and a command podman
// create accepts.
import ImageContract

extension ArchLinter {
    /// Both labels: `io.openshift.os.extensions=true` and a stream class.
    func labels() -> ContractCheck {
        let labels = image.config.config?.Labels ?? [:]
        var found: [Violation] = []
        switch labels[ExtensionsImage.extensionsLabel] {
        case "true"?:
            break
        case let value?:
            found.append(violation(
                "label-extensions-not-true", "the label \(ExtensionsImage.extensionsLabel) is '\(value)', not 'true'",
                fix: "set \(ExtensionsImage.extensionsLabel)=true (LABEL in a Containerfile; mox sets it always)"))
        case nil:
            found.append(violation(
                "label-extensions-missing",
                "the config has no label \(ExtensionsImage.extensionsLabel); the MCO does not take it for an extensions image",
                fix: "set \(ExtensionsImage.extensionsLabel)=true (LABEL in a Containerfile; mox sets it always)"))
        }
        let stream = labels[ExtensionsImage.streamClassLabel]
        if stream?.isEmpty ?? true {
            found.append(violation(
                "label-streamclass-missing",
                "the config has no label \(ExtensionsImage.streamClassLabel)"
                    + (stream == nil ? "" : " value") + "; the MCO's image-stream discovery skips the image without it",
                fix: "set \(ExtensionsImage.streamClassLabel) to the OS stream it serves (mox compose --stream-class rhel-9)"))
        }
        return ContractCheck(.labels, violations: found, note: found.isEmpty
            ? "\(ExtensionsImage.extensionsLabel)=true, \(ExtensionsImage.streamClassLabel)=\(stream ?? "")" : nil)
    }

    /// A command or an entrypoint: `podman create` refuses an image with neither.
    func command() -> ContractCheck {
        let settings = image.config.config
        let command = (settings?.Entrypoint ?? []) + (settings?.Cmd ?? [])
        guard command.isEmpty else {
            return ContractCheck(.command, violations: [], note: command.joined(separator: " "))
        }
        return ContractCheck(.command, violations: [violation(
            "no-command",
            "the config has no Cmd or Entrypoint: the MCO's `podman create` fails with \"no command or entrypoint provided\"",
            fix: "give the image a command it never runs, e.g. CMD [\"/bin/false\"] (mox writes that one)")])
    }
}
