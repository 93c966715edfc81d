using System.Text.Json.Nodes;
using Hydra.Core.Notifications;
using Hydra.Core.Protocol;
using Hydra.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Hydra.Queue.Tests.Notifications;

/// <summary>
/// A fresh database with project <c>p</c> and jobset <c>j</c>, the queue's services (<see cref="QueueHarness"/>)
/// and the notification services as the server composes them, on the queue's manual clock. No delivery loop
/// runs: a test calls <see cref="DeliverAsync"/> for each round, as the loop would.
/// </summary>
internal sealed class NotificationHarness : IAsyncDisposable
{
    private readonly string _connectionString;
    private IHost _host = null!;

    private NotificationHarness(string connectionString)
    {
        _connectionString = connectionString;
        Queue = new QueueHarness(connectionString);
    }

    public QueueHarness Queue { get; }
    public string System { get; } = $"notify-{Guid.NewGuid():N}-linux";
    public NotificationOutbox Outbox => _host.Services.GetRequiredService<NotificationOutbox>();
    public NotificationDeliveries Deliveries => _host.Services.GetRequiredService<NotificationDeliveries>();
    public IServiceProvider Services => _host.Services;
    public NotificationOptions Options => _host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<NotificationOptions>>().Value;

    public static async Task<NotificationHarness> CreateAsync(Action<NotificationOptions>? configure = null)
    {
        var harness = new NotificationHarness(await TestDatabase.CreateAsync());
        harness.StartServices(configure);
        await harness.Queue.ExecuteAsync(
            """
            INSERT INTO projects (name, display_name, owner, created_at) VALUES ('p', 'P', 'admin', now());
            INSERT INTO jobsets (project_id, name, nix_expr_input, nix_expr_path, created_at)
            SELECT id, 'j', 'src', 'default.nix', now() FROM projects WHERE name = 'p';
            """);
        return harness;
    }

    /// <summary>Throws the services away and builds them again: a restart of the server after a crash.</summary>
    public async Task RestartServicesAsync(Action<NotificationOptions>? configure = null)
    {
        _host.Dispose();
        await Task.CompletedTask;
        StartServices(configure);
    }

    private void StartServices(Action<NotificationOptions>? configure)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton(Queue.DataSource);
        builder.Services.AddSingleton<TimeProvider>(Queue.Clock);
        builder.Services.AddLogging();
        builder.AddHydraNotifications(deliver: false);
        builder.Services.Configure<NotificationOptions>(options =>
        {
            options.BaseUrl = "https://hydra.test";
            configure?.Invoke(options);
        });
        _host = builder.Build();
    }

    /// <summary>One delivery round; returns the number of deliveries attempted.</summary>
    public Task<int> DeliverAsync() => _host.Services.GetRequiredService<NotificationDeliverer>().RunOnceAsync(CancellationToken.None);

    public async Task<long> AddSinkAsync(string kind, JsonObject settings, string[]? events = null, string jobs = "*", string? jobset = null)
    {
        var store = _host.Services.GetRequiredService<NotificationSinkStore>();
        var change = new NotificationSinkStore.Change(jobset, kind, kind, true, events, jobs, settings);
        Assert.Null(NotificationSinkStore.Validate(change));
        return (await store.CreateAsync("p", change, CancellationToken.None))!.Value;
    }

    /// <summary>An evaluation of jobset j whose input <c>src</c> is the git repository <paramref name="uri"/> at <paramref name="revision"/>.</summary>
    public async Task<long> AddEvaluationAsync(string uri, string revision)
    {
        var id = await Queue.ScalarAsync<long>(
            """
            INSERT INTO evaluations (jobset_id, created_at, inputs_hash, nix_expr_input, nix_expr_path)
            SELECT id, now(), md5(random()::text), 'src', 'default.nix' FROM jobsets WHERE name = 'j' RETURNING id
            """);
        await Queue.ExecuteAsync(
            $"INSERT INTO evaluation_inputs (evaluation_id, name, type, uri, revision) VALUES ({id}, 'src', 'git', '{uri}', '{revision}')");
        return id;
    }

    /// <summary>A runnable step and a queued build of it in jobset j (a member of <paramref name="evaluation"/> when given).</summary>
    public async Task<(long Step, long Build)> AddBuildAsync(string job, long? evaluation = null, string maintainers = "")
    {
        var step = await Queue.AddStepAsync(job, System);
        var build = await Queue.ScalarAsync<long>(
            $"""
            INSERT INTO builds (jobset_id, job, nix_name, drv_path, system, top_step_id, queued_at, maintainers)
            SELECT id, '{job}', '{job}-1.0', '/nix/store/{Guid.NewGuid():N}-{job}.drv', '{System}', {step}, now(), '{maintainers}'
            FROM jobsets WHERE name = 'j' RETURNING id
            """);
        await Queue.ExecuteAsync($"INSERT INTO build_steps (build_id, step_id) VALUES ({build}, {step})");
        if (evaluation is { } id)
        {
            await Queue.ExecuteAsync($"INSERT INTO evaluation_members (evaluation_id, build_id, is_new) VALUES ({id}, {build}, true)");
        }
        return (step, build);
    }

    /// <summary>Claims the next runnable step of this harness's system and reports <paramref name="outcome"/> for it through the queue.</summary>
    public async Task<long> BuildNextAsync(StepOutcome outcome)
    {
        var worker = await Queue.AddWorkerAsync($"worker-{Guid.NewGuid():N}");
        var claim = (await Queue.Claimer.TryClaimAsync(worker, "w", new ClaimRequest([System], [], 0), CancellationToken.None))!;
        var failed = outcome != StepOutcome.Succeeded;
        await Queue.Results.FinishAsync(claim.AttemptId, worker,
            new FinishRequest(outcome, failed ? 100 : 0, failed ? "exit 1" : null, []), CancellationToken.None);
        return claim.StepId;
    }

    public Task<List<object[]>> RowsAsync(string sql) => Queue.RowsAsync(sql);

    public Task<T> ScalarAsync<T>(string sql) => Queue.ScalarAsync<T>(sql);

    public async ValueTask DisposeAsync()
    {
        _host.Dispose();
        await Queue.DisposeAsync();
        await TestDatabase.DropAsync(_connectionString);
    }
}
