internal import CCurl
// Fetch: see Package.swift for what this module owns.
