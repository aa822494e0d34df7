// Reading the image spec's top-level documents (the value types are in the OCI module).
import Foundation
import OCI

/// The top-level document a reference names: an index or one manifest.
enum TopDocument {
    case index(ImageIndex)
    case manifest(ImageManifest)

    /// Reads `bytes` as an index or a manifest, by media type or, lacking one, by shape.
    static func decode(_ bytes: Data, reference: String) throws(ImageSourceError) -> TopDocument {
        struct Probe: Decodable {
            var schemaVersion: Int?
            var mediaType: String?
            var manifests: [Descriptor]?
            var layers: [Descriptor]?
        }
        let probe: Probe
        do { probe = try JSONDecoder().decode(Probe.self, from: bytes) } catch {
            throw .invalidDocument(reference: reference, what: "manifest", reason: "not JSON: \(error.localizedDescription)")
        }
        if probe.schemaVersion == 1 {
            throw .invalidDocument(reference: reference, what: "manifest",
                                   reason: "a Docker schema 1 manifest, which mox does not read; push the image again with a current tool")
        }
        do {
            if probe.manifests != nil || probe.mediaType == MediaType.ociIndex
                || probe.mediaType == MediaType.dockerManifestList {
                return .index(try JSONDecoder().decode(ImageIndex.self, from: bytes))
            }
            return .manifest(try JSONDecoder().decode(ImageManifest.self, from: bytes))
        } catch {
            throw .invalidDocument(reference: reference, what: "manifest", reason: decodingProblem(error))
        }
    }
}

/// A decoding failure as a sentence: which field, and what is wrong with it.
func decodingProblem(_ error: any Error) -> String {
    func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "the document" : "'" + keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".") + "'"
    }
    switch error as? DecodingError {
    case .keyNotFound(let key, let context)?: return "\(path(context.codingPath + [key])) is missing"
    case .typeMismatch(_, let context)?, .valueNotFound(_, let context)?: return "\(path(context.codingPath)) has the wrong type"
    case .dataCorrupted(let context)?: return "\(path(context.codingPath)) is not valid JSON"
    default: return error.localizedDescription
    }
}
