// The buffers the layer's stream moves through: taken from a pool and given back when the last
// thread holding one lets go, so a gigabyte of layer reuses a few megabytes of memory instead of
// asking the system for fresh pages (and zeroing them) a block at a time.
import Synchronization

/// A piece of the layer's stream: `count` bytes at `storage`. Each thread that needs it holds a
/// reference; the storage goes back to its pool with the last one.
final class Block: @unchecked Sendable {
    let storage: UnsafeMutableRawPointer
    let capacity: Int
    var count = 0
    private let pool: BlockPool

    fileprivate init(storage: UnsafeMutableRawPointer, capacity: Int, pool: BlockPool) {
        self.storage = storage
        self.capacity = capacity
        self.pool = pool
    }

    deinit { pool.recycle(storage) }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: storage, count: count) }
}

/// Buffers of one size, reused.
final class BlockPool: Sendable {
    let capacity: Int
    /// Addresses of buffers given back (as integers: pointers do not cross threads in Swift's eyes).
    private let free = Mutex<[UInt]>([])

    init(capacity: Int) { self.capacity = capacity }

    deinit {
        free.withLock { $0.forEach { UnsafeMutableRawPointer(bitPattern: $0)?.deallocate() } }
    }

    /// An empty block, reusing a buffer given back when there is one.
    func take() -> Block {
        let storage = free.withLock { $0.popLast() }.flatMap { UnsafeMutableRawPointer(bitPattern: $0) }
            ?? UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 64)
        return Block(storage: storage, capacity: capacity, pool: self)
    }

    fileprivate func recycle(_ storage: UnsafeMutableRawPointer) {
        free.withLock { $0.append(UInt(bitPattern: storage)) }
    }
}
