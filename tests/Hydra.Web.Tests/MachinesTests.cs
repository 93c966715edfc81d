using System.Text.Json;
using Hydra.Queue.Workers;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Hydra.Web.Tests;

/// <summary><c>/machines</c>: the workers with their capabilities and quarantine, as a page and as JSON.</summary>
public sealed class MachinesTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    [Fact]
    public async Task Workers_are_listed_with_their_quarantine_and_disabled_state()
    {
        var tokens = factory.Services.GetRequiredService<WorkerTokens>();
        await tokens.CreateOrRotateAsync("arm-01", CancellationToken.None);
        await tokens.CreateOrRotateAsync("x86-01", CancellationToken.None);
        await tokens.CreateOrRotateAsync("x86-02", CancellationToken.None);
        await using (var command = factory.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
            """
            UPDATE workers SET systems = '{aarch64-linux}', quarantined_until = now() + interval '10 minutes', quarantine_level = 1,
                               last_failure = 'nix-store: command failed' WHERE name = 'arm-01';
            UPDATE workers SET systems = '{x86_64-linux}', features = '{kvm}', max_jobs = 4 WHERE name LIKE 'x86-%';
            """))
        {
            await command.ExecuteNonQueryAsync();
        }
        await factory.Services.GetRequiredService<WorkerDirectory>().SetEnabledAsync("x86-02", false, CancellationToken.None);

        using var json = JsonDocument.Parse(await factory.JsonClient().GetStringAsync("/machines"));
        var page = await factory.CreateClient().GetStringAsync("/machines");

        var machines = json.RootElement.EnumerateArray().ToDictionary(m => m.GetProperty("name").GetString()!);
        // By name; other tests of the class may add workers of their own.
        Assert.Equal(["arm-01", "x86-01", "x86-02"], machines.Keys.Where(k => k is "arm-01" or "x86-01" or "x86-02"));
        Assert.NotEqual(JsonValueKind.Null, machines["arm-01"].GetProperty("quarantineduntil").ValueKind);
        Assert.Equal("nix-store: command failed", machines["arm-01"].GetProperty("lastfailure").GetString());
        Assert.Equal(JsonValueKind.Null, machines["x86-01"].GetProperty("quarantineduntil").ValueKind);
        Assert.True(machines["x86-01"].GetProperty("enabled").GetBoolean());
        Assert.Equal(4, machines["x86-01"].GetProperty("maxjobs").GetInt32());
        Assert.False(machines["x86-02"].GetProperty("enabled").GetBoolean());
        Assert.Contains(">quarantined<", page, StringComparison.Ordinal);
        Assert.Contains(">disabled<", page, StringComparison.Ordinal);
        Assert.Contains("nix-store: command failed", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_page_shows_what_each_worker_is_building_now()
    {
        await factory.Services.GetRequiredService<WorkerTokens>().CreateOrRotateAsync("busy-01", CancellationToken.None);
        long buildId = 0, stepId = 0, doneStepId = 0;
        await factory.WithDbAsync(async db =>
        {
            var jobset = await Seed.JobsetAsync(db, "busy", "main");
            var running = await Seed.StepAsync(db, Hydra.Core.Data.Entities.StepState.Running);
            var done = await Seed.StepAsync(db, Hydra.Core.Data.Entities.StepState.Succeeded, 0);
            (stepId, doneStepId) = (running.Id, done.Id);
            buildId = (await Seed.BuildAsync(db, jobset, null, "busy-job", topStep: running)).Id;
        });
        await using (var command = factory.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
            $"""
            INSERT INTO step_attempts (step_id, worker_id, state, lease_expires_at, started_at)
            SELECT {stepId}, id, 0, now() + interval '5 minutes', now() - interval '90 seconds' FROM workers WHERE name = 'busy-01';
            INSERT INTO step_attempts (step_id, worker_id, state, lease_expires_at, started_at, finished_at)
            SELECT {doneStepId}, id, 1, now() - interval '1 minute', now() - interval '2 minutes', now() - interval '1 minute' FROM workers WHERE name = 'busy-01';
            """))
        {
            await command.ExecuteNonQueryAsync();
        }

        var page = await factory.CreateClient().GetStringAsync("/machines");

        var building = page.Split("<h2>Building now</h2>")[1];
        Assert.Contains("<td>busy-01</td>", building, StringComparison.Ordinal);
        Assert.Contains($"href=\"/build/{buildId}/step/{stepId}/log\"", building, StringComparison.Ordinal);
        Assert.Matches(@"<span title=""[^""]+"">1m \d\ds</span>", building);
        Assert.DoesNotContain($"/step/{doneStepId}/", building, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hydra_server_lists_disables_and_enables_workers()
    {
        await factory.Services.GetRequiredService<WorkerTokens>().CreateOrRotateAsync("cli-worker", CancellationToken.None);
        await using (var command = factory.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
            "UPDATE workers SET systems = '{riscv64-linux}', quarantined_until = now() + interval '1 hour', quarantine_level = 2 WHERE name = 'cli-worker'"))
        {
            await command.ExecuteNonQueryAsync();
        }

        var (disabled, _, disableMessage) = await ServerCommand.RunAsync(factory, "disable-worker", "cli-worker");
        var listed = await ServerCommand.RunAsync(factory, "list-workers");
        var (enabled, _, _) = await ServerCommand.RunAsync(factory, "enable-worker", "cli-worker");
        var relisted = await ServerCommand.RunAsync(factory, "list-workers");
        var (unknown, _, unknownMessage) = await ServerCommand.RunAsync(factory, "disable-worker", "no-such-worker");

        Assert.True(disabled == 0, disableMessage);
        Assert.Equal(0, listed.ExitCode);
        var line = listed.Stdout.Split('\n').Single(l => l.StartsWith("cli-worker ", StringComparison.Ordinal));
        Assert.Contains("riscv64-linux", line, StringComparison.Ordinal);
        Assert.Contains("disabled", line, StringComparison.Ordinal);
        Assert.StartsWith("NAME ", listed.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, enabled);
        // Enabling lifts the quarantine too.
        var relistedLine = relisted.Stdout.Split('\n').Single(l => l.StartsWith("cli-worker ", StringComparison.Ordinal));
        Assert.EndsWith("enabled", relistedLine, StringComparison.Ordinal);
        Assert.Equal(2, unknown);
        Assert.Contains("no worker named", unknownMessage, StringComparison.Ordinal);
    }
}
