using System.Text.Json;
using Hydra.Builder.Transport;

namespace Hydra.Builder.Configuration;

/// <summary>
/// Merges the config file, the environment and the command line into <see cref="BuilderOptions"/>.
/// Precedence for every key: flag, then (token only) <c>HYDRA_BUILDER_TOKEN</c>, then the config file, then the default.
/// </summary>
public static class BuilderOptionsLoader
{
    public const string TokenEnvironmentVariable = "HYDRA_BUILDER_TOKEN";

    public static BuilderOptionsResult Load(
        BuilderCommandLineValues flags, Func<string, string?> getEnvironmentVariable, string currentSystem)
    {
        var errors = new List<string>();
        var file = ReadConfigFile(flags.ConfigFile, errors) ?? new BuilderConfigFile();

        var serverText = flags.Server ?? file.Server;
        Uri? server = null;
        if (string.IsNullOrWhiteSpace(serverText))
        {
            errors.Add("No server given: pass --server https://hydra.example.org (or \"server\" in the config file).");
        }
        else if (!Uri.TryCreate(serverText, UriKind.Absolute, out server) || server.Scheme is not ("http" or "https"))
        {
            errors.Add($"Server '{serverText}' is not an absolute http(s) URL.");
        }

        var token = ResolveToken(flags, file, getEnvironmentVariable, errors);

        var maxJobs = flags.MaxJobs ?? file.MaxJobs ?? 1;
        if (maxJobs < 1)
        {
            errors.Add($"--max-jobs must be at least 1, not {maxJobs}.");
        }

        var drainSeconds = flags.DrainTimeoutSeconds ?? file.DrainTimeoutSeconds;
        if (drainSeconds < 0)
        {
            errors.Add($"--drain-timeout must not be negative, not {drainSeconds}.");
        }

        var speedFactor = flags.SpeedFactor ?? file.SpeedFactor ?? 1;
        if (!(speedFactor > 0) || double.IsInfinity(speedFactor))
        {
            errors.Add($"--speed-factor must be a positive number, not {speedFactor}.");
        }

        var minFreeDisk = flags.MinFreeDiskMiB ?? file.MinFreeDiskMiB ?? BuilderOptions.DefaultMinFreeDiskMiB;
        if (minFreeDisk < 0)
        {
            errors.Add($"--min-free-disk must not be negative, not {minFreeDisk}.");
        }

        var systems = SplitList(flags.Systems) ?? file.Systems ?? [currentSystem];
        if (systems.Count == 0)
        {
            errors.Add("--systems must name at least one system.");
        }

        if (errors.Count > 0 || server is null || token is null)
        {
            return new BuilderOptionsResult(null, errors);
        }

        var options = new BuilderOptions
        {
            Server = server,
            Token = token,
            Systems = systems,
            Features = SplitList(flags.Features) ?? file.Features ?? [],
            MandatoryFeatures = SplitList(flags.MandatoryFeatures) ?? file.MandatoryFeatures ?? [],
            SpeedFactor = speedFactor,
            MinFreeDiskMiB = minFreeDisk,
            StoreDir = getEnvironmentVariable("NIX_STORE_DIR") is { Length: > 0 } storeDir ? storeDir : BuilderOptions.DefaultStoreDir,
            MaxJobs = maxJobs,
            Name = flags.Name ?? file.Name ?? Environment.MachineName,
            WorkDir = Path.GetFullPath(flags.WorkDir ?? file.WorkDir ?? ".hydra-builder"),
            DrainTimeout = drainSeconds is { } s ? TimeSpan.FromSeconds(s) : BuilderOptions.DefaultDrainTimeout,
        };
        return new BuilderOptionsResult(options, []);
    }

    private static BuilderConfigFile? ReadConfigFile(string? path, List<string> errors)
    {
        if (path is null)
        {
            return null;
        }

        try
        {
            var json = File.ReadAllText(path);
            var file = JsonSerializer.Deserialize(json, BuilderJsonContext.Default.BuilderConfigFile);
            if (file is null)
            {
                errors.Add($"Config file '{path}' is empty.");
            }

            return file;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add($"Cannot read config file '{path}': {e.Message}");
        }
        catch (JsonException e)
        {
            errors.Add($"Config file '{path}' is not valid JSON: {e.Message}");
        }

        return null;
    }

    private static string? ResolveToken(
        BuilderCommandLineValues flags, BuilderConfigFile file, Func<string, string?> getEnvironmentVariable, List<string> errors)
    {
        if (flags.Token is not null && flags.TokenFile is not null)
        {
            errors.Add("Pass either --token or --token-file, not both.");
            return null;
        }

        if (flags.Token is not null)
        {
            return NonEmpty(flags.Token, "--token", errors);
        }

        if (flags.TokenFile is not null)
        {
            return ReadTokenFile(flags.TokenFile, errors);
        }

        if (getEnvironmentVariable(TokenEnvironmentVariable) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment.Trim();
        }

        if (file.Token is not null)
        {
            return NonEmpty(file.Token, "\"token\" in the config file", errors);
        }

        if (file.TokenFile is not null)
        {
            return ReadTokenFile(file.TokenFile, errors);
        }

        errors.Add($"No worker token given: pass --token-file PATH, --token TOKEN, or set {TokenEnvironmentVariable}.");
        return null;
    }

    private static string? ReadTokenFile(string path, List<string> errors)
    {
        try
        {
            return NonEmpty(File.ReadAllText(path), $"token file '{path}'", errors);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add($"Cannot read token file '{path}': {e.Message}");
            return null;
        }
    }

    private static string? NonEmpty(string value, string source, List<string> errors)
    {
        var trimmed = value.Trim();
        if (trimmed.Length == 0)
        {
            errors.Add($"The token from {source} is empty.");
            return null;
        }

        return trimmed;
    }

    private static IReadOnlyList<string>? SplitList(string? value) =>
        value?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
