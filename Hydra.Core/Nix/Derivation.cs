namespace Hydra.Core.Nix;

/// <summary>
/// A store derivation (<c>.drv</c> file): what to build, from which inputs, with which builder.
/// Produced by <see cref="DerivationParser"/>.
/// </summary>
public sealed record Derivation
{
    /// <summary>Outputs by name (<c>out</c>, <c>dev</c>, ...).</summary>
    public required IReadOnlyDictionary<string, DerivationOutput> Outputs { get; init; }

    /// <summary>Input derivations: <c>.drv</c> store path to the names of the outputs used.</summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<string>> InputDrvs { get; init; }

    /// <summary>Input sources: store paths that are not outputs of a derivation.</summary>
    public required IReadOnlyList<string> InputSrcs { get; init; }

    /// <summary>The platform the derivation must be built on, e.g. <c>x86_64-linux</c>.</summary>
    public required string System { get; init; }

    /// <summary>The program that builds it.</summary>
    public required string Builder { get; init; }

    /// <summary>Arguments to <see cref="Builder"/>.</summary>
    public required IReadOnlyList<string> Args { get; init; }

    /// <summary>The builder's environment.</summary>
    public required IReadOnlyDictionary<string, string> Env { get; init; }

    /// <summary>Features a builder must offer (<c>kvm</c>, <c>big-parallel</c>, ...), from <c>requiredSystemFeatures</c>.</summary>
    public IReadOnlyList<string> RequiredSystemFeatures =>
        Env.TryGetValue("requiredSystemFeatures", out var features)
            ? features.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            : [];

    /// <summary>Whether the derivation asks to be built locally rather than on a remote builder.</summary>
    public bool PreferLocalBuild => Env.TryGetValue("preferLocalBuild", out var value) && value == "1";

    /// <summary>The derivation's <c>name</c> attribute, or empty when it has none.</summary>
    public string Name => Env.TryGetValue("name", out var name) ? name : string.Empty;

    /// <summary>Store paths of the outputs whose paths are known (deferred outputs are left out).</summary>
    public IReadOnlyList<string> OutputPaths =>
        Outputs.Values.Select(o => o.Path).Where(p => p.Length > 0).ToArray();
}
