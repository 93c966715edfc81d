namespace Hydra.Core.Protocol;

/// <summary>
/// A worker asks for a step it can build. The server holds the request up to <see cref="WaitSeconds"/>.
/// </summary>
/// <param name="Systems">System types the worker builds, e.g. <c>x86_64-linux</c>.</param>
/// <param name="Features">Supported system features (<c>kvm</c>, <c>big-parallel</c>, ...).</param>
/// <param name="WaitSeconds">How long the server may hold the request when nothing matches.</param>
/// <param name="MandatoryFeatures">
/// Features a step must require for this worker to take it (Nix's mandatory features; implicitly
/// supported). <c>local</c> is also met by steps with <c>preferLocalBuild</c>.
/// </param>
/// <param name="MaxJobs">The worker's slots; the server hands out no more running steps than this. Null: not stated.</param>
/// <param name="SpeedFactor">Relative speed; when several workers wait, faster ones get work first. Null: 1.</param>
public sealed record ClaimRequest(
    IReadOnlyList<string> Systems,
    IReadOnlyList<string> Features,
    int WaitSeconds,
    IReadOnlyList<string>? MandatoryFeatures = null,
    int? MaxJobs = null,
    double? SpeedFactor = null);
