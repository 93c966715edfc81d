using Hydra.Web.Hosting;
using Microsoft.Extensions.Options;

namespace Hydra.Web.Channels;

/// <summary>Runs <see cref="ChannelFollower"/> every <see cref="ChannelOptions.FollowInterval"/>.</summary>
internal sealed partial class ChannelFollowService(
    ChannelFollower follower, IOptions<ChannelOptions> options, TimeProvider timeProvider, ILogger<ChannelFollowService> logger)
    : PeriodicService(timeProvider, logger)
{
    protected override TimeSpan Interval => options.Value.FollowInterval;

    protected override string Name => "Following channels";

    protected override async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var advanced = await follower.AdvanceAsync(cancellationToken);
        if (advanced > 0)
        {
            LogAdvanced(advanced);
        }
    }

    [LoggerMessage(EventId = 7100, Level = LogLevel.Information, Message = "Advanced {Count} following channel(s)")]
    private partial void LogAdvanced(int count);
}
