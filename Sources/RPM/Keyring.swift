internal import CRPM

/// Filling a librpm keyring: shared by package signatures and repomd.xml signatures.
enum Keyring {
    /// Adds one binary OpenPGP certificate, its primary key and its subkeys, to `keyring`;
    /// false when librpm cannot use it (OpenPGP features newer than this rpm).
    static func add(certificate: UnsafePointer<UInt8>, length: Int, to keyring: OpaquePointer) -> Bool {
        guard let pubkey = rpmPubkeyNew(certificate, length) else { return false }
        defer { rpmPubkeyFree(pubkey) }
        rpmKeyringAddKey(keyring, pubkey)
        var count: Int32 = 0
        if let subkeys = rpmGetSubkeys(pubkey, &count) {
            for i in 0..<Int(count) {
                rpmKeyringAddKey(keyring, subkeys[i])
                rpmPubkeyFree(subkeys[i])
            }
            free(subkeys)
        }
        return true
    }
}
