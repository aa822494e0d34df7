internal import CModulemd
import Solv

/// One module stream build (`name:stream:version:context.arch`) as a repo's modules.yaml lists it.
public struct ModuleStream: Sendable, Hashable, Codable {
    public let name: String
    public let stream: String
    public let version: UInt64
    public let context: String
    public let arch: String
    /// Whether the context is the packager's own (modulemd v3 / `static_context`), not a build hash.
    public let staticContext: Bool
    /// The RPMs the build made, as `name-epoch:version-release.arch`.
    public let artifacts: [String]
    /// Profile name -> RPM names it installs.
    public let profiles: [String: [String]]
    /// Runtime module dependencies, one mapping per `dependencies` entry: module -> streams
    /// (`-stream` excludes a stream; no streams: any).
    public let requires: [[String: [String]]]
    /// RPM names that left the module and are no longer filtered by it.
    public let demodularized: [String]
    /// The repo whose modules.yaml lists it.
    public internal(set) var repo: String

    /// `name:stream`.
    public var nameStream: String { "\(name):\(stream)" }
}

/// Every module stream and default of a set of repos.
public struct ModuleMetadata: Sendable, Codable {
    /// Streams in the order read, each NSVCA once.
    public var streams: [ModuleStream] = []
    /// Module -> its default stream (modulemd-defaults `stream`).
    public var defaultStreams: [String: String] = [:]
    /// Module -> stream -> default profiles.
    public var defaultProfiles: [String: [String: [String]]] = [:]

    public init() {}

    /// Whether no repo had module metadata.
    public var isEmpty: Bool { streams.isEmpty }

    /// Adds what the modules.yaml at `path` (compressed or not) of repo `repo` holds.
    public mutating func add(file path: String, repo: String) throws(ModuleMetadataError) {
        guard let index = modulemd_module_index_new() else {
            throw .invalid(path: path, reason: "libmodulemd could not allocate an index")
        }
        defer { mox_object_unref(UnsafeMutableRawPointer(index)) }
        // Decompressed here (libsolv knows every repo compression): libmodulemd's own detection
        // loads libmagic's whole database, which costs more than reading the file.
        let yaml: String
        do {
            yaml = String(decoding: try Pool.decompressedContents(of: path), as: UTF8.self)
        } catch {
            throw .invalid(path: path, reason: "\(error)")
        }
        var failures: UnsafeMutablePointer<GPtrArray>? = nil
        var error: UnsafeMutablePointer<GError>? = nil
        let read = modulemd_module_index_update_from_string(index, yaml, 0, &failures, &error)
        defer {
            if let failures { g_ptr_array_unref(failures) }
            mox_error_free(error)
        }
        guard read != 0, error == nil else {
            let reason = error.map { String(cString: mox_error_message($0)) }
                ?? Self.firstFailure(failures) ?? "not valid module metadata"
            throw .invalid(path: path, reason: reason)
        }
        var upgradeError: UnsafeMutablePointer<GError>? = nil
        defer { mox_error_free(upgradeError) }
        // Older v1 streams read as v2, as libdnf reads them.
        guard modulemd_module_index_upgrade_streams(index, MD_MODULESTREAM_VERSION_TWO, &upgradeError) != 0 else {
            throw .invalid(path: path, reason: upgradeError.map { String(cString: mox_error_message($0)) } ?? "cannot upgrade streams")
        }
        let known = Set(streams.map(\.identity))
        for moduleName in Self.strings(modulemd_module_index_get_module_names_as_strv(index), free: true) {
            guard let module = modulemd_module_index_get_module(index, moduleName) else { continue }
            let all = modulemd_module_get_all_streams(module)
            for i in 0..<mox_ptr_array_count(all) {
                let raw = mox_ptr_array_at(all, i).assumingMemoryBound(to: ModulemdModuleStream.self)
                guard let v2 = mox_md_stream_v2(raw) else { continue }
                let stream = Self.stream(raw, v2, repo: repo)
                if !known.contains(stream.identity) { streams.append(stream) }
            }
            if let defaults = mox_md_defaults_v1(modulemd_module_get_defaults(module)) {
                if let stream = modulemd_defaults_v1_get_default_stream(defaults, nil) {
                    defaultStreams[moduleName] = String(cString: stream)
                }
                let withProfiles = Self.strings(
                    modulemd_defaults_v1_get_streams_with_default_profiles_as_strv(defaults, nil), free: true)
                for streamName in withProfiles {
                    defaultProfiles[moduleName, default: [:]][streamName] = Self.strings(
                        modulemd_defaults_v1_get_default_profiles_for_stream_as_strv(defaults, streamName, nil),
                        free: true)
                }
            }
        }
    }

