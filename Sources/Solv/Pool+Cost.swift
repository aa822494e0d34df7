internal import CSolv

extension Pool {
    /// dnf's repo `cost`: among repos of equal priority, the same package is taken from the
    /// cheaper repo. libsolv's subpriority orders such candidates, the higher first (as libdnf sets it).
    public func setCost(repo name: String, cost: Int) {
        guard let repo = repos[name] else { return }
        repo.pointee.subpriority = Int32(clamping: -cost)
    }
}
