// gzip on every core, as pigz --independent does it: the stream is cut in fixed blocks, each
// compressed on its own and ended on a byte boundary (a sync flush), so the blocks join into one
// deflate stream of one gzip member; the bytes depend on the block size, never on the number of
// threads. (Without pigz's default dictionary, the 32 KiB before each block: the layer is mostly
// compressed RPMs, where it gains nothing and costs a pass over 32 KiB per block.)
internal import CZlib
import Threads

/// One gzip member (no name, no time) written from blocks compressed side by side.
final class GzipBlocks: @unchecked Sendable {
    /// What a worker compresses: one block, and whether it ends the stream.
    private struct Job {
        let block: Block
        let last: Bool
        /// Where the worker puts the compressed block for the writer.
        let done: Channel<Compressed>
    }

    private struct Compressed {
        let block: Block
        let crc: UInt
        let length: Int
    }

    let level: Int32
    let workers: Int
    private let jobs: Channel<Job>
    /// The same jobs in stream order, for the writer.
    private let order: Channel<Job>
    private let outputs: BlockPool
    private var held: Block? = nil
    private let blockSize: Int

    /// `blockSize`: the size of the blocks `send` is given (all but the last).
    init(level: Int32, workers: Int, blockSize: Int) {
        self.level = level
        self.workers = workers
        self.blockSize = blockSize
        jobs = Channel(capacity: 2 * workers)
        order = Channel(capacity: 4 * workers)
        // deflate's own bound for a block, and room for the sync marker (an empty stored block).
        outputs = BlockPool(capacity: Int(compressBound(uLong(blockSize))) + 64)
    }

    /// Hands the next block of the stream over (on the producer's thread); false when the writer stopped.
    func send(_ block: Block) -> Bool {
        // A block is sent once the next one shows it is not the last.
        defer { held = block }
        guard let ready = held else { return true }
        return dispatch(ready, last: false)
    }

    /// The stream is complete (on the producer's thread); `empty` is a block to end an empty stream with.
    func finish(empty: Block) {
        // An empty stream still needs its final (empty) deflate block.
        _ = dispatch(held ?? empty, last: true)
        held = nil
        jobs.close()
        order.close()
    }

    /// Someone failed: nothing more is compressed or written, and nobody waits for it.
    func abandon() {
        for job in jobs.cancel() { job.done.cancel() }
        order.cancel()
        held = nil
    }

    private func dispatch(_ block: Block, last: Bool) -> Bool {
        let job = Job(block: block, last: last, done: Channel(capacity: 1))
        guard order.send(job) else { return false }
        if jobs.send(job) { return true }
        // The writer may already wait for this one.
        job.done.cancel()
        return false
    }

    /// A worker's loop: compresses jobs until there are no more.
    func work() throws(ImageError) {
        var stream = z_stream()
        guard mox_deflate_init(&stream, level) == Z_OK else { throw Self.failure("start", stream) }
        defer { deflateEnd(&stream) }
        while let job = jobs.receive() {
            do throws(ImageError) {
                job.done.send(try compress(job, &stream))
            } catch {
                job.done.cancel()
                abandon()
                throw error
            }
        }
    }

    /// The writer's loop: the gzip header, the compressed blocks in order, the trailer.
    func write(to output: (UnsafeRawPointer, Int) throws(ImageError) -> Void) throws(ImageError) {
        do throws(ImageError) {
            // No name, no time (0), no extra flags, OS "Unix" (3), as gzip -n and pigz -n write it.
            var header: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3]
            try output(&header, header.count)
            var crc = crc32(0, nil, 0)
            var total: UInt64 = 0
            while let job = order.receive() {
                // Nil: a worker failed, and says why.
                guard let compressed = job.done.receive() else { return }
                if compressed.block.count > 0 { try output(compressed.block.storage, compressed.block.count) }
                crc = crc32_combine(crc, compressed.crc, .init(compressed.length))
                total += UInt64(compressed.length)
            }
            // Cancelled: the stream is incomplete, and whoever stopped it says why.
            guard !order.isCancelled else { return }
            var trailer: [UInt8] = []
            for value in [UInt32(truncatingIfNeeded: crc), UInt32(truncatingIfNeeded: total)] {
                trailer += [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 24)]
            }
            try output(&trailer, trailer.count)
        } catch {
            // The producer must not wait for a writer that is gone.
            abandon()
            throw error
        }
    }

    private func compress(_ job: Job, _ stream: inout z_stream) throws(ImageError) -> Compressed {
        guard deflateReset(&stream) == Z_OK else { throw Self.failure("reset", stream) }
        let input = job.block
        precondition(input.count <= blockSize, "a block larger than the pool's bound")
        let crc = crc32(0, input.storage.assumingMemoryBound(to: Bytef.self), uInt(input.count))
        let out = outputs.take()
        stream.next_in = input.storage.assumingMemoryBound(to: Bytef.self)
        stream.avail_in = uInt(input.count)
        stream.next_out = out.storage.assumingMemoryBound(to: Bytef.self)
        stream.avail_out = uInt(out.capacity)
        let status = deflate(&stream, job.last ? Z_FINISH : Z_SYNC_FLUSH)
        // The output has room for the worst case: one call takes the whole block.
        guard status == (job.last ? Z_STREAM_END : Z_OK), stream.avail_in == 0, stream.avail_out > 0 else {
            throw Self.failure("compress", stream)
        }
        out.count = out.capacity - Int(stream.avail_out)
        return Compressed(block: out, crc: crc, length: input.count)
    }

    private static func failure(_ operation: String, _ stream: z_stream) -> ImageError {
        .compression(format: "gzip", operation: operation, message: stream.msg.map { String(cString: $0) } ?? "zlib failed")
    }
}
