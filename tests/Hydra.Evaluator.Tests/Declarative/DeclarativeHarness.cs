using Hydra.Core;
using Hydra.Core.Data;
using Hydra.Core.Data.Entities;
using Hydra.Evaluator.Declarative;
using Hydra.Evaluator.Jobsets;
using Hydra.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Hydra.Evaluator.Tests.Declarative;

/// <summary>The evaluator's services over a fresh database, a temporary data dir and a real git repository holding the spec.</summary>
internal sealed class DeclarativeHarness : IAsyncDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("hydra-decl-").FullName;
    private string _connectionString = "";
    private IHost _host = null!;

    public GitRepository Repository { get; } = new();

    public static async Task<DeclarativeHarness> CreateAsync()
    {
        NixTestEnvironment.Apply();
        var harness = new DeclarativeHarness();
        harness._connectionString = await TestDatabase.CreateAsync();
        harness._host = harness.BuildHost();
        return harness;
    }

    /// <summary>Another evaluator process over the same database and data dir, as after a restart or on a second machine.</summary>
    public IHost BuildHost()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:Hydra"] = _connectionString;
        builder.Configuration["Hydra:DataDir"] = _dataDir;
        builder.Configuration["Hydra:MigrateOnStart"] = "false";
        builder.AddHydraCore();
        builder.AddHydraEvaluator(runScheduler: false);
        return builder.Build();
    }

    public DeclarativeJobsets Declarative => _host.Services.GetRequiredService<DeclarativeJobsets>();

    public EvaluationRunner Runner => _host.Services.GetRequiredService<EvaluationRunner>();

    public GeneratedSpecApplier Applier => _host.Services.GetRequiredService<GeneratedSpecApplier>();

    /// <summary>The farm's binary cache, where workers put what they built.</summary>
    public string CacheDir => Path.Combine(_dataDir, "cache");

    public async Task<T> WithDbAsync<T>(Func<HydraDbContext, Task<T>> action)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<HydraDbContext>());
    }

    /// <summary>Project "p" reading <paramref name="file"/> from the repository's main branch, as PUT /project does it.</summary>
    public Task CreateProjectAsync(string file = "spec.json") => WithDbAsync(async db =>
    {
        var project = new Project { Name = "p", DisplayName = "p", Owner = "alice", CreatedAt = DateTimeOffset.UtcNow };
        db.Projects.Add(project);
        await DeclarativeProject.ApplyAsync(db, project, new DeclarativeInput(file, "git", $"{Repository.Url} main"), DateTimeOffset.UtcNow, CancellationToken.None);
        return await db.SaveChangesAsync();
    });

    /// <summary>The .jobsets jobset as the evaluation runner loads it.</summary>
    public Task<Jobset> DotJobsetsAsync() => WithDbAsync(db =>
        db.Jobsets.AsNoTracking().Include(j => j.Inputs).Include(j => j.Project).SingleAsync(j => j.Name == DeclarativeProject.JobsetName));

    /// <summary>Runs the .jobsets check as the runner's hook does; true when a static spec was applied.</summary>
    public async Task<bool> RunAsync() => await Declarative.PrepareAsync(await DotJobsetsAsync(), CancellationToken.None) is null;

    /// <summary>Every jobset of the project with its inputs, by name.</summary>
    public Task<Dictionary<string, Jobset>> JobsetsAsync() => WithDbAsync(async db =>
        (await db.Jobsets.AsNoTracking().Include(j => j.Inputs).ToListAsync()).ToDictionary(j => j.Name));

    public Task ClearTriggersAsync() => WithDbAsync(db => db.Jobsets.ExecuteUpdateAsync(s => s.SetProperty(j => j.TriggerTime, (DateTimeOffset?)null)));

    public async ValueTask DisposeAsync()
    {
        _host.Dispose();
        await TestDatabase.DropAsync(_connectionString);
        Repository.Dispose();
        Directory.Delete(_dataDir, recursive: true);
    }
}
