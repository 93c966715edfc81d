using Npgsql;

namespace Hydra.Bench.Queue;

/// <summary>Fills a benchmark database with queued steps, in a few set-based statements.</summary>
internal sealed class QueueSeeder(NpgsqlDataSource dataSource)
{
    public const string X86 = "x86_64-linux";
    public const string Arm = "aarch64-linux";
    public const string I686 = "i686-linux";

    /// <summary>Creates <paramref name="count"/> jobsets of one project; returns their ids.</summary>
    public async Task<long[]> JobsetsAsync(string project, int count)
    {
        await ExecuteAsync(
            $"""
             INSERT INTO projects (name, display_name, owner, created_at) VALUES ('{project}', '{project}', 'bench', now());
             INSERT INTO jobsets (project_id, name, nix_expr_input, nix_expr_path, scheduling_shares, created_at)
             SELECT p.id, 'js' || g, 'src', 'release.nix', 50 + 50 * (g % 4), now()
             FROM projects p, generate_series(1, {count}) g WHERE p.name = '{project}';
             """);
        await using var command = dataSource.CreateCommand(
            $"SELECT j.id FROM jobsets j JOIN projects p ON p.id = j.project_id WHERE p.name = '{project}' ORDER BY j.id");
        var ids = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt64(0));
        }
        return [.. ids];
    }

    /// <summary>
    /// <paramref name="count"/> runnable x86_64 steps without outputs, each the top step of one build of
    /// <paramref name="jobset"/>: what the claim+complete loop consumes.
    /// </summary>
    public Task RunnableWithBuildsAsync(string tag, long jobset, int count) => ExecuteAsync(
        $"""
         WITH s AS (
             INSERT INTO steps (drv_path, system, state, created_at)
             SELECT '/nix/store/{tag}-' || g || '.drv', '{X86}', 1, now() FROM generate_series(1, {count}) g
             RETURNING id),
         b AS (
             INSERT INTO builds (jobset_id, job, nix_name, drv_path, system, top_step_id, queued_at)
             SELECT {jobset}, 'job' || id, 'job', 'x.drv', '{X86}', id, now() FROM s
             RETURNING id, top_step_id),
         l AS (INSERT INTO step_jobsets (step_id, jobset_id) SELECT id, {jobset} FROM s)
         INSERT INTO build_steps (build_id, step_id) SELECT id, top_step_id FROM b;
         """);

    /// <summary>
    /// <paramref name="count"/> steps built earlier (finished, each with a succeeded attempt by
    /// <paramref name="worker"/> and a finished build), so the tables and their statistics look like a farm
    /// that has been running rather than an empty one (on empty tables PostgreSQL plans sequential scans).
    /// </summary>
    public Task HistoryAsync(string tag, long jobset, long worker, int count) => ExecuteAsync(
        $"""
         WITH s AS (
             INSERT INTO steps (drv_path, system, state, status, created_at, started_at, finished_at)
             SELECT '/nix/store/{tag}-' || g || '.drv', '{X86}', 3, 0, now() - interval '1 day', now() - interval '1 day', now() - interval '1 day'
             FROM generate_series(1, {count}) g
             RETURNING id),
         a AS (
             INSERT INTO step_attempts (step_id, worker_id, state, lease_expires_at, started_at, finished_at)
             SELECT id, {worker}, 1, now() - interval '1 day', now() - interval '1 day', now() - interval '1 day' FROM s),
         b AS (
             INSERT INTO builds (jobset_id, job, nix_name, drv_path, system, top_step_id, queued_at, finished, build_status, start_time, stop_time)
             SELECT {jobset}, 'old' || id, 'job', 'x.drv', '{X86}', id, now() - interval '1 day', true, 0, now() - interval '1 day', now() - interval '1 day' FROM s
             RETURNING id, top_step_id)
         INSERT INTO build_steps (build_id, step_id) SELECT id, top_step_id FROM b;
         """);

    /// <summary>
    /// A nixpkgs-like backlog of <paramref name="count"/> unfinished steps, a fifth of them runnable and the
    /// rest pending on an earlier step: 90 % x86_64, 8 % aarch64, 2 % i686; some need big-parallel or kvm;
    /// mixed share buckets, priorities and critical paths; a few in retry backoff.
    /// </summary>
    public async Task BacklogAsync(string tag, long[] jobsets, int count)
    {
        await ExecuteAsync(
            $$"""
             INSERT INTO steps (drv_path, system, required_features, state, share_bucket, local_priority, critical_path, runnable_after, created_at)
             SELECT '/nix/store/{{tag}}-' || g || '.drv',
                    CASE WHEN g % 50 = 0 THEN '{{I686}}' WHEN g % 100 BETWEEN 1 AND 8 THEN '{{Arm}}' ELSE '{{X86}}' END,
                    CASE WHEN g % 20 = 3 THEN '{big-parallel}'::text[] WHEN g % 100 = 17 THEN '{kvm}'::text[] ELSE '{}'::text[] END,
                    CASE WHEN abs(hashint4(g)::bigint) % 5 = 0 THEN 1 ELSE 0 END,
                    abs(hashint4(g + 1)::bigint) % 60,
                    CASE WHEN abs(hashint4(g + 2)::bigint) % 4 = 0 THEN 200 ELSE 100 END,
                    1 + abs(hashint4(g + 3)::bigint) % 30,
                    CASE WHEN abs(hashint4(g + 4)::bigint) % 100 = 0 THEN now() + interval '1 hour' END,
                    now()
             FROM generate_series(1, {{count}}) g;
             INSERT INTO step_jobsets (step_id, jobset_id)
             SELECT s.id, (ARRAY[{{string.Join(',', jobsets)}}])[1 + s.id % {{jobsets.Length}}]
             FROM steps s WHERE s.drv_path LIKE '/nix/store/{{tag}}-%';
             INSERT INTO step_dependencies (step_id, depends_on_id)
             SELECT s.id, d.id FROM steps s JOIN steps d ON d.id = s.id - 1 - (s.id % 97)
             WHERE s.drv_path LIKE '/nix/store/{{tag}}-%' AND s.state = 0 AND d.drv_path LIKE '/nix/store/{{tag}}-%';
             ANALYZE;
             """);
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.CommandTimeout = 600;
        await command.ExecuteNonQueryAsync();
    }

    public async Task<long> CountAsync(string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        command.CommandTimeout = 600;
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
