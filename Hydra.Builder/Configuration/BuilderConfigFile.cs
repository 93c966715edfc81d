namespace Hydra.Builder.Configuration;

/// <summary>The JSON config file (<c>--config</c>): the same keys as the flags, in camelCase; flags win.</summary>
public sealed record BuilderConfigFile
{
    public string? Server { get; init; }
    public string? Token { get; init; }
    public string? TokenFile { get; init; }
    public IReadOnlyList<string>? Systems { get; init; }
    public IReadOnlyList<string>? Features { get; init; }
    public int? MaxJobs { get; init; }
    public IReadOnlyList<string>? MandatoryFeatures { get; init; }
    public double? SpeedFactor { get; init; }
    public long? MinFreeDiskMiB { get; init; }
    public string? Name { get; init; }
    public string? WorkDir { get; init; }
    public int? DrainTimeoutSeconds { get; init; }
}
