namespace Hydra.Builder.Worker;

/// <summary>
/// Jittered exponential backoff: the base delay doubles per consecutive failure up to a cap, and each delay is
/// drawn from [base/2, base] so that many workers coming back after an outage do not knock in lockstep.
/// </summary>
public sealed class Backoff(TimeSpan initial, TimeSpan maximum)
{
    /// <summary>1 s doubling to 30 s: the worker's default for an unreachable server.</summary>
    public static Backoff Default() => new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

    /// <summary>Consecutive failures since the last <see cref="Reset"/>.</summary>
    public int Failures { get; private set; }

    /// <summary>Records a failure and returns how long to wait before the next try.</summary>
    public TimeSpan NextDelay()
    {
        var exponent = Math.Min(Failures, 30);
        Failures++;
        var ceiling = Math.Min(initial.TotalMilliseconds * Math.Pow(2, exponent), maximum.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + Random.Shared.NextDouble() * 0.5));
    }

    public void Reset() => Failures = 0;
}
