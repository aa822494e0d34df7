// What can go wrong writing a layer or a layout, with the C library's or the system's own words.

/// Errors from writing a layer tarball or an OCI image layout.
public enum ImageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// libarchive failed; `operation` is what we asked of it, `code` its return code, `message` its error text.
    case archive(operation: String, code: Int32, message: String)
    /// The compressor (zlib, libzstd) failed; `message` is its own error text.
    case compression(format: String, operation: String, message: String)
    /// A system call on `path` failed; `reason` is the strerror text.
    case io(path: String, operation: String, reason: String)
    /// Two sources put different things at the same path in the layer.
    case duplicatePath(String)
    /// A path in the layer is empty, absolute, or has `.`/`..`/empty components.
    case invalidLayerPath(String)
    /// The file is not a regular file or directory (symlinks, devices, sockets are not stored).
    case unsupportedFile(path: String, kind: String)
    /// The file changed size while it was being written into the layer.
    case fileChanged(path: String)
    /// The tag cannot be an OCI reference name (`[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`).
    case invalidTag(String)
    /// No images were given, or two images share an architecture.
    case invalidImages(String)
    /// An existing layout at `path` cannot be added to; `reason` says why.
    case invalidLayout(path: String, reason: String)

    public var description: String {
        switch self {
        case let .archive(operation, code, message): "libarchive could not \(operation) (\(code)): \(message)"
        case let .compression(format, operation, message): "the \(format) compressor could not \(operation): \(message)"
        case let .io(path, operation, reason): "\(path): cannot \(operation): \(reason)"
        case .duplicatePath(let path): "two sources put different content at \(path) in the layer"
        case .invalidLayerPath(let path): "'\(path)' cannot be a path in a layer (empty, absolute, or with . or ..)"
        case let .unsupportedFile(path, kind): "\(path) is a \(kind); only regular files and directories go into the layer"
        case .fileChanged(let path): "\(path) changed while it was written into the layer; run again"
        case .invalidTag(let tag): "'\(tag)' is not a valid tag: use [A-Za-z0-9_][A-Za-z0-9._-], at most 128"
        case .invalidImages(let reason): "cannot write the image: \(reason)"
        case let .invalidLayout(path, reason): "\(path): \(reason)"
        }
    }
}
