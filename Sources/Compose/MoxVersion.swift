/// The version of mox, written into reports, indexes and image annotations.
public enum MoxVersion {
    public static let current = "0.3.0"
}
