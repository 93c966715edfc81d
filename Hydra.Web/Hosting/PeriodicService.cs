namespace Hydra.Web.Hosting;

/// <summary>
/// Background work done every <see cref="Interval"/> (off when it is zero or negative). A round that fails (the
/// database is away, a deadlock) is logged and tried again after a longer, jittered pause; nothing is lost, since
/// each round starts from what the database and the cache hold.
/// </summary>
internal abstract partial class PeriodicService(TimeProvider timeProvider, ILogger logger) : BackgroundService
{
    protected abstract TimeSpan Interval { get; }

    /// <summary>What the work is called in logs, e.g. "Following channels".</summary>
    protected abstract string Name { get; }

    protected abstract Task RunOnceAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = Interval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            var delay = interval;
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                LogFailed(exception, Name);
                delay = interval * 3 + TimeSpan.FromMilliseconds(Random.Shared.Next(1000));
            }
            try
            {
                await Task.Delay(delay, timeProvider, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning, Message = "{Name} failed; retrying")]
    private partial void LogFailed(Exception exception, string name);
}
