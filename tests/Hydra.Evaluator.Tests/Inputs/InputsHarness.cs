using Hydra.Core;
using Hydra.Core.Data;
using Hydra.Core.Processes;
using Hydra.Evaluator.Inputs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Hydra.Evaluator.Tests.Inputs;

/// <summary>An <see cref="InputResolver"/> with real git and Nix, a temporary data dir and (optionally) a test database.</summary>
internal sealed class InputsHarness : IDisposable
{
    private readonly ServiceProvider _services;

    public InputsHarness(string? connectionString = null, INixProcessRunner? runner = null)
    {
        var collection = new ServiceCollection();
        if (connectionString is not null)
        {
            collection.AddDbContext<HydraDbContext>(o => o.UseNpgsql(connectionString));
        }
        _services = collection.BuildServiceProvider();
        DataDir = Directory.CreateTempSubdirectory("hydra-inputs-").FullName;
        runner ??= new NixProcessRunner();
        var evaluator = Options.Create(new EvaluatorOptions());
        Git = new GitFetcher(runner, Options.Create(new HydraOptions { DataDir = DataDir }), evaluator);
        Resolver = new InputResolver(Git, new PathInputHasher(), new FlakeLocker(runner, evaluator), new InputQueries(_services.GetRequiredService<IServiceScopeFactory>()));
    }

    public string DataDir { get; }
    public GitFetcher Git { get; }
    public InputResolver Resolver { get; }

    public async Task WithDbAsync(Func<HydraDbContext, Task> action)
    {
        await using var scope = _services.CreateAsyncScope();
        await action(scope.ServiceProvider.GetRequiredService<HydraDbContext>());
    }

    public void Dispose()
    {
        _services.Dispose();
        Directory.Delete(DataDir, recursive: true);
    }
}
