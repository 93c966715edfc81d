using Hydra.Builder.Configuration;
using Microsoft.Extensions.Logging;

namespace Hydra.Builder.Worker;

/// <summary>
/// Keeps the worker from claiming while its Nix store's file system is nearly full
/// (<see cref="BuilderOptions.MinFreeDiskMiB"/>): a build there would most likely fail for lack of space and
/// only cost the step a try. Slots wait here before each claim and look again every
/// <see cref="BuilderOptions.DiskCheckInterval"/>; steps already running go on. Said once in the log when
/// space runs low and once when it is back, however many slots wait.
/// </summary>
public sealed class DiskSpaceGate(BuilderOptions options, IFreeDiskSpace disk, TimeProvider timeProvider, ILogger<DiskSpaceGate> logger)
{
    private readonly Lock _lock = new();
    private bool _low;

    /// <summary>Returns once there is enough free space; false when <paramref name="stoppingToken"/> fired first.</summary>
    public async Task<bool> WaitForSpaceAsync(CancellationToken stoppingToken)
    {
        if (options.MinFreeDiskMiB <= 0)
        {
            return true;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            // Unknown counts as enough: a file system we cannot measure must not stop the farm.
            var free = disk.AvailableBytes(options.StoreDir);
            var enough = free is not { } bytes || bytes >= options.MinFreeDiskMiB * 1024 * 1024;
            Observe(enough, free);
            if (enough)
            {
                return true;
            }
            try
            {
                await Task.Delay(options.DiskCheckInterval, timeProvider, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
        return false;
    }

    private void Observe(bool enough, long? free)
    {
        lock (_lock)
        {
            if (_low == !enough)
            {
                return;
            }
            _low = !enough;
        }
        var freeMiB = (free ?? 0) / (1024 * 1024);
        if (enough)
        {
            BuilderLog.DiskSpaceBack(logger, options.StoreDir, freeMiB);
        }
        else
        {
            BuilderLog.DiskSpaceLow(logger, options.StoreDir, freeMiB, options.MinFreeDiskMiB);
        }
    }
}
