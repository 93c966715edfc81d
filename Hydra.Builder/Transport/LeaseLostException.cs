namespace Hydra.Builder.Transport;

/// <summary>The server answered 409 for an attempt: its lease is gone and further calls about it are pointless.</summary>
public sealed class LeaseLostException(long attemptId)
    : Exception($"The server no longer holds a lease for attempt {attemptId}.")
{
    public long AttemptId { get; } = attemptId;
}
