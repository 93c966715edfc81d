using Microsoft.Extensions.Options;

namespace Hydra.Web.Channels;

/// <summary>Runs <see cref="ChannelFollower"/> every <see cref="ChannelOptions.FollowInterval"/>.</summary>
internal sealed partial class ChannelFollowService(
    ChannelFollower follower, IOptions<ChannelOptions> options, TimeProvider timeProvider, ILogger<ChannelFollowService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.FollowInterval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            var delay = interval;
            try
            {
                var advanced = await follower.AdvanceAsync(stoppingToken);
                if (advanced > 0)
                {
                    LogAdvanced(advanced);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // Retriable (the database is away, a deadlock): try again after a longer, jittered pause.
                LogFailed(exception);
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

    [LoggerMessage(EventId = 7100, Level = LogLevel.Information, Message = "Advanced {Count} following channel(s)")]
    private partial void LogAdvanced(int count);

    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning, Message = "Following channels failed; retrying")]
    private partial void LogFailed(Exception exception);
}
