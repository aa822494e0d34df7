internal import CSolv
import Foundation
import Synchronization

extension Pool {
    /// Parses one large primary.xml on several threads: the inflated document is cut after a
    /// `</package>` near each 1/n of its size, each part is made a whole document again (the
    /// original prolog in front, `</metadata>` behind), parsed in a pool of its own and written to
    /// `caches[i]`. Loading all the parts into one repo gives the packages of the whole file.
    public static func parsePrimaryInParts(_ path: String, arch: String, caches: [String]) throws(SolvError) {
        let bytes = try decompressedContents(of: path)
        guard let prologEnd = endOfMetadataStartTag(in: bytes) else {
            throw .badMetadata(path: path, reason: "no <metadata> element")
        }
        let closing = Array("</package>".utf8)
        var cuts: [Int] = [prologEnd]
        for i in 1..<caches.count {
            let target = max(bytes.count * i / caches.count, cuts[cuts.count - 1])
            guard let end = find(closing, in: bytes, from: target) else { break }
            cuts.append(end + closing.count)
        }
        cuts.append(bytes.count)
        let prolog = Array(bytes[..<prologEnd])
        let trailer = Array("\n</metadata>\n".utf8)
        var parts: [[UInt8]] = []
        for i in 0..<(cuts.count - 1) {
            let last = i == cuts.count - 2
            parts.append(prolog + bytes[cuts[i]..<cuts[i + 1]] + (last ? [] : trailer))
        }
        let failure = Mutex<SolvError?>(nil)
        let input = parts
        DispatchQueue.concurrentPerform(iterations: input.count) { i in
            do throws(SolvError) {
                let scratch = Pool(arch: arch)
                try scratch.loadPrimary(name: "part", priority: 0, document: input[i], path: path)
                try scratch.writeCache(repo: "part", to: caches[i])
            } catch {
                failure.withLock { if $0 == nil { $0 = error } }
            }
        }
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// Parses primary.xml bytes already in memory.
    func loadPrimary(name: String, priority: Int, document: [UInt8], path: String) throws(SolvError) {
        let pool = raw
        let rc: Int32 = document.withUnsafeBytes { bytes in
            // Read-only stream over the caller's bytes: nothing is copied.
            guard let fp = fmemopen(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count, "r") else {
                return -1
            }
            defer { fclose(fp) }
            let repo = repo_create(pool, name)!
            repo.pointee.priority = Int32(-priority)
            let rc = repo_add_rpmmd(repo, fp, nil, 0)
            register(repo, name: name)
            return rc
        }
        if rc != 0 { throw .badMetadata(path: path, reason: String(cString: pool_errstr(raw))) }
    }

    /// The whole file, decompressed (any compression libsolv's xfopen knows, or none).
    public static func decompressedContents(of path: String) throws(SolvError) -> [UInt8] {
        guard let fp = solv_xfopen(path, "r") else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { fclose(fp) }
        var data: [UInt8] = []
        let size = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        while case let n = fread(buffer, 1, size, fp), n > 0 {
            data.append(contentsOf: UnsafeRawBufferPointer(start: buffer, count: n))
        }
        if ferror(fp) != 0 { throw .unreadable(path: path, reason: "cannot decompress") }
        return data
    }

    /// The index just past the `>` of `<metadata ...>`.
    private static func endOfMetadataStartTag(in bytes: [UInt8]) -> Int? {
        guard let start = find(Array("<metadata".utf8), in: bytes, from: 0),
              let close = bytes[start...].firstIndex(of: UInt8(ascii: ">")) else { return nil }
        return close + 1
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
        guard let first = needle.first, from < bytes.count else { return nil }
        var i = from
        while i + needle.count <= bytes.count {
            if bytes[i] == first && bytes[i..<(i + needle.count)].elementsEqual(needle) { return i }
            i += 1
        }
        return nil
    }
}
