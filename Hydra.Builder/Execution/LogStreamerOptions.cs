namespace Hydra.Builder.Execution;

/// <summary>Batching and buffering limits of <see cref="LogStreamer"/>.</summary>
public sealed record LogStreamerOptions
{
    /// <summary>Send what is buffered at least this often.</summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromMilliseconds(300);

    /// <summary>Send as soon as this much is buffered; also the largest batch.</summary>
    public int BatchBytes { get; init; } = 64 * 1024;

    /// <summary>Past this much unsent log, the oldest lines are dropped, so a slow server never stalls Nix.</summary>
    public long MaxBufferedBytes { get; init; } = 4 * 1024 * 1024;
}
