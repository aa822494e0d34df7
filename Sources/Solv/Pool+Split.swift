internal import CSolv
import Foundation
import Synchronization
import Threads

extension Pool {
    /// Parses one large primary.xml in parts side by side, each in a pool of its own written to
    /// `caches[i]`; loading all the parts into one repo gives the packages of the whole file.
    ///
    /// One thread inflates the file once and deals the stream out as it goes: it is cut
    /// after the first `</package>` from each 1/n of `size` (the uncompressed size repomd.xml
    /// gives), and each part made a whole document again (the original prolog in front,
    /// `</metadata>` behind). Each part is parsed on a thread of its own while the rest is still
    /// being inflated, so no copy of the whole document is ever held: the last part is read at
    /// the pace its parser takes it, the others are buffered only as far as their parser lags.
    public static func parsePrimaryInParts(_ path: String, size: Int, arch: String, caches: [String]) throws(SolvError) {
        let streams = caches.indices.map { ByteStream(limit: $0 == caches.count - 1 ? 8 << 20 : nil) }
        let parsing = FirstFailure(), inflating = FirstFailure()
        Threads.run(caches.count + 1) { i in
            do throws(SolvError) {
                guard i < caches.count else { return try deal(path, size: size, into: streams) }
                let scratch = Pool(arch: arch)
                try scratch.loadPrimary(name: "part", stream: streams[i], path: path)
                try scratch.writeCache(repo: "part", to: caches[i])
            } catch {
                (i < caches.count ? parsing : inflating).record(error)
            }
        }
        // A decompression failure also breaks the parts: it is the one to report.
        if let error = inflating.first ?? parsing.first { throw error }
    }

    /// Inflates `path` into `streams`, cut as `parsePrimaryInParts` says; every stream is closed on return.
    private static func deal(_ path: String, size: Int, into streams: [ByteStream]) throws(SolvError) {
        defer { streams.forEach { $0.close() } }
        guard let fp = solv_xfopen(path, "r") else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { fclose(fp) }
        var cutter = Cutter(size: size, streams: streams)
        let capacity = 1 << 18
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        while case let n = fread(buffer, 1, capacity, fp), n > 0 {
            try cutter.take(UnsafeRawBufferPointer(start: buffer, count: n), path: path)
        }
        if ferror(fp) != 0 { throw .unreadable(path: path, reason: "cannot decompress") }
        try cutter.finish(path: path)
    }

    /// Parses primary.xml read from `stream`.
    func loadPrimary(name: String, stream: ByteStream, path: String) throws(SolvError) {
        guard let fp = stream.open() else {
            throw .unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        let repo = makeRepo(name: name, priority: 0)
        let rc = repo_add_rpmmd(repo, fp, nil, 0)
        // Closing tells the inflater this part takes no more bytes, should the parser have stopped early.
        fclose(fp)
        register(repo, name: name)
        if rc != 0 { throw .badMetadata(path: path, reason: String(cString: pool_errstr(raw))) }
    }
}

/// The first error of several threads.
private final class FirstFailure: Sendable {
    private let error = Mutex<SolvError?>(nil)
    func record(_ failure: SolvError) { error.withLock { if $0 == nil { $0 = failure } } }
    var first: SolvError? { error.withLock { $0 } }
}

/// Where the inflated document goes: which part, and where the next cut is looked for.
private struct Cutter {
    let size: Int
    let streams: [ByteStream]
    /// The part bytes go to now.
    var part = 0
    /// Offset in the inflated document of the next byte taken.
    var offset = 0
    /// Bytes held back: the prolog while it is incomplete, or a possible start of `</package>`.
    var held: [UInt8] = []
    /// `<?xml ...?><metadata ...>`, once seen: the start of every later part.
    var prolog: [UInt8]? = nil

    static let closing = Array("</package>".utf8)
    static let trailer = Array("\n</metadata>\n".utf8)

    init(size: Int, streams: [ByteStream]) {
        self.size = size
        self.streams = streams
    }

    /// Where the current part may end: at the first `</package>` starting at or after it.
    var target: Int { size * (part + 1) / streams.count }

    mutating func take(_ bytes: UnsafeRawBufferPointer, path: String) throws(SolvError) {
        if prolog == nil || !held.isEmpty {
            // Rare (the first chunk, and a chunk where a cut is near): join the held bytes to this chunk.
            let joined = held + bytes
            held = []
            offset -= joined.count - bytes.count
            var failure: SolvError? = nil
            joined.withUnsafeBytes { all in
                do throws(SolvError) { try deal(all, path: path) } catch { failure = error }
            }
            if let failure { throw failure }
        } else {
            try deal(bytes, path: path)
        }
    }

