namespace Hydra.Core.Notifications;

/// <summary>
/// A pulse that wakes every current waiter and is never lost: a waiter takes <see cref="Current"/>
/// before it looks for work, so a pulse between the look and the wait still completes its task.
/// (A semaphore would not do: a timed-out or abandoned wait can swallow a release.)
/// </summary>
public class AsyncSignal
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
