internal import CArchive
// Image: see Package.swift for what this module owns.
