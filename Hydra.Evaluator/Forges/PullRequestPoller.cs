using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Hydra.Evaluator.Forges;

/// <summary>
/// Every <see cref="ForgeOptions.PollInterval"/>, lists the open pull requests of each repository that jobsets
/// follow and brings their pull-request jobsets in line. Webhooks make changes visible at once; the poll
/// catches what a lost or unconfigured webhook missed (a pull request closed while the server was down).
/// </summary>
public sealed partial class PullRequestPoller(
    PullRequestJobsets jobsets,
    PullRequestLister lister,
    IOptions<ForgeOptions> options,
    TimeProvider clock,
    ILogger<PullRequestPoller> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.PollInterval;
        if (interval <= TimeSpan.Zero)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PollOnceAsync(stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                LogPollFailed(exception);
            }
            // Jitter, so several evaluators do not call the forge in step.
            var delay = interval * (0.9 + (0.2 * Random.Shared.NextDouble()));
            await Task.Delay(delay, clock, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>One pass over every following jobset; a forge that fails leaves its jobsets as they are.</summary>
    public async Task PollOnceAsync(CancellationToken cancellationToken)
    {
        var listed = new Dictionary<PullRequestSource, IReadOnlyList<OpenPullRequest>?>();
        foreach (var template in await jobsets.TemplatesAsync(null, null, cancellationToken))
        {
            var key = template.Source with { Input = null };
            if (!listed.TryGetValue(key, out var open))
            {
                try
                {
                    open = await lister.ListOpenAsync(key, cancellationToken);
                }
                catch (Exception exception) when (exception is ForgeApiException or HttpRequestException
                                                  || (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    LogListFailed(key.Forge, key.Repository, exception.Message);
                    open = null;
                }
                listed[key] = open;
            }
            if (open is not null)
            {
                await jobsets.SyncAsync(template, open, cancellationToken);
            }
        }
    }

    [LoggerMessage(EventId = 1610, Level = LogLevel.Warning, Message = "Listing the open pull requests of {Forge} {Repository} failed: {Reason}")]
    private partial void LogListFailed(string forge, string repository, string reason);

    [LoggerMessage(EventId = 1611, Level = LogLevel.Error, Message = "Polling pull requests failed; trying again next round")]
    private partial void LogPollFailed(Exception exception);
}
