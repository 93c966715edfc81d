using Hydra.Testing;
using Npgsql;

namespace Hydra.Evaluator.Tests.Jobsets;

/// <summary>A fresh migrated database per test, with helpers that write jobset rows as the API and evaluator would.</summary>
public sealed class SchedulingDatabase : IAsyncDisposable
{
    private SchedulingDatabase(string connectionString)
    {
        ConnectionString = connectionString;
        DataSource = NpgsqlDataSource.Create(connectionString);
    }

    public string ConnectionString { get; }
    public NpgsqlDataSource DataSource { get; }

    public static async Task<SchedulingDatabase> CreateAsync() => new(await TestDatabase.CreateAsync());

    /// <summary>A project "p" (created once) and a jobset in it; returns the jobset id.</summary>
    public async Task<long> AddJobsetAsync(string name, short enabled = 1, int checkInterval = 300,
        DateTimeOffset? lastCheckedAt = null, DateTimeOffset? triggerTime = null, bool projectEnabled = true)
    {
        await ExecuteAsync(
            "INSERT INTO projects (name, display_name, owner, enabled, created_at) VALUES ('p', 'p', 'alice', @e, now()) ON CONFLICT (name) DO NOTHING",
            ("e", projectEnabled));
        return await ScalarAsync<long>(
            """
            INSERT INTO jobsets (project_id, name, nix_expr_input, nix_expr_path, enabled, check_interval, last_checked_at, trigger_time, created_at)
            VALUES ((SELECT id FROM projects WHERE name = 'p'), @n, 'src', 'release.nix', @e, @i, @l, @t, now()) RETURNING id
            """,
            ("n", name), ("e", enabled), ("i", checkInterval), ("l", (object?)lastCheckedAt ?? DBNull.Value), ("t", (object?)triggerTime ?? DBNull.Value));
    }

    /// <summary>An evaluation of the jobset holding one build per entry (finished or not); returns the evaluation id.</summary>
    public async Task<long> AddEvaluationAsync(long jobsetId, params bool[] buildsFinished)
    {
        var evaluationId = await ScalarAsync<long>(
            "INSERT INTO evaluations (jobset_id, created_at, inputs_hash, nix_expr_input, nix_expr_path, has_new_builds) VALUES (@j, now(), md5(random()::text), 'src', 'release.nix', true) RETURNING id",
            ("j", jobsetId));
        for (var i = 0; i < buildsFinished.Length; i++)
        {
            var buildId = await ScalarAsync<long>(
                """
                INSERT INTO builds (jobset_id, job, nix_name, drv_path, system, finished, build_status, queued_at)
                VALUES (@j, @job, @job, '/nix/store/' || md5(random()::text) || '-x.drv', 'x86_64-linux', @f, @s, now()) RETURNING id
                """,
                ("j", jobsetId), ("job", $"job{i}"), ("f", buildsFinished[i]), ("s", buildsFinished[i] ? 0 : DBNull.Value));
            await ExecuteAsync("INSERT INTO evaluation_members (evaluation_id, build_id, is_new) VALUES (@e, @b, true)", ("e", evaluationId), ("b", buildId));
        }
        return evaluationId;
    }

    public async Task ExecuteAsync(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        await command.ExecuteNonQueryAsync();
    }

    public async Task<T> ScalarAsync<T>(string sql, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        var value = await command.ExecuteScalarAsync();
        return value is DBNull or null ? default! : (T)value;
    }

    private NpgsqlCommand Command(string sql, (string Name, object? Value)[] parameters)
    {
        var command = DataSource.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return command;
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await TestDatabase.DropAsync(ConnectionString);
    }
}
