using Hydra.Queue.Api;
using Hydra.Queue.Dispatch;
using Hydra.Queue.Leases;
using Hydra.Queue.Logs;
using Hydra.Queue.Completion;
using Hydra.Queue.Metrics;
using Hydra.Queue.Operations;
using Hydra.Queue.Workers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Hydra.Queue;

/// <summary>Entry point of the queue: claiming, leases, results, logs, build operations, worker tokens and health.</summary>
public static class HydraQueueExtensions
{
    /// <summary>
    /// Registers the queue. The worker API is served by every web process; the background loops
    /// (LISTEN, lease reaper) run only where the queue role is enabled.
    /// </summary>
    public static IHostApplicationBuilder AddHydraQueue(this IHostApplicationBuilder builder, bool runBackgroundServices)
    {
        builder.Services.AddOptions<QueueOptions>().Bind(builder.Configuration.GetSection(QueueOptions.Section))
            .Validate(o => o.LeaseDuration > o.HeartbeatInterval, "Hydra:Queue:LeaseDuration must be longer than HeartbeatInterval.")
            .Validate(o => o.BuildTimeout >= TimeSpan.Zero && o.MaxSilentTime >= TimeSpan.Zero && o.MaxLogSize >= 0 && o.MaxOutputSize >= 0,
                "Hydra:Queue limits (BuildTimeout, MaxSilentTime, MaxLogSize, MaxOutputSize) must not be negative; zero means none.")
            .Validate(o => o.MaxUnsupportedTime >= TimeSpan.Zero, "Hydra:Queue:MaxUnsupportedTime must not be negative.")
            .Validate(o => o.ShareWindow > TimeSpan.Zero && o.DispatchMaintenanceInterval > TimeSpan.Zero && o.ClaimPollInterval > TimeSpan.Zero,
                "Hydra:Queue:ShareWindow, DispatchMaintenanceInterval and ClaimPollInterval must be positive.")
            .Validate(o => o.QuarantineAfter >= 0 && o.QuarantineDuration > TimeSpan.Zero && o.MaxQuarantineDuration >= o.QuarantineDuration,
                "Hydra:Queue:QuarantineAfter must not be negative, QuarantineDuration must be positive and MaxQuarantineDuration at least as long.")
            .ValidateOnStart();
        builder.Services.AddSingleton<QueueSignal>();
        builder.Services.AddSingleton<StepClaimer>();
        builder.Services.AddSingleton<CachedSteps>();
        builder.Services.AddSingleton<ClaimDispatcher>();
        builder.Services.AddSingleton<WorkerRegistry>();
        builder.Services.AddSingleton<FairShares>();
        builder.Services.AddSingleton<BuildBumps>();
        builder.Services.AddSingleton<BuildOperations>();
        builder.Services.AddSingleton<BuildRestarts>();
        builder.Services.AddSingleton<LeaseService>();
        builder.Services.AddSingleton<UploadGrants>();
        builder.Services.AddSingleton<StepResults>();
        builder.Services.AddSingleton<RunnableNotifier>();
        builder.Services.AddSingleton<QueueMaintenance>();
        builder.Services.AddSingleton<StepLogWriter>();
        builder.Services.AddSingleton<StepLogStore>();
        builder.Services.AddSingleton<FailureCache>();
        builder.Services.AddSingleton<WorkerTokens>();
        builder.Services.AddSingleton<WorkerAuthFilter>();
        builder.Services.AddSingleton<WorkerHealth>();
        builder.Services.AddSingleton<WorkerRelease>();
        builder.Services.AddSingleton<WorkerDirectory>();
        builder.Services.AddSingleton<QueueGauges>();
        builder.Services.AddSingleton<MetricsCollector>();
        builder.Services.AddHostedService(services => services.GetRequiredService<MetricsCollector>());
        // Claims wake on NOTIFY in every process that serves the worker API, and wait in its dispatcher;
        // without LISTEN (Hydra:Queue:UseNotify = false) they poll every ClaimPollInterval.
        if (builder.Configuration.GetSection(QueueOptions.Section).GetValue(nameof(QueueOptions.UseNotify), true))
        {
            builder.Services.AddHostedService<QueueListener>();
        }
        builder.Services.AddHostedService(services => services.GetRequiredService<ClaimDispatcher>());
        builder.Services.AddHostedService(services => services.GetRequiredService<RunnableNotifier>());
        if (runBackgroundServices)
        {
            builder.Services.AddHostedService<LeaseReaper>();
            builder.Services.AddHostedService<DispatchMaintenance>();
        }
        return builder;
    }
}
