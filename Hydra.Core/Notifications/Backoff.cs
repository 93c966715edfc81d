namespace Hydra.Core.Notifications;

/// <summary>When a failed delivery is tried again: exponential, with jitter, never before what the receiver asked.</summary>
public static class Backoff
{
    /// <summary>
    /// <paramref name="initial"/> x 2^(attempts-1), capped at <paramref name="max"/>, times a jitter in [0.8, 1.2)
    /// so receivers that failed together are not hit together again; at least until <paramref name="notBefore"/>
    /// (a rate limit's reset time, itself capped at a day).
    /// </summary>
    public static DateTimeOffset Next(DateTimeOffset now, int attempts, TimeSpan initial, TimeSpan max, DateTimeOffset? notBefore)
    {
        var exponent = Math.Clamp(attempts - 1, 0, 30);
        var delay = TimeSpan.FromTicks((long)Math.Min(max.Ticks, initial.Ticks * Math.Pow(2, exponent)));
        delay *= 0.8 + (Random.Shared.NextDouble() * 0.4);
        var next = now + delay;
        if (notBefore is { } asked && asked > next)
        {
            next = asked < now + TimeSpan.FromDays(1) ? asked : now + TimeSpan.FromDays(1);
        }
        return next;
    }
}
