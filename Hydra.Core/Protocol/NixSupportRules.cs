using System.Text.RegularExpressions;

namespace Hydra.Core.Protocol;

/// <summary>
/// What Hydra accepts from an output's <c>nix-support/</c> files. The builder parses with these rules and the
/// server applies them again to every report, since a worker's report is untrusted input that ends up in
/// pages and in Hydra-compatible JSON.
/// </summary>
public static partial class NixSupportRules
{
    /// <summary>At most this many products and metrics per step; the rest are ignored.</summary>
    public const int MaxEntries = 1000;

    /// <summary>Longest accepted path, name or value; anything longer is dropped rather than cut.</summary>
    public const int MaxFieldLength = 4096;

    /// <summary>Product type and subtype, e.g. <c>file</c> <c>binary-dist</c>.</summary>
    [GeneratedRegex("^[a-zA-Z0-9_-]+$")]
    public static partial Regex ProductType();

    /// <summary>A product's name; an unsuitable base name becomes "", as in Hydra.</summary>
    [GeneratedRegex("^[a-zA-Z0-9.@:_ -]*$")]
    public static partial Regex ProductName();

    /// <summary>The optional fourth field: a path inside a directory product, for its download link.</summary>
    [GeneratedRegex("^[^\"\\s<>]+$")]
    public static partial Regex DefaultPath();

    [GeneratedRegex("^[a-zA-Z0-9._-]+$")]
    public static partial Regex MetricName();

    /// <summary>A unit that does not match becomes "", as in Hydra.</summary>
    [GeneratedRegex("^[a-zA-Z0-9._%-]+$")]
    public static partial Regex MetricUnit();

    [GeneratedRegex("^[a-zA-Z0-9.@:_-]+$")]
    public static partial Regex ReleaseName();

    /// <summary>Whether <paramref name="path"/> (already normalised) is one of the outputs or lies inside one.</summary>
    public static bool IsInsideOutputs(string path, IEnumerable<string> outputPaths) =>
        outputPaths.Any(o => path == o || path.StartsWith(o + "/", StringComparison.Ordinal));

    /// <summary>The products that pass every rule, for a step with these outputs.</summary>
    public static IReadOnlyList<BuildProductInfo> ValidProducts(IEnumerable<BuildProductInfo>? products, IReadOnlyCollection<string> outputPaths) =>
        (products ?? []).Where(p =>
                ProductType().IsMatch(p.Type) && (p.Subtype.Length == 0 || ProductType().IsMatch(p.Subtype))
                && p.Path.Length <= MaxFieldLength && Path.IsPathFullyQualified(p.Path) && Path.GetFullPath(p.Path) == p.Path
                && IsInsideOutputs(p.Path, outputPaths)
                && p.Name.Length <= MaxFieldLength && ProductName().IsMatch(p.Name)
                && p.DefaultPath.Length <= MaxFieldLength && (p.DefaultPath.Length == 0 || DefaultPath().IsMatch(p.DefaultPath))
                && p.FileSize is null or >= 0
                && (p.Sha256 is null || p.Sha256.Length == 64 && p.Sha256.All(char.IsAsciiHexDigitLower)))
            .Take(MaxEntries)
            .ToList();

    /// <summary>The metrics that pass every rule; for a name given twice, the last wins.</summary>
    public static IReadOnlyList<BuildMetricInfo> ValidMetrics(IEnumerable<BuildMetricInfo>? metrics) =>
        (metrics ?? [])
            .Where(m => m.Name.Length <= MaxFieldLength && MetricName().IsMatch(m.Name) && double.IsFinite(m.Value)
                && (m.Unit.Length == 0 || m.Unit.Length <= MaxFieldLength && MetricUnit().IsMatch(m.Unit)))
            .GroupBy(m => m.Name, StringComparer.Ordinal)
            .Select(g => g.Last())
            .Take(MaxEntries)
            .ToList();

    /// <summary>The release name when it is acceptable, else null.</summary>
    public static string? ValidReleaseName(string? releaseName) =>
        releaseName is { Length: > 0 and <= 255 } && ReleaseName().IsMatch(releaseName) ? releaseName : null;
}
