using System.Collections.Concurrent;
using Hydra.Core;
using Hydra.Core.Protocol;
using Hydra.Core.Storage;
using Hydra.Queue.Dispatch;
using Hydra.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Queue.Tests.Dispatch;

/// <summary>Claims group-committed into one statement: every step once, the best steps to the first callers, slots per worker.</summary>
public sealed class ClaimBatchTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    private readonly string _system = DispatchSeed.UniqueSystem();

    private ClaimRequest Request => new([_system], [], 0);

    [Fact]
    public async Task Many_concurrent_claimers_through_the_batcher_claim_every_step_exactly_once()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        const int steps = 300;
        for (var i = 0; i < steps; i++)
        {
            await queue.AddRunnableAsync(_system);
        }
        var workers = new List<long>();
        for (var i = 0; i < 24; i++)
        {
            workers.Add(await queue.AddWorkerAsync($"batch-{i}"));
        }

        // Two claim loops per worker, all with the same capabilities: they queue behind each other's statements and share them.
        var claimed = new ConcurrentBag<(long Worker, long Step, long Attempt)>();
        await Task.WhenAll(workers.Concat(workers).Select(worker => Task.Run(async () =>
        {
            while (await queue.Claimer.TryClaimAsync(worker, "w", Request, CancellationToken.None) is { } claim)
            {
                claimed.Add((worker, claim.StepId, claim.AttemptId));
            }
        })));

        Assert.Equal(steps, claimed.Count);
        Assert.Equal(steps, claimed.Select(c => c.Step).Distinct().Count());
        var rows = await queue.RowsAsync(
            $"SELECT a.id, a.worker_id, a.step_id, s.current_attempt_id FROM step_attempts a JOIN steps s ON s.id = a.step_id WHERE s.system = '{_system}'");
        Assert.Equal(steps, rows.Count);
        // Each caller got the attempt that holds its step, recorded for its own worker.
        Assert.Equal(
            claimed.Select(c => (c.Attempt, c.Worker, c.Step)).Order(),
            rows.Select(r => ((long)r[0], (long)r[1], (long)r[2])).Order());
        Assert.All(rows, r => Assert.Equal(r[0], r[3]));
    }

    [Fact]
    public async Task One_statement_gives_the_best_steps_to_the_first_callers_and_keeps_each_workers_slots()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var single = await queue.AddWorkerAsync("one-slot");
        var double_ = await queue.AddWorkerAsync("two-slots");
        var disabled = await queue.AddWorkerAsync("switched-off");
        await queue.ExecuteAsync($"UPDATE workers SET enabled = false WHERE id = {disabled}");
        var best = await queue.AddRunnableAsync(_system, "global_priority = 30");
        var second = await queue.AddRunnableAsync(_system, "global_priority = 20");
        var third = await queue.AddRunnableAsync(_system, "global_priority = 10");
        var fourth = await queue.AddRunnableAsync(_system);

        var claims = await queue.Claimer.ClaimBatchAsync(WorkerCapabilities.From(Request),
        [
            new StepClaimer.ClaimCall(disabled, 4),
            new StepClaimer.ClaimCall(single, 1),
            new StepClaimer.ClaimCall(double_, 2),
            new StepClaimer.ClaimCall(single, 1),
            new StepClaimer.ClaimCall(double_, 2),
            new StepClaimer.ClaimCall(double_, 2),
        ]);

        Assert.Equal([null, best, second, null, third, null], claims.Select(c => c?.Claim.StepId));
        Assert.Equal(1, await queue.ScalarAsync<short>($"SELECT state FROM steps WHERE id = {fourth}"));
        // A slot held before the statement counts too.
        var again = await queue.Claimer.ClaimBatchAsync(WorkerCapabilities.From(Request), [new StepClaimer.ClaimCall(single, 1), new StepClaimer.ClaimCall(double_, 3)]);
        Assert.Equal([null, fourth], again.Select(c => c?.Claim.StepId));
    }

    [Fact]
    public async Task The_claim_statement_is_planned_once_per_connection_not_for_every_claim()
    {
        await using var queue = new QueueHarness(database.ConnectionString);
        var worker = await queue.AddWorkerAsync("planned");
        for (var i = 0; i < 10; i++)
        {
            await queue.AddRunnableAsync(_system);
        }
        // One pooled connection, so every claim and the look-up below share one session and its prepared statements.
        await using var single = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(database.ConnectionString) { MaxPoolSize = 1 }.ConnectionString);
        var cache = new DirectoryCacheStorage(Options.Create(new HydraOptions { DataDir = queue.HydraOptions.DataDir }), queue.Clock);
        var claimer = new StepClaimer(single, Options.Create(queue.QueueOptions), new CachedSteps(single, cache, queue.Clock, NullLogger<CachedSteps>.Instance), queue.Clock);
        for (var i = 0; i < 10; i++)
        {
            Assert.NotNull(await claimer.TryClaimAsync(worker, "planned", Request, CancellationToken.None));
        }

        await using var command = single.CreateCommand("SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE 'WITH caller AS%'");
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        // PostgreSQL plans the first five executions for their parameters, then keeps the generic plan when it looks no dearer.
        Assert.Equal((5L, 5L), (reader.GetInt64(0), reader.GetInt64(1)));
        Assert.False(await reader.ReadAsync());
    }
}
