using Microsoft.Extensions.Hosting;

namespace Hydra.Core.Data;

/// <summary>
/// Applies migrations before any other hosted service starts (the evaluator and the queue need
/// the schema). Safe with several servers starting at once: <see cref="MigrationRunner"/> holds an advisory lock.
/// </summary>
public sealed class MigrateOnStart(MigrationRunner runner) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => runner.MigrateAsync(cancellationToken);

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
