using Hydra.Core.Protocol;

namespace Hydra.Queue.Dispatch;

/// <summary>
/// What a claiming worker can build, normalised from its <see cref="ClaimRequest"/> the way Nix reads a
/// machines file: mandatory features are also supported, and <c>builtin</c> derivations (builtin:fetchurl)
/// run on any worker.
/// </summary>
public sealed record WorkerCapabilities(string[] Systems, string[] Supported, string[] Mandatory, int MaxJobs, double SpeedFactor)
{
    /// <summary>The system of derivations Nix builds internally; every worker can run them.</summary>
    public const string BuiltinSystem = "builtin";

    /// <summary>Workers with the same key match the same steps (slots aside).</summary>
    public string Key { get; } = string.Join('|', string.Join(',', Systems), string.Join(',', Supported), string.Join(',', Mandatory));

    public static WorkerCapabilities From(ClaimRequest request)
    {
        var mandatory = Normalise(request.MandatoryFeatures ?? []);
        return new WorkerCapabilities(
            Normalise([.. request.Systems, BuiltinSystem]),
            Normalise([.. request.Features ?? [], .. mandatory]),
            mandatory,
            request.MaxJobs is > 0 and var slots ? slots : int.MaxValue,
            request.SpeedFactor is > 0 and var speed ? speed : 1.0);
    }

    private static string[] Normalise(IEnumerable<string> values) =>
        values.Select(v => v.Trim()).Where(v => v.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
}