    mutating func finish(path: String) throws(SolvError) {
        guard let prolog else { throw .badMetadata(path: path, reason: "no <metadata> element") }
        streams[part].write(held)
        offset += held.count
        held = []
        // Parts the document was too short for are empty documents.
        for later in streams.indices.dropFirst(part + 1) {
            streams[later].write(prolog)
            streams[later].write(Self.trailer)
        }
    }

    private mutating func deal(_ bytes: UnsafeRawBufferPointer, path: String) throws(SolvError) {
        var rest = bytes[...]
        if prolog == nil {
            guard let end = Self.endOfMetadataStartTag(in: rest) else {
                guard rest.count < 1 << 20 else { throw .badMetadata(path: path, reason: "no <metadata> element") }
                held = Array(rest)
                offset += rest.count
                return
            }
            prolog = Array(rest[..<end])
        }
        while !rest.isEmpty {
            guard part < streams.count - 1 else {
                emit(rest)
                return
            }
            // Up to the target, all of it belongs to this part.
            let before = min(rest.count, max(0, target - offset))
            emit(rest.prefix(before))
            rest = rest.dropFirst(before)
            guard let match = Self.find(Self.closing, in: rest) else {
                // Keep what might be the start of a `</package>` split across chunks.
                let keep = min(rest.count, Self.closing.count - 1)
                emit(rest.dropLast(keep))
                held = Array(rest.suffix(keep))
                offset += keep
                return
            }
            let cut = match + Self.closing.count
            emit(rest[..<cut])
            rest = rest[cut...]
            streams[part].write(Self.trailer)
            streams[part].close()
            part += 1
            streams[part].write(prolog!)
        }
    }

    private mutating func emit(_ bytes: Slice<UnsafeRawBufferPointer>) {
        streams[part].write(UnsafeRawBufferPointer(rebasing: bytes))
        offset += bytes.count
    }

    /// The index just past the `>` of `<metadata ...>`.
    private static func endOfMetadataStartTag(in bytes: Slice<UnsafeRawBufferPointer>) -> Int? {
        guard let start = find(Array("<metadata".utf8), in: bytes),
              let close = bytes[start...].firstIndex(of: UInt8(ascii: ">")) else { return nil }
        return close + 1
    }

    private static func find(_ needle: [UInt8], in bytes: Slice<UnsafeRawBufferPointer>) -> Int? {
        guard let first = needle.first else { return nil }
        var i = bytes.startIndex
        while let hit = bytes[i...].firstIndex(of: first) {
            guard hit + needle.count <= bytes.endIndex else { return nil }
            if bytes[hit..<(hit + needle.count)].elementsEqual(needle) { return hit }
            i = hit + 1
        }
        return nil
    }
}

/// Bytes handed from one thread (the inflater) to another (a parser), which reads them as a C
/// stream. With a limit, the writer waits while that many chunks are unread; a reader that closed
/// its stream takes nothing more, and the writer no longer waits for it.
final class ByteStream: @unchecked Sendable {
    private let chunks: Channel<[UInt8]>
    /// The reader's side: the chunk being read and how far.
    private var current: [UInt8] = []
    private var position = 0

    /// `limit`: at most that many bytes unread (in chunks of the inflater's 256 KiB); nil: no limit.
    init(limit: Int?) { chunks = Channel(capacity: limit.map { max(1, $0 >> 18) } ?? Int.max) }

    func write(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        chunks.send(Array(bytes))
    }

    func write(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        chunks.send(bytes)
    }

    /// No more bytes will come.
    func close() { chunks.close() }

    /// Up to `count` bytes into `buffer`; 0 at the end.
    func read(into buffer: UnsafeMutableRawPointer, count: Int) -> Int {
        while position == current.count {
            guard let next = chunks.receive() else { return 0 }
            current = next
            position = 0
        }
        let n = min(count, current.count - position)
        current.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress! + position, byteCount: n) }
        position += n
        return n
    }

    /// The reader is gone.
    func abandon() { chunks.cancel() }

    /// A C stream reading this one (for libsolv); closing it abandons this stream.
    func open() -> UnsafeMutablePointer<FILE>? {
        var functions = mox_cookie_functions()
        functions.read = { cookie, buffer, count in
            let stream = Unmanaged<ByteStream>.fromOpaque(cookie!).takeUnretainedValue()
            return stream.read(into: buffer!, count: count)
        }
        functions.close = { cookie in
            let stream = Unmanaged<ByteStream>.fromOpaque(cookie!).takeRetainedValue()
            stream.abandon()
            return 0
        }
        let cookie = Unmanaged.passRetained(self).toOpaque()
        guard let fp = mox_fopencookie(cookie, "r", functions) else {
            Unmanaged<ByteStream>.fromOpaque(cookie).release()
            return nil
        }
        return mox_unlocked(fp)
    }
}
