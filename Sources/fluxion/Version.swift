/// The version of Fluxion, printed by `fluxion --version` and the banner.
///
/// The one place the version is written; bump it here only.
enum FluxionVersion {
    static let number = "0.1.0"
}
