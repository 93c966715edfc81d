using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Hydra.Bench;
using Hydra.Bench.Queue;
using Hydra.Core;
using Hydra.Core.Storage;
using Hydra.Core.Protocol;
using Hydra.Queue;
using Hydra.Queue.Completion;
using Hydra.Queue.Dispatch;
using Hydra.Queue.Logs;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

// Queue benchmarks (B2 mode a and the B8 dispatch round in perf-reliability.md), in-process against
// one PostgreSQL:
//   1. claim + complete: parallel claimers run StepClaimer.TryClaimAsync then StepResults.FinishAsync
//      until the queue is empty; claims/s against a bare SKIP LOCKED queue table in the same run, and a
//      check that no step was claimed twice.
//   2. dispatch round: one claim (the whole ordered, matched pick) with a 300,000-step backlog,
//      median and p99, against the same claims on a 2,000-step queue in the same run.
var claims = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 20_000;
var backlog = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 300_000;
var claimers = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 16;
var rounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 3;
if (backlog < 10_000 || claimers < 4)
{
    throw new ArgumentException("The backlog needs at least 10,000 steps and at least 4 claimers (the last phases use four workers).");
}

var work = Directory.CreateTempSubdirectory("hydra-bench-queue-").FullName;
await using var database = await BenchDatabase.CreateAsync(maxPoolSize: claimers + 8);
try
{
    var dataSource = database.DataSource;
    var hydra = Options.Create(new HydraOptions { DataDir = Path.Combine(work, "data") });
    var queueOptions = Options.Create(new QueueOptions());
    var clock = TimeProvider.System;
    var cache = new DirectoryCacheStorage(hydra, clock);
    var claimer = new StepClaimer(dataSource, queueOptions, new CachedSteps(dataSource, cache, clock, NullLogger<CachedSteps>.Instance), clock);
    // The notifier runs as in the server, so reports that finish builds send their (coalesced) NOTIFY.
    using var notifier = new RunnableNotifier(dataSource, new QueueSignal(), queueOptions, NullLogger<RunnableNotifier>.Instance);
    await notifier.StartAsync(CancellationToken.None);
    var results = new StepResults(dataSource, queueOptions, cache, new StepLogStore(hydra), notifier, clock, NullLogger<StepResults>.Instance);
    var seeder = new QueueSeeder(dataSource);
    Console.WriteLine($"PostgreSQL {await ScalarAsync<string>(dataSource, "SHOW server_version")}, {Environment.ProcessorCount} cores, {claimers} claimers; {Load.Now()}");

    // 1. claim + complete, in rounds alternating with the bare queue (the machine may be shared: compare ratios).
    var jobsets = await seeder.JobsetsAsync("throughput", 1);
    var workers = new long[claimers];
    for (var i = 0; i < claimers; i++)
    {
        workers[i] = await ScalarAsync<long>(dataSource, $"INSERT INTO workers (name, token_hash, created_at) VALUES ('w{i}', 'h{i}', now()) RETURNING id");
    }
    await seeder.HistoryAsync("history", jobsets[0], workers[0], claims);
    var ratios = new List<double>();
    var cpuRatios = new List<double>();
    var cpu = await CpuMeter.CreateAsync(dataSource);
    for (var round = 1; round <= rounds; round++)
    {
        var tag = $"throughput{round}";
        await seeder.RunnableWithBuildsAsync(tag, jobsets[0], claims);
        await seeder.ExecuteAsync("ANALYZE");
        var load = Load.Now();
        var cpu0 = cpu.Now();
        var run = await ClaimCompleteAsync(claimer, results, workers, claims);
        var cpu1 = cpu.Now();
        var bare = await BareQueueAsync(dataSource, claims, claimers);
        var cpu2 = cpu.Now();
        var ratio = run.PerSecond / bare;
        ratios.Add(ratio);
        Console.WriteLine($"claim+complete round {round}: {run.Claimed.Count} steps in {run.Seconds:F2} s = {run.PerSecond:F0}/s (target >= 5000); " +
            $"bare SKIP LOCKED queue {bare:F0}/s; ratio ours/bare {ratio:F2}; mean {run.ClaimMs:F2} ms to claim, {run.FinishMs:F2} ms to complete; {load.Until()}");
        // CPU per step, which depends far less on the machine's other load than the rates do (the bare queue's includes creating its table).
        var (oursClient, oursServer) = ((cpu1.Client - cpu0.Client) * 1000 / claims, (cpu1.Server - cpu0.Server) * 1000 / claims);
        var (bareClient, bareServer) = ((cpu2.Client - cpu1.Client) * 1000 / claims, (cpu2.Server - cpu1.Server) * 1000 / claims);
        if (oursServer is { } ourServer && bareServer is { } theirServer)
        {
            var cpuRatio = (oursClient + ourServer) / (bareClient + theirServer);
            cpuRatios.Add(cpuRatio);
            Console.WriteLine($"  CPU per step: ours {oursClient + ourServer:F3} ms (client {oursClient:F3}, PostgreSQL {ourServer:F3}); " +
                $"bare {bareClient + theirServer:F3} ms (client {bareClient:F3}, PostgreSQL {theirServer:F3}); ratio ours/bare {cpuRatio:F2}");
        }
        var duplicates = run.Claimed.Count - run.Claimed.Distinct().Count();
        var attempts = await seeder.CountAsync($"SELECT count(*) FROM step_attempts a JOIN steps s ON s.id = a.step_id WHERE s.drv_path LIKE '/nix/store/{tag}-%'");
        var claimedTwice = await seeder.CountAsync(
            $"SELECT count(*) FROM (SELECT a.step_id FROM step_attempts a JOIN steps s ON s.id = a.step_id WHERE s.drv_path LIKE '/nix/store/{tag}-%' GROUP BY a.step_id HAVING count(*) > 1) x");
        var unfinished = await seeder.CountAsync("SELECT count(*) FROM builds WHERE NOT finished");
        if (duplicates != 0 || claimedTwice != 0 || attempts != claims || run.Claimed.Count != claims || unfinished != 0)
        {
            throw new InvalidOperationException(
                $"A step was claimed twice ({duplicates} in the claims, {claimedTwice} in the database), {attempts} attempts for {claims} steps, or {unfinished} builds were left unfinished.");
        }
    }
    ratios.Sort();
    Console.WriteLine($"claim+complete: median ratio ours/bare {ratios[ratios.Count / 2]:F2} over {rounds} rounds; no step claimed twice, every build finished");
    if (cpuRatios.Count > 0)
    {
        cpuRatios.Sort();
        Console.WriteLine($"claim+complete: median CPU per step ours/bare {cpuRatios[cpuRatios.Count / 2]:F2} (client and PostgreSQL together)");
    }

    // 2. One dispatch round (claim) with a large backlog against a small one.
    var backlogJobsets = await seeder.JobsetsAsync("backlog", 30);
    await seeder.BacklogAsync("small", backlogJobsets, 2_000);
    var small = await RoundsAsync(claimer, workers[0], 200);
    await seeder.ExecuteAsync("DELETE FROM step_attempts; DELETE FROM steps WHERE drv_path LIKE '/nix/store/small-%'");
    await seeder.BacklogAsync("big", backlogJobsets, backlog);
    Console.WriteLine($"backlog: {await seeder.CountAsync("SELECT count(*) FROM steps WHERE state < 3")} unfinished steps, " +
        $"{await seeder.CountAsync("SELECT count(*) FROM steps WHERE state = 1")} runnable");
    var big = await RoundsAsync(claimer, workers[0], Math.Min(1_000, backlog / 100));
    Console.WriteLine($"dispatch round, x86_64+i686 worker: median {big.Median:F2} ms, p99 {big.P99:F2} ms with {backlog} queued (target <= 100 ms); " +
        $"with 2,000 queued: median {small.Median:F2} ms, p99 {small.P99:F2} ms; ratio of medians {big.Median / small.Median:F2}");
    var before = await PreviousPickAsync(dataSource, 50);
    Console.WriteLine($"baseline, the pick as it was before this dispatch work (system = ANY(...), sorted): median {before.Median:F2} ms, p99 {before.P99:F2} ms; " +
        $"ratio of medians now/before {big.Median / before.Median:F3}");
    var arm = await RoundsAsync(claimer, workers[1], Math.Min(300, backlog / 200), new ClaimRequest([QueueSeeder.Arm], [], 0));
    Console.WriteLine($"dispatch round, aarch64 worker (8 % of the queue): median {arm.Median:F2} ms, p99 {arm.P99:F2} ms");
    var kvm = await RoundsAsync(claimer, workers[2], Math.Clamp(backlog / 1_000, 1, 50), new ClaimRequest([QueueSeeder.X86], [], 0, MandatoryFeatures: ["kvm"]));
    Console.WriteLine($"dispatch round, worker with mandatory kvm (1 % of the queue): median {kvm.Median:F2} ms, p99 {kvm.P99:F2} ms");

    // The periodic work that keeps claims cheap, at the same size.
    var shares = new FairShares(dataSource, queueOptions, clock);
    var stopwatch = new Stopwatch();
    // The claims above end (so usage stops moving), and a tenth of the backlog gets history spread over ten minutes.
    await seeder.ExecuteAsync("UPDATE step_attempts SET state = 3, finished_at = now() WHERE state = 0");
    await seeder.ExecuteAsync("INSERT INTO step_attempts (step_id, worker_id, state, lease_expires_at, started_at, finished_at) " +
        $"SELECT s.id, {workers[3]}, 1, now(), now() - (s.id % 600) * interval '1 second', now() FROM steps s WHERE s.state = 0 AND s.id % 10 = 0");
    stopwatch.Restart();
    var moved = await shares.RefreshAsync(CancellationToken.None);
    Console.WriteLine($"fair-share refresh after a day of history appeared: {stopwatch.Elapsed.TotalMilliseconds:F0} ms, {moved} steps changed bucket");
    stopwatch.Restart();
    moved = await shares.RefreshAsync(CancellationToken.None);
    Console.WriteLine($"fair-share refresh with nothing changed: {stopwatch.Elapsed.TotalMilliseconds:F0} ms, {moved} steps changed bucket");
    var maintenance = new QueueMaintenance(dataSource, queueOptions, clock);
    await seeder.ExecuteAsync($"UPDATE workers SET last_seen_at = now(), systems = '{{{QueueSeeder.X86},{QueueSeeder.I686}}}' WHERE id = {workers[0]}");
    stopwatch.Restart();
    await maintenance.FailUnsupportedStepsAsync(CancellationToken.None);
    Console.WriteLine($"unsupported-system sweep over the runnable steps: {stopwatch.Elapsed.TotalMilliseconds:F0} ms");
}
finally
{
    Directory.Delete(work, recursive: true);
}

