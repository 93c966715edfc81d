namespace Hydra.Queue.Dispatch;

/// <summary>
/// Wakes long-polling claims when steps may have become runnable. Pulsed by the LISTEN loop and by
/// this process's own state changes. Waiters take <see cref="Current"/> before looking at the queue,
/// so a pulse between the look and the wait is never lost.
/// </summary>
public sealed class QueueSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A task that completes at the next pulse.</summary>
    public Task Current => Volatile.Read(ref _next).Task;

    public void Pulse()
    {
        var previous = Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        previous.TrySetResult();
    }
}
