namespace Hydra.Core.Protocol;

/// <summary>
/// Limits the worker enforces on one step; 0 means no limit. Time limits go to Nix
/// (<c>timeout</c>, <c>max-silent-time</c>: status 7 when hit); the worker counts the log itself and
/// stops the build past <see cref="MaxLogBytes"/> (status 10), and refuses to upload outputs whose NAR
/// size adds up to more than <see cref="MaxOutputBytes"/> (status 11).
/// </summary>
public sealed record StepLimits(int TimeoutSeconds, int MaxSilentSeconds, long MaxLogBytes, long MaxOutputBytes)
{
    public static readonly StepLimits None = new(0, 0, 0, 0);
}