// Sequential claims, each timed; the claimed steps stay running (nothing completes them).
static async Task<(double Median, double P99)> RoundsAsync(StepClaimer claimer, long worker, int rounds, ClaimRequest? request = null)
{
    request ??= new ClaimRequest([QueueSeeder.X86, QueueSeeder.I686], ["big-parallel"], 0);
    var times = new List<double>(rounds);
    for (var i = 0; i < rounds; i++)
    {
        var started = Stopwatch.GetTimestamp();
        var claim = await claimer.TryClaimAsync(worker, "bench", request, CancellationToken.None)
            ?? throw new InvalidOperationException("The backlog ran dry.");
        times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        _ = claim;
    }
    return Percentiles(times);
}

// The claim's pick before issue 4 (one partial index on system, global and local priority; the worker's
// systems as system = ANY(...), which PostgreSQL answers by sorting every matching runnable step),
// timed on the same backlog with its index rebuilt for the occasion, each pick rolled back.
static async Task<(double Median, double P99)> PreviousPickAsync(NpgsqlDataSource dataSource, int rounds)
{
    await using var connection = await dataSource.OpenConnectionAsync();
    await using (var index = new NpgsqlCommand("CREATE INDEX previous_runnable ON steps (system, global_priority DESC, local_priority DESC, id) WHERE state = 1; ANALYZE steps", connection))
    {
        await index.ExecuteNonQueryAsync();
    }
    var times = new List<double>(rounds);
    for (var i = 0; i < rounds; i++)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        await using var pick = new NpgsqlCommand(
            """
            SELECT id FROM steps
            WHERE state = 1 AND system = ANY(@systems) AND (runnable_after IS NULL OR runnable_after <= now()) AND required_features <@ @features
            ORDER BY global_priority DESC, local_priority DESC, id
            LIMIT 1
            FOR UPDATE SKIP LOCKED
            """, connection, transaction);
        pick.Parameters.AddWithValue("systems", new[] { QueueSeeder.X86, QueueSeeder.I686 });
        pick.Parameters.AddWithValue("features", new[] { "big-parallel" });
        var started = Stopwatch.GetTimestamp();
        await pick.ExecuteScalarAsync();
        times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        await transaction.RollbackAsync();
    }
    await using (var drop = new NpgsqlCommand("DROP INDEX previous_runnable", connection))
    {
        await drop.ExecuteNonQueryAsync();
    }
    return Percentiles(times);
}