    private static func stream(_ raw: UnsafeMutablePointer<ModulemdModuleStream>,
                               _ v2: OpaquePointer, repo: String) -> ModuleStream {
        let text = { (value: UnsafePointer<CChar>?) in value.map { String(cString: $0) } ?? "" }
        var profiles: [String: [String]] = [:]
        for name in strings(modulemd_module_stream_v2_get_profile_names_as_strv(v2), free: true) {
            if let profile = modulemd_module_stream_v2_get_profile(v2, name) {
                profiles[name] = strings(modulemd_profile_get_rpms_as_strv(profile), free: true)
            }
        }
        var requires: [[String: [String]]] = []
        let dependencies = modulemd_module_stream_v2_get_dependencies(v2)
        for i in 0..<mox_ptr_array_count(dependencies) {
            let entry = OpaquePointer(mox_ptr_array_at(dependencies, i))
            var runtime: [String: [String]] = [:]
            for module in strings(modulemd_dependencies_get_runtime_modules_as_strv(entry), free: true) {
                runtime[module] = strings(modulemd_dependencies_get_runtime_streams_as_strv(entry, module), free: true)
            }
            requires.append(runtime)
        }
        let arch = text(modulemd_module_stream_get_arch(raw))
        return ModuleStream(
            name: text(modulemd_module_stream_get_module_name(raw)),
            stream: text(modulemd_module_stream_get_stream_name(raw)),
            version: UInt64(modulemd_module_stream_get_version(raw)),
            context: text(modulemd_module_stream_get_context(raw)),
            arch: arch.isEmpty ? "noarch" : arch,
            staticContext: modulemd_module_stream_v2_is_static_context(v2) != 0,
            artifacts: strings(modulemd_module_stream_v2_get_rpm_artifacts_as_strv(v2), free: true),
            profiles: profiles, requires: requires,
            demodularized: strings(modulemd_module_stream_v2_get_demodularized_rpms(v2), free: true),
            repo: repo)
    }

    /// The strings of a NULL-terminated `char **`, freeing it (g_strfreev) when asked.
    private static func strings(_ list: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, free: Bool) -> [String] {
        guard let list else { return [] }
        defer { if free { g_strfreev(list) } }
        var out: [String] = []
        var i = 0
        while let item = list[i] {
            out.append(String(cString: item))
            i += 1
        }
        return out
    }

    private static func firstFailure(_ failures: UnsafeMutablePointer<GPtrArray>?) -> String? {
        guard let failures, mox_ptr_array_count(failures) > 0 else { return nil }
        let info = OpaquePointer(mox_ptr_array_at(failures, 0))
        guard let gerror = modulemd_subdocument_info_get_gerror(info) else { return nil }
        return String(cString: mox_error_message(UnsafeMutablePointer(mutating: gerror)))
    }
}

extension ModuleStream {
    /// `name:stream:version:context.arch`, the identity of one build.
    var identity: String { "\(name):\(stream):\(version):\(context).\(arch)" }
}

/// Why a repo's module metadata could not be read.
public enum ModuleMetadataError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libmodulemd rejected the file.
    case invalid(path: String, reason: String)

    public var description: String {
        switch self {
        case let .invalid(path, reason): "cannot read module metadata \(path): \(reason)"
        }
    }
}
