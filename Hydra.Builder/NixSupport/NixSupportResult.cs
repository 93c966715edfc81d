using Hydra.Core.Protocol;

namespace Hydra.Builder.NixSupport;

/// <summary>What a build's outputs declare in their <c>nix-support/</c> directories.</summary>
public sealed record NixSupportResult(
    bool Failed, IReadOnlyList<BuildProductInfo> Products, IReadOnlyList<BuildMetricInfo> Metrics, string? ReleaseName);
