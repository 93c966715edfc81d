using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Hydra.Bench;

/// <summary>
/// Fills a migrated, empty database with a farm the size of hydra.nixos.org's busy side, in set-based SQL
/// (generate_series), so a million builds take minutes rather than hours. At scale 1: 1,000,000 builds,
/// 5,000,000 steps (5 per build), 20,000 evaluations, one evaluation of 100,000 builds (nixpkgs:trunk), and
/// 300,000 unfinished steps (the newest 60,000 builds), over 101 jobsets in 21 projects. Smaller scales keep
/// the proportions (tests use one in a hundred).
/// </summary>
public sealed class FarmSeeder(NpgsqlDataSource dataSource, double scale, Action<string>? progress = null)
{
    public const int SmallJobsets = 100;
    public const int JobsPerJobset = 500;
    public const int StepsPerBuild = 5;

    public long Builds => Math.Max(2_000, (long)(1_000_000 * scale));
    public long BigEvalBuilds => Math.Max(500, (long)(100_000 * scale));
    public long Evaluations => Math.Max(SmallJobsets * 2 + 1, (long)(20_000 * scale));
    public long UnfinishedBuilds => Math.Max(100, (long)(60_000 * scale));
    public long EvalsPerJobset => (Evaluations - 1) / SmallJobsets;

    /// <summary>The evaluations really created: the big one (id 1) and <see cref="EvalsPerJobset"/> per small jobset (ids 2...).</summary>
    public long CreatedEvaluations => 1 + EvalsPerJobset * SmallJobsets;
    public long SmallBuilds => Builds - BigEvalBuilds;

