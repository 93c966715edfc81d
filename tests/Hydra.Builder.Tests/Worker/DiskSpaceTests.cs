using Hydra.Builder.Configuration;
using Hydra.Builder.Tests.Fakes;
using Hydra.Builder.Worker;
using Hydra.Core.Protocol;
using Microsoft.Extensions.Logging;

namespace Hydra.Builder.Tests.Worker;

public sealed class DiskSpaceTests : FakeServerTests
{
    private const long MiB = 1024 * 1024;

    private static DiskSpaceGate Gate(IFreeDiskSpace disk, CapturedLog log, long minFreeMiB = 1024) =>
        new(new BuilderOptions
        {
            Server = new Uri("http://h"), Token = "t", Systems = ["x86_64-linux"], Name = "n", WorkDir = "/w",
            MinFreeDiskMiB = minFreeMiB, DiskCheckInterval = TimeSpan.FromMilliseconds(10),
        }, disk, TimeProvider.System, new LoggerFactory([log]).CreateLogger<DiskSpaceGate>());

    [Fact]
    public async Task The_gate_holds_while_space_is_low_says_so_once_and_opens_when_it_returns()
    {
        var disk = new FakeDisk(100 * MiB);
        var log = new CapturedLog();
        var gate = Gate(disk, log);

        var first = gate.WaitForSpaceAsync(CancellationToken.None);
        var second = gate.WaitForSpaceAsync(CancellationToken.None);
        await WaitUntilAsync(() => disk.Checks >= 6);

        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);
        Assert.Equal(1, log.Count("Low disk space: /nix/store has 100 MiB free"));

        disk.Available = 2048 * MiB;

        Assert.True(await first.WaitAsync(Patience));
        Assert.True(await second.WaitAsync(Patience));
        Assert.Equal(1, log.Count("Disk space is back"));
    }

    [Fact]
    public async Task Enough_space_or_no_threshold_passes_at_once_and_stopping_ends_the_wait()
    {
        var log = new CapturedLog();
        Assert.True(await Gate(new FakeDisk(1024 * MiB), log).WaitForSpaceAsync(CancellationToken.None));
        Assert.True(await Gate(new FakeDisk(0), log, minFreeMiB: 0).WaitForSpaceAsync(CancellationToken.None));
        Assert.False(log.Contains("Low disk space"));

        using var stopping = new CancellationTokenSource();
        var waiting = Gate(new FakeDisk(0), log).WaitForSpaceAsync(stopping.Token);
        await stopping.CancelAsync();
        Assert.False(await waiting.WaitAsync(Patience));
    }

    [Fact]
    public void The_real_probe_measures_the_nearest_existing_directory()
    {
        var probe = new FreeDiskSpace();
        var missing = Path.Combine(Path.GetTempPath(), $"no-such-store-{Guid.NewGuid():N}", "store");

        // A fresh machine's /nix/store does not exist before its first build: its parent's file system counts.
        Assert.True(probe.AvailableBytes(Path.GetTempPath()) > 0);
        Assert.True(probe.AvailableBytes(missing) > 0);
    }

    [Fact]
    public async Task A_worker_with_a_nearly_full_store_claims_nothing_until_space_returns_then_builds()
    {
        var disk = new FakeDisk(10 * MiB);
        var drv = await TestNix.InstantiateAsync("echo ok > $out");
        Server.Enqueue(TestWorker.Claim(51, drv, (await TestNix.OutputPathsAsync(drv)).Single()));

        await Worker.StartAsync(Server, disk: disk);
        await WaitUntilAsync(() => disk.Checks >= 5);

        Assert.Empty(Server.ClaimRequests);
        Assert.True(Worker.Log.Contains("Low disk space"), "the worker must say why it does not claim");

        disk.Available = 100_000 * MiB;

        Assert.Equal(StepOutcome.Succeeded, (await Server.WaitForFinishAsync(51, Patience)).Outcome);
        Assert.True(Worker.Log.Contains("Disk space is back"));
    }
}
