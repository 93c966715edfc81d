using Hydra.Core;
using Hydra.Evaluator.Jobsets;
using Hydra.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Hydra.Evaluator.Tests.Jobsets;

/// <summary>The runner with real git, Nix and PostgreSQL, as the scheduler calls it.</summary>
public sealed class EvaluationRunnerTests : IAsyncLifetime
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("hydra-runner-").FullName;
    private readonly GitRepository _repository = new();
    private SchedulingDatabase _db = null!;
    private IHost _host = null!;

    public async Task InitializeAsync()
    {
        NixTestEnvironment.Apply();
        _db = await SchedulingDatabase.CreateAsync();
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:Hydra"] = _db.ConnectionString;
        builder.Configuration["Hydra:DataDir"] = _dataDir;
        builder.Configuration["Hydra:MigrateOnStart"] = "false";
        builder.AddHydraCore();
        builder.AddHydraEvaluator(runScheduler: false);
        _host = builder.Build();
    }

    public async Task DisposeAsync()
    {
        _host.Dispose();
        await _db.DisposeAsync();
        _repository.Dispose();
        Directory.Delete(_dataDir, recursive: true);
    }

    private EvaluationRunner Runner => _host.Services.GetRequiredService<EvaluationRunner>();

    private async Task<long> AddGitJobsetAsync(short enabled, string url)
    {
        var id = await _db.AddJobsetAsync("j", enabled: enabled, checkInterval: 0, triggerTime: DateTimeOffset.UtcNow);
        await _db.ExecuteAsync("INSERT INTO jobset_inputs (jobset_id, name, type, value) VALUES (@j, 'src', 'git', @v)", ("j", id), ("v", $"{url} main"));
        await _db.ExecuteAsync("UPDATE jobsets SET eval_started_at = now(), eval_phase = 'starting', eval_phase_since = now() WHERE id = @j", ("j", id));
        return id;
    }

    private string CommitRelease() =>
        _repository.Commit("release", ("release.nix",
            $"{{ src }}: {{\n{NixTestEnvironment.Derivation("hello", "echo hi > $out", Guid.NewGuid().ToString("N"))}\n}}"));

    [Fact]
    public async Task The_runner_walks_through_the_phases_and_clears_them_at_the_end()
    {
        CommitRelease();
        var id = await AddGitJobsetAsync(enabled: 1, _repository.Url);
        // Record every change of eval_phase as the database sees it, so no phase can be missed.
        await _db.ExecuteAsync(
            """
            CREATE TABLE phase_log (seq bigserial, phase text, has_since boolean);
            CREATE FUNCTION log_phase() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO phase_log (phase, has_since) VALUES (NEW.eval_phase, NEW.eval_phase_since IS NOT NULL);
                RETURN NEW;
            END $$;
            CREATE TRIGGER jobsets_phase AFTER UPDATE OF eval_phase ON jobsets FOR EACH ROW
                WHEN (OLD.eval_phase IS DISTINCT FROM NEW.eval_phase) EXECUTE FUNCTION log_phase();
            """);

        var outcome = await Runner.RunAsync(id, CancellationToken.None);

        Assert.Equal(EvaluationOutcome.Evaluated, outcome);
        var log = new List<(string? Phase, bool HasSince)>();
        await using (var command = _db.DataSource.CreateCommand("SELECT phase, has_since FROM phase_log ORDER BY seq"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                log.Add((reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetBoolean(1)));
            }
        }
        Assert.Equal(
            [EvaluationPhase.FetchingInputs, EvaluationPhase.Evaluating, EvaluationPhase.Ingesting, null],
            log.Select(l => l.Phase));
        Assert.Equal([true, true, true, false], log.Select(l => l.HasSince));
        Assert.Null(await _db.ScalarAsync<DateTimeOffset?>("SELECT eval_started_at FROM jobsets WHERE id = @id", ("id", id)));
    }

    [Fact]
    public async Task A_one_shot_jobset_is_disabled_after_a_successful_evaluation_and_stays_disabled_when_unchanged()
    {
        CommitRelease();
        var id = await AddGitJobsetAsync(enabled: 2, _repository.Url);

        Assert.Equal(EvaluationOutcome.Evaluated, await Runner.RunAsync(id, CancellationToken.None));

        Assert.Equal(0, await _db.ScalarAsync<short>("SELECT enabled FROM jobsets WHERE id = @id", ("id", id)));
        Assert.Equal(1, await _db.ScalarAsync<long>("SELECT count(*) FROM evaluations WHERE jobset_id = @id", ("id", id)));
        Assert.Null(await _db.ScalarAsync<string>("SELECT eval_phase FROM jobsets WHERE id = @id", ("id", id)));

        // Re-enabled as one-shot with the same inputs: the unchanged check also counts as done.
        await _db.ExecuteAsync("UPDATE jobsets SET enabled = 2 WHERE id = @id", ("id", id));
        Assert.Equal(EvaluationOutcome.Unchanged, await Runner.RunAsync(id, CancellationToken.None));
        Assert.Equal(0, await _db.ScalarAsync<short>("SELECT enabled FROM jobsets WHERE id = @id", ("id", id)));
    }

    [Fact]
    public async Task A_one_shot_jobset_whose_inputs_cannot_be_fetched_stays_enabled_with_the_error()
    {
        var id = await AddGitJobsetAsync(enabled: 2, $"file://{_dataDir}/no-such-repository");

        Assert.Equal(EvaluationOutcome.Failed, await Runner.RunAsync(id, CancellationToken.None));

        Assert.Equal(2, await _db.ScalarAsync<short>("SELECT enabled FROM jobsets WHERE id = @id", ("id", id)));
        Assert.StartsWith("Fetching inputs failed", await _db.ScalarAsync<string>("SELECT error_message FROM jobsets WHERE id = @id", ("id", id)));
        Assert.Null(await _db.ScalarAsync<string>("SELECT eval_phase FROM jobsets WHERE id = @id", ("id", id)));
        Assert.Null(await _db.ScalarAsync<DateTimeOffset?>("SELECT eval_started_at FROM jobsets WHERE id = @id", ("id", id)));
    }
}
