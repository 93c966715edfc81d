using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Hydra.Core.Protocol;
using Npgsql;

namespace Hydra.Bench.Protocol;

/// <summary>
/// Enqueue to pickup: idle workers long-poll; one step at a time becomes runnable, inserted together with its
/// NOTIFY in one statement as ingestion does, at random gaps of 100-300 ms. The latency runs from sending that
/// statement (so it includes the commit) to the worker holding the claim response.
/// </summary>
internal sealed class PickupLatency(BenchServer server, NpgsqlDataSource dataSource)
{
    private static int s_run;

    public async Task RunAsync(string label, string[] tokens, int samples, string target)
    {
        var system = $"bench-pickup-{Interlocked.Increment(ref s_run)}-linux";
        var enqueued = new ConcurrentDictionary<long, long>();
        var latencies = new ConcurrentBag<double>();
        using var stop = new CancellationTokenSource();
        var load = Load.Now();
        var pollers = tokens.Select(token => Task.Run(() => PollAsync(token, system, enqueued, latencies, stop.Token))).ToArray();
        // Let every worker reach the dispatcher's waiting list before the first step.
        await Task.Delay(TimeSpan.FromSeconds(1));
        for (var i = 0; i < samples; i++)
        {
            await Task.Delay(Random.Shared.Next(100, 300));
            await using var insert = dataSource.CreateCommand(
                $"""
                 WITH s AS (INSERT INTO steps (drv_path, system, state, created_at) VALUES ('/nix/store/pickup-{Guid.NewGuid():N}.drv', '{system}', 1, now()) RETURNING id)
                 SELECT id, pg_notify('hydra_steps_runnable', '') IS NULL FROM s
                 """);
            var sent = Stopwatch.GetTimestamp();
            await using var reader = await insert.ExecuteReaderAsync();
            await reader.ReadAsync();
            enqueued[reader.GetInt64(0)] = sent;
        }
        var deadline = Stopwatch.StartNew();
        while (latencies.Count < samples && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50);
        }
        await stop.CancelAsync();
        await Task.WhenAll(pollers);
        Console.WriteLine($"enqueue to pickup, {label}: {Summary(latencies, samples)} ({target}); {tokens.Length} idle long-polling workers; {load.Until()}");
    }

    /// <summary>The floor: the same insert with a NOTIFY on a private channel, to a connection LISTENing on it.</summary>
    public async Task BaselineAsync(int samples)
    {
        await using var listener = await dataSource.OpenConnectionAsync();
        await using (var listen = new NpgsqlCommand("LISTEN bench_pickup", listener))
        {
            await listen.ExecuteNonQueryAsync();
        }
        var latencies = new ConcurrentBag<double>();
        long sent = 0;
        listener.Notification += (_, _) => latencies.Add(Stopwatch.GetElapsedTime(Interlocked.Read(ref sent)).TotalMilliseconds);
        using var stop = new CancellationTokenSource();
        var waiting = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await listener.WaitAsync(stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
        var load = Load.Now();
        for (var i = 0; i < samples; i++)
        {
            await Task.Delay(Random.Shared.Next(100, 300));
            await using var insert = dataSource.CreateCommand(
                $"INSERT INTO steps (drv_path, system, state, created_at) VALUES ('/nix/store/baseline-{Guid.NewGuid():N}.drv', 'bench-baseline-linux', 0, now()); " +
                "SELECT pg_notify('bench_pickup', '')");
            Interlocked.Exchange(ref sent, Stopwatch.GetTimestamp());
            await insert.ExecuteNonQueryAsync();
        }
        await Task.Delay(500);
        await stop.CancelAsync();
        await waiting;
        Console.WriteLine($"enqueue to pickup, baseline (insert + NOTIFY to a bare LISTEN connection): {Summary(latencies, samples)}; {load.Until()}");
    }

    private async Task PollAsync(string token, string system, ConcurrentDictionary<long, long> enqueued, ConcurrentBag<double> latencies, CancellationToken stop)
    {
        using var client = new HttpClient { BaseAddress = new Uri(server.Url), Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var request = new ClaimRequest([system], [], 20, MaxJobs: 1);
        while (!stop.IsCancellationRequested)
        {
            HttpResponseMessage response;
            try
            {
                response = await client.PostAsJsonAsync(WorkerProtocol.Claim, request, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            using (response)
            {
                var received = Stopwatch.GetTimestamp();
                if (response.StatusCode == HttpStatusCode.NoContent)
                {
                    continue;
                }
                response.EnsureSuccessStatusCode();
                var claim = (await response.Content.ReadFromJsonAsync<ClaimResponse>(CancellationToken.None))!;
                // The enqueuer records its send time when its statement returns, which may be after the claim.
                var spin = Stopwatch.StartNew();
                long sent;
                while (!enqueued.TryGetValue(claim.StepId, out sent) && spin.Elapsed < TimeSpan.FromSeconds(5))
                {
                    await Task.Delay(1, CancellationToken.None);
                }
                latencies.Add(Stopwatch.GetElapsedTime(sent, received).TotalMilliseconds);
                using var finish = await client.PostAsJsonAsync(WorkerProtocol.ForAttempt(WorkerProtocol.Finish, claim.AttemptId),
                    new FinishRequest(StepOutcome.Succeeded, 0, null, []), CancellationToken.None);
                finish.EnsureSuccessStatusCode();
            }
        }
    }

    private static string Summary(IEnumerable<double> values, int expected)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return $"no sample of {expected} arrived";
        }
        double At(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(sorted.Length * q) - 1)];
        return $"{sorted.Length} of {expected} samples, p50 {At(0.5):F1} ms, p99 {At(0.99):F1} ms, max {sorted[^1]:F1} ms";
    }
}
