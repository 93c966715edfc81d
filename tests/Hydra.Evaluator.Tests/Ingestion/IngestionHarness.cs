using Hydra.Core;
using Hydra.Core.Nix;
using Hydra.Core.Processes;
using Hydra.Core.Storage;
using Hydra.Evaluator.Ingestion;
using Hydra.Evaluator.Nix;
using Hydra.Testing;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Evaluator.Tests.Ingestion;

/// <summary>A real BuildIngester over a test database and a throw-away cache directory.</summary>
internal sealed class IngestionHarness : IAsyncDisposable
{
    public IngestionHarness(string connectionString, int batchSize = 2000, int minBatchSize = 500)
    {
        DataSource = NpgsqlDataSource.Create(connectionString);
        Hydra = new HydraOptions { DataDir = Directory.CreateTempSubdirectory("hydra-ingest-data-").FullName };
        Directory.CreateDirectory(Hydra.CacheDir);
        var options = Options.Create(new IngestionOptions { BatchSize = batchSize, MinBatchSize = minBatchSize, StatementRows = Math.Max(1, batchSize), PushBatchSize = 3 });
        Pusher = new DrvCachePusher(new NixProcessRunner(), new DirectoryCacheStorage(Options.Create(Hydra), TimeProvider.System), Options.Create(Hydra), Options.Create(new EvaluatorOptions()), options);
        Ingester = new BuildIngester(DataSource, Pusher, TimeProvider.System, options);
    }

    public NpgsqlDataSource DataSource { get; }
    public HydraOptions Hydra { get; }
    public DrvCachePusher Pusher { get; }
    public BuildIngester Ingester { get; }

    public async Task<long> CreateJobsetAsync()
    {
        var name = "j" + Guid.NewGuid().ToString("N")[..12];
        return await ScalarAsync<long>(
            $"""
             WITH p AS (INSERT INTO projects (name, display_name, owner, created_at) VALUES ('{name}', '{name}', 'root', now()) RETURNING id)
             INSERT INTO jobsets (project_id, name, nix_expr_input, nix_expr_path, created_at) SELECT id, 'main', 'src', 'release.nix', now() FROM p RETURNING id
             """);
    }

    public Task<IngestResult> IngestAsync(long jobsetId, IEnumerable<EvaluatedJob> jobs, IProgress<string>? progress = null, CancellationToken cancellationToken = default) =>
        Ingester.IngestAsync(jobsetId, new EvaluationRecord("hash", "src", "release.nix", [], 0, 0, DateTimeOffset.UtcNow),
            new JobsetEvaluation(jobs.ToList(), []), progress, cancellationToken);

    /// <summary>Pretends the farm's cache holds <paramref name="storePath"/> (a narinfo is all the planner looks at).</summary>
    public void FakeInCache(string storePath) =>
        File.WriteAllText(Path.Combine(Hydra.CacheDir, StorePath.Parse(storePath).HashPart + ".narinfo"), "StorePath: " + storePath + "\n");

    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public Task<List<object[]>> RowsAsync(string sql, params (string Name, object Value)[] parameters) => DataSource.RowsAsync(sql, parameters);

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
