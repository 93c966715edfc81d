using System.CommandLine;

namespace Hydra.Builder.Configuration;

/// <summary>The <c>hydra-builder</c> command line.</summary>
public static class BuilderCommandLine
{
    /// <summary>Builds the root command; <paramref name="run"/> receives the flags as given (nothing merged yet).</summary>
    public static RootCommand Create(Func<BuilderCommandLineValues, CancellationToken, Task<int>> run)
    {
        var server = new Option<string>("--server") { Description = "Base URL of the Hydra server, e.g. https://hydra.example.org" };
        var token = new Option<string>("--token") { Description = "Worker token (prefer --token-file or HYDRA_BUILDER_TOKEN; flags show up in ps)" };
        var tokenFile = new Option<string>("--token-file") { Description = "File holding the worker token" };
        var systems = new Option<string>("--systems") { Description = "Comma-separated Nix systems to build (default: this machine's)" };
        var features = new Option<string>("--features") { Description = "Comma-separated system features offered (kvm, big-parallel, ...)" };
        var maxJobs = new Option<int?>("--max-jobs") { Description = "Steps built at once (default 1)" };
        var mandatoryFeatures = new Option<string>("--mandatory-features")
        {
            Description = "Comma-separated features every step given to this worker must require (e.g. 'local' or 'benchmark')",
        };
        var speedFactor = new Option<double?>("--speed-factor") { Description = "Relative speed; faster workers get work first (default 1)" };
        var minFreeDisk = new Option<long?>("--min-free-disk")
        {
            Description = $"Stop claiming while the Nix store's file system has less free space than this many MiB (default {BuilderOptions.DefaultMinFreeDiskMiB}; 0: never)",
        };
        var name = new Option<string>("--name") { Description = "Worker name shown on the dashboard (default: host name)" };
        var workDir = new Option<string>("--work-dir") { Description = "Scratch directory (default ./.hydra-builder)" };
        var config = new Option<string>("--config") { Description = "JSON config file with the same keys in camelCase; flags override it" };
        var drain = new Option<int?>("--drain-timeout") { Description = "Seconds running builds may finish after SIGTERM (default 600)" };

        var root = new RootCommand("hydra-builder: claims Nix build steps from a Hydra server, builds them and pushes the outputs to its cache.")
        {
            server, token, tokenFile, systems, features, mandatoryFeatures, speedFactor, maxJobs, minFreeDisk, name, workDir, config, drain,
        };
        root.SetAction((parseResult, cancellationToken) => run(
            new BuilderCommandLineValues
            {
                Server = parseResult.GetValue(server),
                Token = parseResult.GetValue(token),
                TokenFile = parseResult.GetValue(tokenFile),
                Systems = parseResult.GetValue(systems),
                Features = parseResult.GetValue(features),
                MaxJobs = parseResult.GetValue(maxJobs),
                MandatoryFeatures = parseResult.GetValue(mandatoryFeatures),
                SpeedFactor = parseResult.GetValue(speedFactor),
                MinFreeDiskMiB = parseResult.GetValue(minFreeDisk),
                Name = parseResult.GetValue(name),
                WorkDir = parseResult.GetValue(workDir),
                ConfigFile = parseResult.GetValue(config),
                DrainTimeoutSeconds = parseResult.GetValue(drain),
            },
            cancellationToken));
        return root;
    }
}
