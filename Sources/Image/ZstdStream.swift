// zstd with libzstd's own worker threads: once workers are on, the frame does not depend on how
// many there are (libzstd cuts the stream in jobs of a size fixed by the compression parameters).
internal import CZstd
import Threads

/// One zstd frame written from the blocks of a stream, compressed by libzstd's workers: one
/// thread feeds libzstd, another hashes and writes what comes out.
final class ZstdStream: @unchecked Sendable {
    let level: Int32
    let workers: Int
    private let blocks = Channel<Block>(capacity: 4)
    /// Compressed pieces, to the writer.
    private let compressed = Channel<Block>(capacity: 16)
    private let outputs = BlockPool(capacity: ZSTD_CStreamOutSize())

    init(level: Int32, workers: Int) {
        self.level = level
        self.workers = max(1, workers)
    }

    /// Hands the next block of the stream over (on the producer's thread); false when the writer stopped.
    func send(_ block: Block) -> Bool { blocks.send(block) }

    /// The stream is complete (on the producer's thread).
    func finish() { blocks.close() }

    /// Someone failed: nothing more is compressed or written.
    func abandon() {
        blocks.cancel()
        compressed.cancel()
    }

    /// Feeds every block to libzstd as it comes, handing what comes out to `write` (on a thread of its own).
    func compress() throws(ImageError) {
        guard let context = ZSTD_createCCtx() else {
            abandon()
            throw .compression(format: "zstd", operation: "start", message: "out of memory")
        }
        defer { ZSTD_freeCCtx(context) }
        do throws(ImageError) {
            try check(ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, level), "set the level")
            try check(ZSTD_CCtx_setParameter(context, ZSTD_c_nbWorkers, Int32(workers)), "start its workers")
            // Feeds `bytes` in (all of them), passing on what comes out; `end` also ends the frame.
            func feed(_ bytes: UnsafeRawBufferPointer, end: Bool) throws(ImageError) {
                var input = ZSTD_inBuffer(src: bytes.baseAddress, size: bytes.count, pos: 0)
                while true {
                    let piece = outputs.take()
                    var out = ZSTD_outBuffer(dst: piece.storage, size: piece.capacity, pos: 0)
                    let remaining = ZSTD_compressStream2(context, &out, &input, end ? ZSTD_e_end : ZSTD_e_continue)
                    try check(remaining, "compress")
                    piece.count = out.pos
                    if out.pos > 0 && !compressed.send(piece) { return }
                    if end ? remaining == 0 : input.pos == input.size { return }
                }
            }
            while let block = blocks.receive() { try feed(block.bytes, end: false) }
            guard !blocks.isCancelled else { return }
            try feed(UnsafeRawBufferPointer(start: nil, count: 0), end: true)
            compressed.close()
        } catch {
            abandon()
            throw error
        }
    }

    /// Writes the compressed frame as it comes (on a thread of its own).
    func write(to output: (UnsafeRawPointer, Int) throws(ImageError) -> Void) throws(ImageError) {
        while let piece = compressed.receive() {
            do throws(ImageError) { try output(piece.storage, piece.count) } catch {
                abandon()
                throw error
            }
        }
    }

    private func check(_ code: Int, _ operation: String) throws(ImageError) {
        guard ZSTD_isError(code) != 0 else { return }
        throw .compression(format: "zstd", operation: operation, message: String(cString: ZSTD_getErrorName(code)))
    }
}
