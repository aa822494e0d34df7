internal import CCreaterepo
// Createrepo: see Package.swift for what this module owns.
