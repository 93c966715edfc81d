namespace Hydra.Core;

/// <summary>Server-wide settings, bound from <c>Hydra</c>.</summary>
public sealed class HydraOptions
{
    public const string Section = "Hydra";

    /// <summary>State on disk: binary cache, logs, git mirrors, checkouts, keys. Default <c>./.data</c>.</summary>
    public string DataDir { get; set; } = ".data";

    /// <summary>Roles this process runs: any of web, evaluator, queue.</summary>
    public string Roles { get; set; } = "web,evaluator,queue";

    /// <summary>Name of the farm's signing key, as it appears in narinfo signatures.</summary>
    public string SigningKeyName { get; set; } = "hydra-1";

    public string CacheDir => Path.Combine(DataDir, "cache");
    public string LogDir => Path.Combine(DataDir, "logs");
    public string KeyDir => Path.Combine(DataDir, "keys");
    public string SecretKeyFile => Path.Combine(KeyDir, "cache-secret-key");
    public string PublicKeyFile => Path.Combine(KeyDir, "cache-public-key");

    /// <summary>The durable log of a step: all attempts append here, each after a header line.</summary>
    public string StepLogPath(long stepId) =>
        Path.Combine(LogDir, "steps", (stepId % 1000).ToString("D3", System.Globalization.CultureInfo.InvariantCulture), $"{stepId}.log");

    public bool HasRole(string role) =>
        Roles.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Contains(role, StringComparer.OrdinalIgnoreCase);
}