static (double Median, double P99) Percentiles(List<double> times)
{
    times.Sort();
    return (times[times.Count / 2], times[Math.Min(times.Count - 1, (int)Math.Ceiling(times.Count * 0.99) - 1)]);
}

// Claimers loop claim then report success until the queue is empty; every claimed step id is kept.
static async Task<(ConcurrentBag<long> Claimed, double Seconds, double PerSecond, double ClaimMs, double FinishMs)> ClaimCompleteAsync(
    StepClaimer claimer, StepResults results, long[] workers, int claims)
{
    var request = new ClaimRequest([QueueSeeder.X86], [], 0, MaxJobs: 4);
    var claimed = new ConcurrentBag<long>();
    long claimTicks = 0, finishTicks = 0;
    var stopwatch = Stopwatch.StartNew();
    await Task.WhenAll(workers.Select(worker => Task.Run(async () =>
    {
        while (true)
        {
            var started = Stopwatch.GetTimestamp();
            if (await claimer.TryClaimAsync(worker, "bench", request, CancellationToken.None) is not { } claim)
            {
                return;
            }
            var finishing = Stopwatch.GetTimestamp();
            claimed.Add(claim.StepId);
            var result = await results.FinishAsync(claim.AttemptId, worker, new FinishRequest(StepOutcome.Succeeded, 0, null, []), CancellationToken.None);
            if (result != FinishResult.Accepted)
            {
                throw new InvalidOperationException($"The report of attempt {claim.AttemptId} was not accepted: {result}");
            }
            Interlocked.Add(ref claimTicks, finishing - started);
            Interlocked.Add(ref finishTicks, Stopwatch.GetTimestamp() - finishing);
        }
    })));
    var seconds = stopwatch.Elapsed.TotalSeconds;
    var ms = 1000.0 / Stopwatch.Frequency / Math.Max(1, claimed.Count);
    return (claimed, seconds, claimed.Count / seconds, claimTicks * ms, finishTicks * ms);
}

