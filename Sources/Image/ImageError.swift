// What can go wrong writing a layer or a layout, with the C library's or the system's own words.

/// Errors from writing a layer tarball or an OCI image layout.
public enum ImageError: Error, Sendable, Equatable {
    /// libarchive failed; `operation` is what we asked of it, `code` its return code, `message` its error text.
    case archive(operation: String, code: Int32, message: String)
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
}
