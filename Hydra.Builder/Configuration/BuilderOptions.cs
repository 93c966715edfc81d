namespace Hydra.Builder.Configuration;

/// <summary>
/// Settings of one builder worker, merged from the config file, the environment and the command line
/// by <see cref="BuilderOptionsLoader"/>.
/// </summary>
public sealed class BuilderOptions
{
    /// <summary>Default for <see cref="DrainTimeout"/>: how long running builds may finish after SIGTERM.</summary>
    public static readonly TimeSpan DefaultDrainTimeout = TimeSpan.FromSeconds(600);

    /// <summary>Default for <see cref="MinFreeDiskMiB"/>.</summary>
    public const long DefaultMinFreeDiskMiB = 1024;

    /// <summary>Nix's default store directory; <c>NIX_STORE_DIR</c> overrides it, as for Nix itself.</summary>
    public const string DefaultStoreDir = "/nix/store";

    /// <summary>Base URL of the Hydra server (the worker protocol and the cache live under it).</summary>
    public required Uri Server { get; init; }

    /// <summary>The worker's API token, sent as a Bearer token and as the cache upload password.</summary>
    public required string Token { get; init; }

    /// <summary>Nix system types this worker builds, e.g. <c>x86_64-linux</c>.</summary>
    public required IReadOnlyList<string> Systems { get; init; }

    /// <summary>Nix system features this worker offers (<c>kvm</c>, <c>big-parallel</c>, ...).</summary>
    public IReadOnlyList<string> Features { get; init; } = [];

    /// <summary>
    /// Features every step given to this worker must require (Nix's mandatory features; they count as supported).
    /// A worker whose mandatory features are <c>local</c> also takes steps with <c>preferLocalBuild</c>.
    /// </summary>
    public IReadOnlyList<string> MandatoryFeatures { get; init; } = [];

    /// <summary>Relative speed: when several workers wait for work, faster ones get it first (Nix's speed factor).</summary>
    public double SpeedFactor { get; init; } = 1;

    /// <summary>No new steps are claimed while the store's file system has less free space than this (MiB). Zero: never checked.</summary>
    public long MinFreeDiskMiB { get; init; } = DefaultMinFreeDiskMiB;

    /// <summary>The Nix store whose file system <see cref="MinFreeDiskMiB"/> watches.</summary>
    public string StoreDir { get; init; } = DefaultStoreDir;

    /// <summary>How often free space is looked at again while it is low.</summary>
    public TimeSpan DiskCheckInterval { get; init; } = TimeSpan.FromSeconds(30);

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