    public async Task SeedAsync(CancellationToken cancellationToken)
    {
        var p = new Dictionary<string, string>
        {
            ["builds"] = N(Builds), ["big"] = N(BigEvalBuilds), ["small"] = N(SmallBuilds), ["unfinished"] = N(UnfinishedBuilds),
            ["evalsPerJobset"] = N(EvalsPerJobset), ["jobsets"] = N(SmallJobsets), ["jobs"] = N(JobsPerJobset), ["steps"] = N(StepsPerBuild),
        };
        await RunAsync("projects, jobsets, workers", """
            INSERT INTO projects (name, display_name, description, owner, created_at)
            SELECT 'proj' || lpad(i::text, 2, '0'), 'Project ' || i, 'Seeded project ' || i, 'admin', now() - interval '1 year'
            FROM generate_series(1, 20) i;
            INSERT INTO projects (name, display_name, description, owner, created_at)
            VALUES ('nixpkgs', 'Nixpkgs', 'The big one', 'admin', now() - interval '1 year');
            INSERT INTO jobsets (project_id, name, nix_expr_input, nix_expr_path, created_at)
            SELECT (SELECT id FROM projects WHERE name = 'proj' || lpad((1 + (i - 1) / 5)::text, 2, '0')),
                   'js' || lpad(i::text, 3, '0'), 'src', 'release.nix', now() - interval '1 year'
            FROM generate_series(1, {jobsets}) i;
            INSERT INTO jobsets (project_id, name, nix_expr_input, nix_expr_path, created_at)
            SELECT id, 'trunk', 'nixpkgs', 'pkgs/top-level/release.nix', now() - interval '1 year' FROM projects WHERE name = 'nixpkgs';
            INSERT INTO workers (name, token_hash, systems, max_jobs, last_seen_at, created_at)
            SELECT 'builder' || i, md5('token' || i), ARRAY['x86_64-linux'], 8, now(), now() - interval '1 year' FROM generate_series(1, 10) i;
            """, p, cancellationToken);

        // Evaluation ids: the big one first, then jobset j's k-th evaluation at 2 + (j - 1) * evalsPerJobset + k.
        await RunAsync("evaluations", """
            INSERT INTO evaluations (jobset_id, created_at, has_new_builds, inputs_hash, nr_builds, nix_expr_input, nix_expr_path)
            SELECT (SELECT j.id FROM jobsets j WHERE j.name = 'trunk'), now() - interval '1 hour', true, md5('big'), {big}, 'nixpkgs', 'release.nix';
            INSERT INTO evaluations (jobset_id, created_at, has_new_builds, inputs_hash, nr_builds, nix_expr_input, nix_expr_path)
            SELECT j.id, now() - (({evalsPerJobset} - k) * interval '1 hour'), true, md5(j.id || '-' || k), 0, 'src', 'release.nix'
            FROM generate_series(1, {jobsets}) jn
            JOIN jobsets j ON j.name = 'js' || lpad(jn::text, 3, '0')
            CROSS JOIN generate_series(0, {evalsPerJobset} - 1) k
            ORDER BY jn, k;
            INSERT INTO evaluation_inputs (evaluation_id, name, type, uri, revision)
            SELECT id, 'src', 'git', 'https://example.org/repo.git', md5(id::text) || substr(md5(id::text), 1, 8) FROM evaluations;
            """, p, cancellationToken);

        // Builds: the big evaluation's first (ids 1..big, nixpkgs:trunk, current), then the small jobsets' round
        // robin, oldest first; the newest `unfinished` builds are still queued.
        await RunAsync("builds", """
            INSERT INTO builds (jobset_id, job, nix_name, drv_path, system, finished, build_status, queued_at, start_time, stop_time, is_current)
            SELECT (SELECT id FROM jobsets WHERE name = 'trunk'), 'pkgs.package' || i || '.x86_64-linux', 'package-' || i,
                   '/nix/store/' || md5('b' || i) || '-package-' || i || '.drv', 'x86_64-linux', true,
                   CASE WHEN i % 20 = 0 THEN 1 WHEN i % 97 = 0 THEN 2 ELSE 0 END,
                   now() - interval '1 hour', now() - interval '50 minutes', now() - interval '50 minutes' + (i % 600) * interval '1 second', true
            FROM generate_series(1, {big}) i;
            INSERT INTO builds (jobset_id, job, nix_name, drv_path, system, finished, build_status, queued_at, start_time, stop_time, is_current)
            SELECT j.id, 'job' || ((i / {jobsets}) % {jobs}), 'job-' || i,
                   '/nix/store/' || md5('s' || i) || '-job-' || i || '.drv', CASE WHEN i % 10 = 0 THEN 'aarch64-linux' ELSE 'x86_64-linux' END,
                   i <= {small} - {unfinished},
                   CASE WHEN i > {small} - {unfinished} THEN NULL WHEN i % 15 = 0 THEN 1 ELSE 0 END,
                   now() - ({small} - i) * interval '2 seconds',
                   CASE WHEN i > {small} - {unfinished} THEN NULL ELSE now() - ({small} - i) * interval '2 seconds' + interval '1 minute' END,
                   CASE WHEN i > {small} - {unfinished} THEN NULL ELSE now() - ({small} - i) * interval '2 seconds' + interval '1 minute' + (i % 900) * interval '1 second' END,
                   false
            FROM generate_series(1, {small}) i
            JOIN jobsets j ON j.name = 'js' || lpad((1 + i % {jobsets})::text, 3, '0');
            INSERT INTO build_outputs (build_id, name, path)
            SELECT id, 'out', '/nix/store/' || md5('o' || id) || '-' || nix_name FROM builds;
            """, p, cancellationToken);

        await RunAsync("evaluation members", """
            INSERT INTO evaluation_members (evaluation_id, build_id, is_new)
            SELECT 1, id, true FROM builds WHERE id <= {big};
            -- Small build i (id big + i) is in its jobset's evaluation floor((i / jobsets) * evalsPerJobset / (small / jobsets)).
            INSERT INTO evaluation_members (evaluation_id, build_id, is_new)
            SELECT 2 + ((b.id - {big}) % {jobsets}) * {evalsPerJobset}
                     + LEAST({evalsPerJobset} - 1, ((b.id - {big}) / {jobsets}) * {evalsPerJobset} / GREATEST(1, {small} / {jobsets})),
                   b.id, true
            FROM builds b WHERE b.id > {big};
            UPDATE evaluations e SET nr_builds = m.n FROM (SELECT evaluation_id, count(*) n FROM evaluation_members GROUP BY 1) m
            WHERE m.evaluation_id = e.id AND e.id > 1;
            -- The builds of each small jobset's newest evaluation are its current ones.
            UPDATE builds b SET is_current = true FROM evaluation_members m
            WHERE m.build_id = b.id AND m.evaluation_id IN (SELECT max(id) FROM evaluations GROUP BY jobset_id) AND b.id > {big};
            """, p, cancellationToken);

        // Steps: five per build, ids contiguous (step (b - 1) * 5 + k + 1 for build b); k = 0 is the top step.
        await RunAsync("steps", """
            INSERT INTO steps (drv_path, system, output_paths, state, status, tries, created_at, started_at, finished_at)
            SELECT '/nix/store/' || md5('st' || s) || '-step-' || s || '.drv', b.system, ARRAY['/nix/store/' || md5('so' || s) || '-step-' || s],
                   CASE WHEN b.finished THEN (CASE WHEN b.build_status = 0 OR k > 0 THEN 3 ELSE 4 END)
                        WHEN k = 0 THEN 0 WHEN k = 4 AND b.id % 20 = 0 THEN 2 WHEN k >= 3 THEN 1 ELSE 0 END,
                   CASE WHEN b.finished THEN (CASE WHEN b.build_status = 0 OR k > 0 THEN 0 ELSE 1 END) END,
                   CASE WHEN b.finished THEN 1 ELSE 0 END,
                   b.queued_at, b.start_time, b.stop_time
            FROM builds b CROSS JOIN generate_series(0, {steps} - 1) k
            CROSS JOIN LATERAL (SELECT (b.id - 1) * {steps} + k + 1 AS s) n
            ORDER BY b.id, k;
            INSERT INTO build_steps (build_id, step_id)
            SELECT b.id, (b.id - 1) * {steps} + k + 1 FROM builds b CROSS JOIN generate_series(0, {steps} - 1) k;
            UPDATE builds SET top_step_id = (id - 1) * {steps} + 1;
            INSERT INTO step_dependencies (step_id, depends_on_id)
            SELECT (b.id - 1) * {steps} + 1, (b.id - 1) * {steps} + k + 1
            FROM builds b CROSS JOIN generate_series(1, {steps} - 1) k WHERE NOT b.finished;
            INSERT INTO step_attempts (step_id, worker_id, state, lease_expires_at, started_at, finished_at, exit_code)
            SELECT s.id, (SELECT min(id) FROM workers) + s.id % 10, CASE WHEN s.state = 2 THEN 0 ELSE 1 END,
                   now() + interval '5 minutes', coalesce(s.started_at, now()), s.finished_at, CASE WHEN s.state = 2 THEN NULL ELSE 0 END
            FROM steps s WHERE (s.id - 1) % {steps} = 0 AND s.state >= 3 OR s.state = 2;
            UPDATE steps s SET current_attempt_id = a.id FROM step_attempts a WHERE a.step_id = s.id AND s.state = 2;
            """, p, cancellationToken);

        await RunAsync("statistics", "VACUUM ANALYZE", p, cancellationToken);
    }

    private async Task RunAsync(string what, string sql, Dictionary<string, string> parameters, CancellationToken cancellationToken)
    {
        var text = parameters.Aggregate(sql, (s, kv) => s.Replace("{" + kv.Key + "}", kv.Value, StringComparison.Ordinal));
        var watch = Stopwatch.StartNew();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(text, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(cancellationToken);
        progress?.Invoke($"seeded {what} in {watch.Elapsed.TotalSeconds:F1} s");
    }

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
