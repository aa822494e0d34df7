import Solv
import Testing

/// Packages sort as their `name-[E:]V-R.arch` texts do, however their names and versions meet.
@Test func packagesSortAsTheirNEVRATextsDo() {
    let names = ["foo", "foo+", "foo-devel", "foo-devel-docs", "foo2", "Foo", "foo_bar", "fooé", "f", "", "foo.x"]
    var nevras: [NEVRA] = []
    for (n, name) in names.enumerated() {
        for epoch in [nil, 0, 2] as [Int?] {
            nevras.append(NEVRA(name: name, epoch: epoch, version: "1.\(n % 3)", release: "\(n)", arch: n % 2 == 0 ? "x86_64" : "noarch"))
            nevras.append(NEVRA(name: name, epoch: epoch, version: "1.\(n % 3)-rc", release: "1", arch: "i686"))
        }
    }
    #expect(nevras.sorted().map(\.description) == nevras.map(\.description).sorted())
    for a in nevras {
        for b in nevras { #expect((a < b) == (a.description < b.description), "\(a) < \(b)") }
    }
}
