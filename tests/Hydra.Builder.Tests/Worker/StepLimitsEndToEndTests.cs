using Hydra.Builder.Tests.Fakes;
using Hydra.Core.Protocol;

namespace Hydra.Builder.Tests.Worker;

/// <summary>The limits a claim carries, enforced on real Nix builds.</summary>
public sealed class StepLimitsEndToEndTests : RunningWorkerTests
{
    [Fact]
    public async Task A_build_past_its_timeout_is_stopped_and_reported_timed_out()
    {
        var drv = await TestNix.InstantiateAsync("while true; do echo still working; sleep 0.2; done");

        var (finish, _) = await BuildAsync(51, drv, new StepLimits(TimeoutSeconds: 2, MaxSilentSeconds: 0, 0, 0));

        Assert.Equal(StepOutcome.TimedOut, finish.Outcome);
        Assert.Equal(101, finish.ExitCode);
        Assert.Contains("timed out", Server.LogOf(51), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_build_silent_for_too_long_is_stopped_and_reported_timed_out()
    {
        var drv = await TestNix.InstantiateAsync("echo about to go quiet; sleep 120; echo ok > $out");

        var (finish, _) = await BuildAsync(52, drv, new StepLimits(TimeoutSeconds: 0, MaxSilentSeconds: 2, 0, 0));

        Assert.Equal(StepOutcome.TimedOut, finish.Outcome);
        Assert.Contains("of silence", Server.LogOf(52), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_build_writing_more_log_than_allowed_is_killed_and_reported_log_limit_exceeded()
    {
        // Without the limit this would print forever.
        var drv = await TestNix.InstantiateAsync("while true; do echo 0123456789012345678901234567890123456789; done");

        var (finish, _) = await BuildAsync(53, drv, new StepLimits(0, 0, MaxLogBytes: 20_000, 0));

        Assert.Equal(StepOutcome.LogLimitExceeded, finish.Outcome);
        Assert.Empty(finish.Outputs);
        var log = Server.LogOf(53);
        Assert.Contains("passed its limit of 20000 bytes", log, StringComparison.Ordinal);
        Assert.InRange(log.Length, 10_000, 20_000 + 200);
    }

    [Fact]
    public async Task Outputs_above_the_size_limit_are_not_uploaded_and_reported_output_limit_exceeded()
    {
        var drv = await TestNix.InstantiateAsync("i=0; while [ $i -lt 2000 ]; do echo line $i of a big output; i=$((i+1)); done > $out");

        var (finish, output) = await BuildAsync(54, drv, new StepLimits(0, 0, 0, MaxOutputBytes: 4096));

        Assert.Equal(StepOutcome.OutputLimitExceeded, finish.Outcome);
        Assert.True(Assert.Single(finish.Outputs).NarSize > 4096);
        Assert.Contains("more than the limit of 4096 bytes", finish.ErrorMessage, StringComparison.Ordinal);
        Assert.False(Server.CacheHasFile(Path.GetFileName(output)[..32] + ".narinfo"), "an output over the limit was uploaded");
    }

    [Fact]
    public async Task Generous_limits_let_a_build_succeed()
    {
        var drv = await TestNix.InstantiateAsync("echo fine; echo ok > $out");

        var (finish, _) = await BuildAsync(55, drv, new StepLimits(TimeoutSeconds: 600, MaxSilentSeconds: 600, MaxLogBytes: 1 << 20, MaxOutputBytes: 1 << 20));

        Assert.Equal(StepOutcome.Succeeded, finish.Outcome);
    }
}
