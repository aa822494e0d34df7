import Foundation

/// Blocking work (downloads, parsing, compressing) on threads of its own, joined before returning:
/// unlike libdispatch's pool, every body really runs at once, whatever runs around it. Joined, not just
/// waited for: a thread that has called into OpenSSL tears down its per-thread state as it
/// exits, and must be done with that before the process may exit (OpenSSL's own clean-up at
/// exit crashes into it otherwise).
public enum Threads {
    /// Runs `body(0)`, ..., `body(count - 1)`, each on a thread of its own, and returns when every
    /// thread has exited.
    public static func run(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        guard count > 1 else {
            if count == 1 { body(0) }
            return
        }
        var threads: [pthread_t] = []
        for i in 0..<count {
            let work = Unmanaged.passRetained(Work { body(i) }).toOpaque()
            var thread = pthread_t()
            guard pthread_create(&thread, nil, { context in
                let work = Unmanaged<Work>.fromOpaque(context!).takeRetainedValue()
                work.run()
                return nil
            }, work) == 0 else {
                // No thread to be had: run it here.
                Unmanaged<Work>.fromOpaque(work).takeRetainedValue().run()
                continue
            }
            threads.append(thread)
        }
        for thread in threads { pthread_join(thread, nil) }
    }

    private final class Work: @unchecked Sendable {
        let run: () -> Void
        init(_ run: @escaping () -> Void) { self.run = run }
    }
}
