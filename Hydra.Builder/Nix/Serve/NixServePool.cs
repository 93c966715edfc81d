using Microsoft.Extensions.Logging;

namespace Hydra.Builder.Nix.Serve;

/// <summary>
/// Long-lived <c>nix-store --serve</c> sessions shared by the job slots: a call takes an idle session (or
/// starts one), and gives it back unless the call broke it. So the pool holds at most as many sessions as
/// calls ever ran at once (the number of slots), and a Nix that died is replaced on the next call.
/// </summary>
public sealed class NixServePool(ILogger<NixServePool> logger) : IAsyncDisposable
{
    private readonly Stack<NixServeSession> _idle = new();
    private readonly Lock _gate = new();
    private bool _disposed;

    /// <summary>Runs <paramref name="call"/> on a session of its own.</summary>
    public async Task<T> UseAsync<T>(Func<NixServeSession, Task<T>> call, CancellationToken cancellationToken)
    {
        var session = TakeIdle() ?? await NixServeSession.StartAsync(line => BuilderLog.ServeMessage(logger, line), cancellationToken);
        try
        {
            return await call(session);
        }
        finally
        {
            if (session.IsBroken || !GiveBack(session))
            {
                await session.DisposeAsync();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<NixServeSession> sessions;
        lock (_gate)
        {
            _disposed = true;
            sessions = [.. _idle];
            _idle.Clear();
        }

        foreach (var session in sessions)
        {
            await session.DisposeAsync();
        }
    }

    private NixServeSession? TakeIdle()
    {
        lock (_gate)
        {
            return _idle.TryPop(out var session) ? session : null;
        }
    }

    private bool GiveBack(NixServeSession session)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return false;
            }

            _idle.Push(session);
            return true;
        }
    }
}
