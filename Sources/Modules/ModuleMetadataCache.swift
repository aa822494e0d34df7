import Foundation
import SystemPackage

extension ModuleMetadata {
    /// The metadata of one repo's modules.yaml, through a cache file: libmodulemd takes about
    /// 15 ms per 100 KB of YAML (real AppStreams have megabytes), so a warm run reads what it
    /// found before from `cache` (named by the caller after the repomd.xml checksum) instead.
    /// A missing or unreadable cache is rebuilt; nil reads the YAML every time.
    public static func read(file: FilePath, repo: String, cache: FilePath?) throws(ModuleMetadataError) -> ModuleMetadata {
        if let cache, let data = FileManager.default.contents(atPath: cache.string),
           let cached = try? JSONDecoder().decode(CacheFile.self, from: data), cached.version == CacheFile.current {
            var metadata = cached.metadata
            for i in metadata.streams.indices { metadata.streams[i].repo = repo }
            return metadata
        }
        var metadata = ModuleMetadata()
        try metadata.add(file: file.string, repo: repo)
        if let cache, let data = try? JSONEncoder().encode(CacheFile(version: CacheFile.current, metadata: metadata)) {
            // A cache that cannot be written only costs the next run a parse.
            try? FileManager.default.createDirectory(atPath: cache.removingLastComponent().string,
                                                     withIntermediateDirectories: true)
            try? data.write(to: URL(fileURLWithPath: cache.string), options: .atomic)
        }
        return metadata
    }

    /// Adds another repo's streams (each build once) and defaults.
    public mutating func merge(_ other: ModuleMetadata) {
        let known = Set(streams.map(\.identity))
        streams += other.streams.filter { !known.contains($0.identity) }
        defaultStreams.merge(other.defaultStreams) { first, _ in first }
        defaultProfiles.merge(other.defaultProfiles) { first, _ in first }
    }

    /// What a cache file holds; `version` changes when the shape does.
    private struct CacheFile: Codable {
        static let current = 1
        let version: Int
        let metadata: ModuleMetadata
    }
}
