using Hydra.Core;
using Hydra.Core.Storage;
using Hydra.Queue;
using Hydra.Queue.Completion;
using Hydra.Queue.Dispatch;
using Hydra.Queue.Leases;
using Hydra.Queue.Logs;
using Hydra.Queue.Workers;
using Hydra.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Queue.Tests;

/// <summary>The queue's services over one test database, with a manual clock.</summary>
internal sealed class QueueHarness : IAsyncDisposable
{
    /// <param name="cache">The cache's storage; the data directory's cache by default.</param>
    public QueueHarness(string connectionString, ICacheStorage? cache = null)
    {
        DataSource = NpgsqlDataSource.Create(connectionString);
        var queue = Options.Create(QueueOptions);
        var hydra = Options.Create(new HydraOptions { DataDir = Directory.CreateTempSubdirectory("hydra-queue-test").FullName });
        HydraOptions = hydra.Value;
        Logs = new StepLogWriter(hydra, queue);
        LogStore = new StepLogStore(hydra);
        cache ??= new DirectoryCacheStorage(hydra, Clock);
        Claimer = new StepClaimer(DataSource, queue, new CachedSteps(DataSource, cache, Clock, NullLogger<CachedSteps>.Instance), Clock);
        Leases = new LeaseService(DataSource, queue, Clock);
        Notifier = new RunnableNotifier(DataSource, Signal, queue, NullLogger<RunnableNotifier>.Instance);
        Results = new StepResults(DataSource, queue, cache, LogStore, Notifier, Clock, NullLogger<StepResults>.Instance);
        FailureCache = new FailureCache(DataSource);
        Maintenance = new QueueMaintenance(DataSource, queue, Clock);
        Tokens = new WorkerTokens(DataSource, queue, Clock);
    }

    public NpgsqlDataSource DataSource { get; }
    public ManualClock Clock { get; } = new();
    public QueueOptions QueueOptions { get; } = new();
    public HydraOptions HydraOptions { get; }
    public StepLogWriter Logs { get; }
    public StepLogStore LogStore { get; }
    public FailureCache FailureCache { get; }
    public StepClaimer Claimer { get; }
    public LeaseService Leases { get; }
    public StepResults Results { get; }

    /// <summary>Pulsed when a report made work for waiting claims (its NOTIFY loop is not running here).</summary>
    public QueueSignal Signal { get; } = new();

    public RunnableNotifier Notifier { get; }
    public QueueMaintenance Maintenance { get; }
    public WorkerTokens Tokens { get; }

    public async Task<long> AddWorkerAsync(string name)
    {
        await using var command = DataSource.CreateCommand(
            "INSERT INTO workers (name, token_hash, created_at) VALUES (@n, @h, now()) RETURNING id");
        command.Parameters.AddWithValue("n", name);
        command.Parameters.AddWithValue("h", Guid.NewGuid().ToString());
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Adds a step; pending when it has dependencies, else runnable.</summary>
    public async Task<long> AddStepAsync(string name, string system = "x86_64-linux", params long[] dependsOn)
    {
        await using var command = DataSource.CreateCommand(
            "INSERT INTO steps (drv_path, system, output_paths, state, created_at) VALUES (@d, @s, @o, @state, now()) RETURNING id");
        command.Parameters.AddWithValue("d", $"/nix/store/{Guid.NewGuid():N}-{name}.drv");
        command.Parameters.AddWithValue("s", system);
        command.Parameters.AddWithValue("o", Array.Empty<string>());
        command.Parameters.AddWithValue("state", (short)(dependsOn.Length > 0 ? 0 : 1));
        var id = (long)(await command.ExecuteScalarAsync())!;
        foreach (var dependency in dependsOn)
        {
            await ExecuteAsync($"INSERT INTO step_dependencies (step_id, depends_on_id) VALUES ({id}, {dependency})");
        }
        return id;
    }

    /// <summary>Adds a build of a throwaway jobset whose top step is <paramref name="topStep"/>.</summary>
    public async Task<long> AddBuildAsync(long topStep, params long[] graph)
    {
        await ExecuteAsync(
            """
            INSERT INTO projects (name, display_name, owner, created_at) VALUES ('p', 'P', 'admin', now()) ON CONFLICT DO NOTHING;
            INSERT INTO jobsets (project_id, name, nix_expr_input, nix_expr_path, created_at)
            SELECT id, 'j', 'src', 'default.nix', now() FROM projects WHERE name = 'p' ON CONFLICT DO NOTHING;
            """);
        await using var command = DataSource.CreateCommand(
            """
            INSERT INTO builds (jobset_id, job, nix_name, drv_path, system, top_step_id, queued_at)
            SELECT id, 'job' || @top, 'job', 'x.drv', 'x86_64-linux', @top, now() FROM jobsets WHERE name = 'j' RETURNING id
            """);
        command.Parameters.AddWithValue("top", topStep);
        var id = (long)(await command.ExecuteScalarAsync())!;
        foreach (var step in graph.Append(topStep).Distinct())
        {
            await ExecuteAsync($"INSERT INTO build_steps (build_id, step_id) VALUES ({id}, {step})");
        }
        return id;
    }

    /// <summary>Pretends the farm's cache holds <paramref name="storePath"/> (a narinfo is all the success check looks at).</summary>
    public void FakeInCache(string storePath)
    {
        Directory.CreateDirectory(HydraOptions.CacheDir);
        File.WriteAllText(Path.Combine(HydraOptions.CacheDir, Path.GetFileName(storePath)[..32] + ".narinfo"), "StorePath: " + storePath + "\n");
    }

    public Task<List<object[]>> RowsAsync(string sql) => DataSource.RowsAsync(sql);

    public async Task ExecuteAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
