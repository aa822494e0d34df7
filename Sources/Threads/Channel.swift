import Foundation

/// A first-in first-out hand-off between threads, holding at most `capacity` elements: a sender
/// waits while it is full, a receiver while it is empty. The sending side closes it when done;
/// the receiving side cancels it when it stops early, so no sender waits for it forever.
public final class Channel<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    /// Taken slots are emptied at once, so what a receiver is done with is freed when it lets go.
    private var elements: [Element?] = []
    private var head = 0
    private var closed = false
    private var cancelled = false
    private let capacity: Int

    /// A channel holding up to `capacity` elements (`Int.max`: as many as are sent).
    public init(capacity: Int) {
        precondition(capacity > 0, "a channel holds at least one element")
        self.capacity = capacity
    }

    /// Adds `element`, waiting while the channel is full; false when it was cancelled (the element is dropped).
    @discardableResult
    public func send(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while elements.count - head >= capacity && !cancelled { condition.wait() }
        guard !cancelled else { return false }
        elements.append(element)
        condition.broadcast()
        return true
    }

    /// The next element, waiting while there is none; nil once the channel is closed and drained,
    /// or cancelled.
    public func receive() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while head == elements.count && !closed && !cancelled { condition.wait() }
        guard !cancelled, head < elements.count else { return nil }
        let element = elements[head].take()
        head += 1
        // Drop what was taken now and then, not on every receive.
        if head >= 64 && head * 2 >= elements.count {
            elements.removeFirst(head)
            head = 0
        }
        condition.broadcast()
        return element!
    }

    /// No more elements will be sent.
    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    /// Nothing more will be received: senders stop waiting, and the elements not received are
    /// dropped (and returned, for a caller that must release what they hold).
    @discardableResult
    public func cancel() -> [Element] {
        condition.lock()
        defer { condition.unlock() }
        let dropped = elements[head...].compactMap { $0 }
        cancelled = true
        elements = []
        head = 0
        condition.broadcast()
        return dropped
    }

    /// Whether the receiving side cancelled.
    public var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }
}
