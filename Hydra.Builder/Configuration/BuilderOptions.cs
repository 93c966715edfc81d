namespace Hydra.Builder.Configuration;

/// <summary>
/// Settings of one builder worker, merged from the config file, the environment and the command line
/// by <see cref="BuilderOptionsLoader"/>.
/// </summary>
public sealed class BuilderOptions
{
    /// <summary>Default for <see cref="DrainTimeout"/>: how long running builds may finish after SIGTERM.</summary>
    public static readonly TimeSpan DefaultDrainTimeout = TimeSpan.FromSeconds(600);

    /// <summary>Base URL of the Hydra server (the worker protocol and the cache live under it).</summary>
    public required Uri Server { get; init; }

    /// <summary>The worker's API token, sent as a Bearer token and as the cache upload password.</summary>
    public required string Token { get; init; }

    /// <summary>Nix system types this worker builds, e.g. <c>x86_64-linux</c>.</summary>
    public required IReadOnlyList<string> Systems { get; init; }

    /// <summary>Nix system features this worker offers (<c>kvm</c>, <c>big-parallel</c>, ...).</summary>
    public IReadOnlyList<string> Features { get; init; } = [];

    /// <summary>How many steps run at once.</summary>
    public int MaxJobs { get; init; } = 1;

    /// <summary>Display name of the worker, sent with every request.</summary>
    public required string Name { get; init; }

    /// <summary>Scratch directory: netrc file and GC roots of running steps.</summary>
    public required string WorkDir { get; init; }

    /// <summary>After SIGTERM, running steps may finish for this long before Nix is killed and they are reported Aborted.</summary>
    public TimeSpan DrainTimeout { get; init; } = DefaultDrainTimeout;

    /// <summary>How long the server may hold a claim request open.</summary>
    public TimeSpan ClaimWait { get; init; } = TimeSpan.FromSeconds(25);
}
