namespace Hydra.Builder.Configuration;

/// <summary>What the command line said; <c>null</c> means "not given", so the config file or a default applies.</summary>
public sealed record BuilderCommandLineValues
{
    public string? Server { get; init; }
    public string? Token { get; init; }
    public string? TokenFile { get; init; }
    public string? Systems { get; init; }
    public string? Features { get; init; }
    public int? MaxJobs { get; init; }
    public string? MandatoryFeatures { get; init; }
    public double? SpeedFactor { get; init; }
    public long? MinFreeDiskMiB { get; init; }
    public string? Name { get; init; }
    public string? WorkDir { get; init; }
    public string? ConfigFile { get; init; }
    public int? DrainTimeoutSeconds { get; init; }
}
