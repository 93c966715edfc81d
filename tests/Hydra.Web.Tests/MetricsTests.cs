using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Hydra.Core.Protocol;
using Hydra.Web.Tests.Cache;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Hydra.Web.Tests;

/// <summary><c>GET /metrics</c> over real HTTP, read back after a worker claimed and finished a step.</summary>
public sealed class MetricsTests(CacheServerFactory factory) : IClassFixture<CacheServerFactory>
{
    [Fact]
    public async Task Metrics_show_queue_length_busy_slots_waits_durations_and_counts_after_a_claim_and_a_finish()
    {
        var system = $"metrics-{Guid.NewGuid():N}-linux";
        var waiting = $"waiting-{Guid.NewGuid():N}-linux";
        var worker = $"metrics-worker-{Guid.NewGuid():N}";
        using var client = factory.Client();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await factory.CreateWorkerTokenAsync(worker));
        var step = await ScalarAsync<long>(
            $"INSERT INTO steps (drv_path, system, state, created_at) VALUES ('/nix/store/{Guid.NewGuid():N}-m.drv', '{system}', 1, now()) RETURNING id; " +
            $"INSERT INTO steps (drv_path, system, state, created_at) SELECT '/nix/store/' || md5(random()::text) || '-w.drv', '{waiting}', 1, now() FROM generate_series(1, 2)");
        var before = await ScrapeAsync();

        using var claimed = await client.PostAsJsonAsync(WorkerProtocol.Claim, new ClaimRequest([system], [], 0, MaxJobs: 3));
        var claim = (await claimed.Content.ReadFromJsonAsync<ClaimResponse>())!;
        var running = await ScrapeAsync();
        using var finished = await client.PostAsJsonAsync(WorkerProtocol.ForAttempt(WorkerProtocol.Finish, claim.AttemptId), new FinishRequest(StepOutcome.Succeeded, 0, null, []));
        finished.EnsureSuccessStatusCode();
        var after = await ScrapeAsync();

        Assert.Equal(step, claim.StepId);
        Assert.Equal(1, Value(before, $"hydra_queue_runnable_steps{{system=\"{system}\"}}"));
        Assert.Equal(2, Value(after, $"hydra_queue_runnable_steps{{system=\"{waiting}\"}}"));
        Assert.Null(Find(after, $"hydra_queue_runnable_steps{{system=\"{system}\"}}"));
        Assert.Equal(3, Value(running, $"hydra_worker_slots{{worker=\"{worker}\"}}"));
        Assert.Equal(1, Value(running, $"hydra_worker_slots_busy{{worker=\"{worker}\"}}"));
        Assert.Equal(0, Value(after, $"hydra_worker_slots_busy{{worker=\"{worker}\"}}"));
        // Counters and histograms are process-wide (other test classes claim too): they moved by at least ours.
        Assert.True(Value(running, "hydra_queue_claims_total") >= Value(before, "hydra_queue_claims_total") + 1);
        Assert.True(Value(after, "hydra_queue_finishes_total{outcome=\"succeeded\"}") >= (Find(before, "hydra_queue_finishes_total{outcome=\"succeeded\"}") ?? 0) + 1);
        var waits = Value(after, "hydra_queue_runnable_wait_seconds_count");
        Assert.True(waits >= 1);
        Assert.Equal(waits, Value(after, "hydra_queue_runnable_wait_seconds_bucket{le=\"+Inf\"}"));
        Assert.InRange(Value(after, "hydra_queue_runnable_wait_seconds_sum") / waits, 0, 3600);
        var durations = Value(after, "hydra_queue_step_duration_seconds_count{outcome=\"succeeded\"}");
        Assert.True(durations >= 1);
        Assert.Equal(durations, Value(after, "hydra_queue_step_duration_seconds_bucket{outcome=\"succeeded\",le=\"+Inf\"}"));
        Assert.True(Value(after, "hydra_queue_step_duration_seconds_bucket{outcome=\"succeeded\",le=\"0.005\"}")
            <= Value(after, "hydra_queue_step_duration_seconds_bucket{outcome=\"succeeded\",le=\"3600\"}"));
        Assert.Contains("# TYPE hydra_queue_runnable_wait_seconds histogram\n", after, StringComparison.Ordinal);
        Assert.Contains("# TYPE hydra_worker_slots_busy gauge\n", after, StringComparison.Ordinal);
    }

    private async Task<string> ScrapeAsync()
    {
        using var client = factory.Client();
        using var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(response.Content.Headers.ContentType!.Parameters, p => p.Name == "version" && p.Value == "0.0.4");
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The value of the sample written exactly as <paramref name="series"/> (name and labels), or null.</summary>
    private static double? Find(string text, string series) =>
        text.Split('\n').Where(line => line.StartsWith(series + " ", StringComparison.Ordinal))
            .Select(line => (double?)double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture)).SingleOrDefault();

    private static double Value(string text, string series) =>
        Find(text, series) ?? throw new Xunit.Sdk.XunitException($"no sample {series} in:\n{text}");

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var command = factory.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
