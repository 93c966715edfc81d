using System.Text;
using Hydra.Builder.Tests.Fakes;
using Hydra.Core.Protocol;
using Microsoft.Extensions.Hosting;

namespace Hydra.Builder.Tests.Worker;

/// <summary>The whole worker, in-process, against a fake server and cache, building with real Nix.</summary>
public sealed class WorkerEndToEndTests : FakeServerTests
{
    private Task<IHost> StartWorkerAsync(TimeSpan? drainTimeout = null) => Worker.StartAsync(Server, drainTimeout);

    [Fact]
    public async Task Builds_a_step_streams_its_log_and_pushes_the_output_with_the_token()
    {
        var drv = await TestNix.InstantiateAsync("echo building; echo ok > $out");
        var output = (await TestNix.OutputPathsAsync(drv)).Single();

        await StartWorkerAsync();
        Server.Enqueue(Claim(attemptId: 11, drv, output));
        var finish = await Server.WaitForFinishAsync(11, Patience);

        Assert.Equal(StepOutcome.Succeeded, finish.Outcome);
        Assert.Equal(0, finish.ExitCode);
        var reported = Assert.Single(finish.Outputs);
        Assert.Equal("out", reported.Name);
        Assert.Equal(output, reported.Path);
        Assert.StartsWith("sha256", reported.NarHash, StringComparison.Ordinal);
        Assert.True(reported.NarSize > 0);

        Assert.Contains("building", Server.LogOf(11), StringComparison.Ordinal);

        var narinfo = Path.GetFileName(output)[..32] + ".narinfo";
        Assert.True(Server.CacheHasFile(narinfo), $"{narinfo} was not uploaded");
        var basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"worker:{FakeHydraServer.Token}"));
        Assert.Equal(basic, Server.CacheUploads[narinfo]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_log_s_last_batch_comes_with_the_report_only_when_the_server_takes_it(bool finishTakesLog)
    {
        var drv = await TestNix.InstantiateAsync("echo first-of-log; echo last-of-log; echo ok > $out");
        var output = (await TestNix.OutputPathsAsync(drv)).Single();
        Server.FinishTakesLog = finishTakesLog;

        await StartWorkerAsync();
        Server.Enqueue(Claim(attemptId: 13, drv, output));
        var finish = await Server.WaitForFinishAsync(13, Patience);

        Assert.Equal(StepOutcome.Succeeded, finish.Outcome);
        var log = Server.LogOf(13);
        Assert.True(log.IndexOf("first-of-log", StringComparison.Ordinal) < log.IndexOf("last-of-log", StringComparison.Ordinal), log);
        Assert.Contains($"building '{drv}'", log, StringComparison.Ordinal);
        if (finishTakesLog)
        {
            // What the batches sent during the build did not hold came with the report (a quick build: all of it, usually).
            Assert.True(finish.Log is not null || Server.LogPosts.Contains(13), "the log went nowhere");
            Assert.EndsWith(finish.Log ?? "", log, StringComparison.Ordinal);
        }
        else
        {
            Assert.Null(finish.Log);
            Assert.Contains(13, Server.LogPosts);
        }
    }

    [Theory]
    [InlineData("echo small > $out", "none")]
    [InlineData("i=0; while [ $i -lt 3000 ]; do echo line $i; i=$((i+1)); done > $out", "br")]
    [InlineData("dd if=/dev/urandom of=$out bs=1024 count=2048 2>/dev/null", "br")]
    public async Task The_uploaded_output_substitutes_into_a_fresh_store(string script, string compression)
    {
        var drv = await TestNix.InstantiateAsync(script);
        var output = (await TestNix.OutputPathsAsync(drv)).Single();
        await StartWorkerAsync();
        Server.Enqueue(Claim(attemptId: 12, drv, output));
        Assert.Equal(StepOutcome.Succeeded, (await Server.WaitForFinishAsync(12, Patience)).Outcome);

        var narinfo = Server.CacheText(Path.GetFileName(output)[..32] + ".narinfo");
        Assert.Contains($"Compression: {compression}\n", narinfo, StringComparison.Ordinal);
        Assert.Contains($"Deriver: {Path.GetFileName(drv)}\n", narinfo, StringComparison.Ordinal);
        var store = Directory.CreateTempSubdirectory("hydra-builder-fresh-store-");
        try
        {
            // Nix itself checks the NAR against the narinfo's hashes and sizes while substituting.
            await TestNix.RunAsync("nix", ["copy", "--no-check-sigs", "--from", new Uri(Server.BaseUrl, "cache").ToString(), "--to", store.FullName, output]);
            Assert.Equal(await File.ReadAllTextAsync(output), await File.ReadAllTextAsync(store.FullName + output));
        }
        finally
        {
            store.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Two_slots_building_at_once_each_log_only_their_own_output()
    {
        // Each build waits (up to a minute) for the other to have started, so both run at the same time.
        var flags = Directory.CreateTempSubdirectory("hydra-builder-overlap-");
        File.SetUnixFileMode(flags.FullName, (UnixFileMode)0b111_111_111); // the builds may run as nixbld users
        try
        {
            string Script(string me, string other) =>
                $"echo {me}-start; touch {flags.FullName}/{me}; i=0; while [ ! -e {flags.FullName}/{other} ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done; " +
                $"echo {me}-end; echo {me} > $out";
            var left = await TestNix.InstantiateAsync(Script("left", "right"));
            var right = await TestNix.InstantiateAsync(Script("right", "left"));
            await Worker.StartAsync(Server, maxJobs: 2);

            Server.Enqueue(Claim(attemptId: 51, left, (await TestNix.OutputPathsAsync(left)).Single()));
            Server.Enqueue(Claim(attemptId: 52, right, (await TestNix.OutputPathsAsync(right)).Single()));

            Assert.Equal(StepOutcome.Succeeded, (await Server.WaitForFinishAsync(51, Patience)).Outcome);
            Assert.Equal(StepOutcome.Succeeded, (await Server.WaitForFinishAsync(52, Patience)).Outcome);
            foreach (var (attempt, me, other) in new[] { (51L, "left", "right"), (52L, "right", "left") })
            {
                var log = Server.LogOf(attempt);
                Assert.Contains($"{me}-start", log, StringComparison.Ordinal);
                Assert.Contains($"{me}-end", log, StringComparison.Ordinal);
                Assert.DoesNotContain($"{other}-", log, StringComparison.Ordinal);
            }
        }
        finally
        {
            flags.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_failing_build_is_reported_failed_with_its_log()
    {
        var drv = await TestNix.InstantiateAsync("echo failing on purpose; exit 1");
        var output = (await TestNix.OutputPathsAsync(drv)).Single();

        await StartWorkerAsync();
        Server.Enqueue(Claim(attemptId: 21, drv, output));
        var finish = await Server.WaitForFinishAsync(21, Patience);

        Assert.Equal(StepOutcome.Failed, finish.Outcome);
        Assert.Equal(100, finish.ExitCode);
        Assert.Empty(finish.Outputs);
        Assert.Contains("failing on purpose", finish.ErrorMessage, StringComparison.Ordinal);
        Assert.Contains("failing on purpose", Server.LogOf(21), StringComparison.Ordinal);
        Assert.False(Server.CacheHasFile(Path.GetFileName(output)[..32] + ".narinfo"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_lost_lease_or_a_cancelled_step_kills_the_build_and_reports_nothing(bool cancelled)
    {
        var slow = await TestNix.InstantiateAsync("echo started; sleep 60; echo ok > $out");
        var quick = await TestNix.InstantiateAsync("echo ok > $out");
        (cancelled ? Server.CancelledAttempts : Server.RevokedAttempts)[31] = true;
        await StartWorkerAsync();

        Server.Enqueue(Claim(attemptId: 31, slow, (await TestNix.OutputPathsAsync(slow)).Single()));
        Server.Enqueue(Claim(attemptId: 32, quick, (await TestNix.OutputPathsAsync(quick)).Single()));

        // One job slot: the second step only runs once the first was stopped by the 409 heartbeat.
        var next = await Server.WaitForFinishAsync(32, Patience);

        Assert.Equal(StepOutcome.Succeeded, next.Outcome);
        Assert.False(Server.HasFinished(31));
    }

    [Fact]
    public async Task Shutdown_drains_then_kills_the_build_and_reports_it_aborted()
    {
        var slow = await TestNix.InstantiateAsync("echo started; sleep 60; echo ok > $out");
        var worker = await StartWorkerAsync(drainTimeout: TimeSpan.FromMilliseconds(300));
        Server.Enqueue(Claim(attemptId: 41, slow, (await TestNix.OutputPathsAsync(slow)).Single()));
        await WaitUntilAsync(() => Server.LogOf(41).Contains("started", StringComparison.Ordinal));

        await worker.StopAsync();

        Assert.True(Server.HasFinished(41), "the interrupted step was not reported");
        var finish = await Server.WaitForFinishAsync(41, Patience);
        Assert.Equal(StepOutcome.Aborted, finish.Outcome);
        Assert.Empty(finish.Outputs);
    }

    private static ClaimResponse Claim(long attemptId, string drvPath, string output) => TestWorker.Claim(attemptId, drvPath, output);
}
