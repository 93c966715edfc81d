using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Hydra.Core.Protocol;
using Npgsql;

namespace Hydra.Bench.Protocol;

/// <summary>
/// Workers that claim and report success as fast as they can over HTTP, each with its own client and token,
/// against the same clients sending two plain requests per step.
/// </summary>
internal sealed class ClaimThroughput(BenchServer server, NpgsqlDataSource dataSource)
{
    private const string System = "bench-http-linux";
    private static long s_nextOutput;

    /// <summary>One round; returns the ratio of claim+finish per second to plain request pairs per second.</summary>
    public async Task<double> RunAsync(int round, string[] tokens, int steps, bool report = true)
    {
        var first = Interlocked.Add(ref s_nextOutput, steps) - steps;
        await using (var seed = dataSource.CreateCommand(
            $"""
             INSERT INTO steps (drv_path, system, state, output_paths, created_at)
             SELECT '/nix/store/http{round}-' || g || '.drv', '{System}', 1, ARRAY['/nix/store/' || lpad(({first} + g)::text, 32, '0') || '-out'], now()
             FROM generate_series(1, {steps}) g;
             ANALYZE steps;
             """))
        {
            seed.CommandTimeout = 600;
            await seed.ExecuteNonQueryAsync();
        }
        Directory.CreateDirectory(server.CacheDir);
        var clients = tokens.Select(Client).ToArray();
        var load = Load.Now();
        var cpu = await CpuMeter.CreateAsync(dataSource);
        var cpu0 = cpu.Now();
        var claimed = new ConcurrentBag<long>();
        var claimTimes = new ConcurrentBag<double>();
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(clients.Select(client => Task.Run(() => WorkAsync(client, claimed, claimTimes))));
        var ours = claimed.Count / stopwatch.Elapsed.TotalSeconds;
        var cpu1 = cpu.Now();

        stopwatch.Restart();
        var remaining = steps;
        await Task.WhenAll(clients.Select(client => Task.Run(async () =>
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                for (var i = 0; i < 2; i++)
                {
                    using var response = await client.GetAsync("/health");
                    response.EnsureSuccessStatusCode();
                }
            }
        })));
        var baseline = steps / stopwatch.Elapsed.TotalSeconds;
        var cpu2 = cpu.Now();
        foreach (var client in clients)
        {
            client.Dispose();
        }

        await CheckAsync(round, steps, claimed);
        var times = claimTimes.Order().ToArray();
        if (!report)
        {
            return ours / baseline;
        }
        Console.WriteLine($"claims over HTTP round {round}: {claimed.Count} claim+finish in {claimed.Count / ours:F2} s = {ours:F0}/s (target >= 1000); " +
            $"claim p50 {times[times.Length / 2]:F1} ms, p99 {times[(int)(times.Length * 0.99)]:F1} ms; " +
            $"baseline {tokens.Length} clients x 2 GET /health per step {baseline:F0}/s; ratio {ours / baseline:F2}; {load.Until()}");
        // CPU per step hardly depends on the machine's other load; this process is the server and the clients.
        if (cpu1.Server - cpu0.Server is { } oursServer && cpu2.Server - cpu1.Server is { } baseServer)
        {
            var oursProcess = cpu1.Client - cpu0.Client;
            var baseProcess = cpu2.Client - cpu1.Client;
            Console.WriteLine($"  CPU per step: ours {(oursProcess + oursServer) * 1000 / steps:F3} ms (server and clients {oursProcess * 1000 / steps:F3}, " +
                $"PostgreSQL {oursServer * 1000 / steps:F3}); 2 x GET /health {(baseProcess + baseServer) * 1000 / steps:F3} ms " +
                $"(server and clients {baseProcess * 1000 / steps:F3}, PostgreSQL {baseServer * 1000 / steps:F3})");
        }
        return ours / baseline;
    }

    private async Task WorkAsync(HttpClient client, ConcurrentBag<long> claimed, ConcurrentBag<double> claimTimes)
    {
        var request = new ClaimRequest([System], [], 0, MaxJobs: 1);
        while (true)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await client.PostAsJsonAsync(WorkerProtocol.Claim, request);
            if (response.StatusCode == HttpStatusCode.NoContent)
            {
                return;
            }
            response.EnsureSuccessStatusCode();
            var claim = (await response.Content.ReadFromJsonAsync<ClaimResponse>())!;
            claimTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            claimed.Add(claim.StepId);
            // The upload, as far as the server's success check can tell: the narinfo is in the cache dir.
            foreach (var output in claim.OutputPaths)
            {
                await File.WriteAllTextAsync(Path.Combine(server.CacheDir, Path.GetFileName(output)[..32] + ".narinfo"), $"StorePath: {output}\n");
            }
            var report = new FinishRequest(StepOutcome.Succeeded, 0, null, [.. claim.OutputPaths.Select(p => new StepOutputInfo("out", p, null, 100))]);
            using var finish = await client.PostAsJsonAsync(WorkerProtocol.ForAttempt(WorkerProtocol.Finish, claim.AttemptId), report);
            finish.EnsureSuccessStatusCode();
            var text = await finish.Content.ReadAsStringAsync();
            if (!text.Contains("Accepted", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"The report of attempt {claim.AttemptId} was not accepted: {text}");
            }
        }
    }

    private HttpClient Client(string token)
    {
        var client = new HttpClient { BaseAddress = new Uri(server.Url) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private async Task CheckAsync(int round, int steps, ConcurrentBag<long> claimed)
    {
        await using var command = dataSource.CreateCommand(
            $"""
             SELECT count(*) FILTER (WHERE s.state = 3),
                    (SELECT count(*) FROM (SELECT a.step_id FROM step_attempts a JOIN steps x ON x.id = a.step_id
                                           WHERE x.drv_path LIKE '/nix/store/http{round}-%' GROUP BY a.step_id HAVING count(*) > 1) twice)
             FROM steps s WHERE s.drv_path LIKE '/nix/store/http{round}-%'
             """);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        var succeeded = reader.GetInt64(0);
        var twice = reader.GetInt64(1);
        var duplicates = claimed.Count - claimed.Distinct().Count();
        if (succeeded != steps || twice != 0 || duplicates != 0 || claimed.Count != steps)
        {
            throw new InvalidOperationException(
                $"{succeeded} of {steps} steps succeeded, {claimed.Count} claims, {duplicates} steps claimed twice by the clients, {twice} with two attempts.");
        }
    }
}
