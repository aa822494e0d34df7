// Library: libcreaterepo_c's one-time set-up, its lock, and GError to RepodataError.
internal import CCreaterepo
import Foundation

/// libcreaterepo_c as a process-wide resource: initialised once, used by one caller at a time.
final class Library: Sendable {
    /// The only instance; creating it initialises libxml2 and the rpm header reader.
    static let shared = Library()

    private let lock = NSLock()

    private init() {
        cr_xml_dump_init()
        // Reads rpm's configuration and creates the transaction set every header read uses.
        cr_package_parser_init()
    }

    /// Runs `body` while no other thread is inside libcreaterepo_c through this module.
    func serialized<T>(_ body: () throws(RepodataError) -> T) throws(RepodataError) -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }
}

/// Calls a createrepo_c function with a GError slot and throws `failure(message)` if it set one.
func withGError<T>(
    _ failure: (String) -> RepodataError,
    _ call: (UnsafeMutablePointer<UnsafeMutablePointer<GError>?>) -> T
) throws(RepodataError) -> T {
    var error: UnsafeMutablePointer<GError>? = nil
    let result = call(&error)
    if let error {
        let message = error.pointee.message.map { String(cString: $0) } ?? "unknown createrepo_c error"
        g_error_free(error)
        throw failure(message)
    }
    return result
}