// The simplest PostgreSQL queue there is, for scale: claim = UPDATE ... WHERE id = (SELECT ... FOR UPDATE
// SKIP LOCKED LIMIT 1), complete = UPDATE by id. Same number of jobs and claimers.
static async Task<double> BareQueueAsync(NpgsqlDataSource dataSource, int jobs, int claimers)
{
    await using (var create = dataSource.CreateCommand(
        $"DROP TABLE IF EXISTS bare_jobs; CREATE TABLE bare_jobs (id bigserial PRIMARY KEY, state smallint NOT NULL); CREATE INDEX ON bare_jobs (id) WHERE state = 0; " +
        $"INSERT INTO bare_jobs (state) SELECT 0 FROM generate_series(1, {jobs}); ANALYZE bare_jobs;"))
    {
        await create.ExecuteNonQueryAsync();
    }
    var done = 0;
    var stopwatch = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, claimers).Select(_ => Task.Run(async () =>
    {
        while (true)
        {
            await using var claim = dataSource.CreateCommand(
                "UPDATE bare_jobs SET state = 1 WHERE id = (SELECT id FROM bare_jobs WHERE state = 0 ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id");
            if (await claim.ExecuteScalarAsync() is not long id)
            {
                return;
            }
            await using var complete = dataSource.CreateCommand("UPDATE bare_jobs SET state = 2 WHERE id = @id");
            complete.Parameters.AddWithValue("id", id);
            await complete.ExecuteNonQueryAsync();
            Interlocked.Increment(ref done);
        }
    })));
    return done / stopwatch.Elapsed.TotalSeconds;
}

static async Task<T> ScalarAsync<T>(NpgsqlDataSource dataSource, string sql)
{
    await using var command = dataSource.CreateCommand(sql);
    return (T)(await command.ExecuteScalarAsync())!;
}
