using Hydra.Builder.Worker;

namespace Hydra.Builder.Tests.Worker;

public sealed class BackoffTests
{
    [Fact]
    public void Delays_double_from_one_second_up_to_thirty_with_jitter()
    {
        var backoff = Backoff.Default();
        double[] ceilings = [1, 2, 4, 8, 16, 30, 30, 30];

        foreach (var ceiling in ceilings)
        {
            var delay = backoff.NextDelay().TotalSeconds;
            Assert.InRange(delay, ceiling / 2, ceiling);
        }

        Assert.Equal(ceilings.Length, backoff.Failures);
    }

    [Fact]
    public void Reset_starts_over_at_one_second()
    {
        var backoff = Backoff.Default();
        for (var i = 0; i < 10; i++)
        {
            backoff.NextDelay();
        }

        backoff.Reset();

        Assert.InRange(backoff.NextDelay().TotalSeconds, 0.5, 1);
    }
}
