using System.CommandLine;
using Hydra.Builder.Configuration;
using Hydra.Builder.Hosting;
using Hydra.Builder.Nix;
using Hydra.Core.CommandLine;

var root = BuilderCommandLine.Create(async (flags, cancellationToken) =>
{
    var result = BuilderOptionsLoader.Load(flags, Environment.GetEnvironmentVariable, NixSystem.Current());
    if (!result.IsValid)
    {
        foreach (var error in result.Errors)
        {
            await Console.Error.WriteLineAsync($"hydra-builder: {error}");
        }

        return 2;
    }

    return await BuilderHost.RunAsync(result.Options!, cancellationToken);
});

var parsed = root.Parse(args);
// The Generic Host handles SIGTERM itself (graceful drain), so System.CommandLine must not kill us after 2 s.
return UsageErrors.Report(parsed, Console.Error)
    ?? await parsed.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
