using System.Globalization;
using Hydra.Builder.Configuration;
using Microsoft.Extensions.Logging;

namespace Hydra.Builder.Nix.Daemon;

/// <summary>
/// Long-lived <c>nix-daemon --stdio</c> sessions shared by the job slots: a build takes an idle session with the
/// same settings (or starts one) and gives it back unless the build broke it (a cancelled build kills its
/// session). So the pool holds at most as many sessions as builds ever ran at once (the number of slots).
/// </summary>
public sealed class NixDaemonPool(BuilderOptions options, ILogger<NixDaemonPool> logger) : IAsyncDisposable
{
    /// <summary>
    /// A daemon keeps every path it built or fetched alive as a temporary GC root until it exits: a session retires
    /// after this many builds so a worker's garbage collection can free them.
    /// </summary>
    public const int BuildsPerSession = 500;

    private readonly Stack<NixDaemonSession> _idle = new();
    private readonly Queue<string> _freeCacheHomes = new();
    private readonly Dictionary<NixDaemonSession, string> _cacheHomes = [];
    private readonly Lock _gate = new();
    private int _cacheHomeCount;
    private bool _disposed;

    /// <summary>Runs <paramref name="call"/> on a session of its own, started with <paramref name="settings"/>.</summary>
    public async Task<T> UseAsync<T>(NixDaemonSettings settings, Func<NixDaemonSession, Task<T>> call, CancellationToken cancellationToken)
    {
        var session = await TakeIdleAsync(settings) ?? await StartAsync(settings, cancellationToken);
        try
        {
            return await call(session);
        }
        finally
        {
            if (session.IsBroken || session.Builds >= BuildsPerSession || !GiveBack(session))
            {
                await RetireAsync(session);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        List<NixDaemonSession> sessions;
        lock (_gate)
        {
            _disposed = true;
            sessions = [.. _idle];
            _idle.Clear();
        }

        foreach (var session in sessions)
        {
            await RetireAsync(session);
        }
    }

    private async Task<NixDaemonSession> StartAsync(NixDaemonSettings settings, CancellationToken cancellationToken)
    {
        var cacheHome = RentCacheHome();
        try
        {
            var session = await NixDaemonSession.StartAsync(settings, cacheHome, line => BuilderLog.DaemonMessage(logger, line), cancellationToken);
            lock (_gate)
            {
                _cacheHomes[session] = cacheHome;
            }

            return session;
        }
        catch
        {
            ReturnCacheHome(cacheHome);
            throw;
        }
    }

    /// <summary>An idle session with these settings; idle sessions with others (the farm's cache moved) are retired.</summary>
    private async Task<NixDaemonSession?> TakeIdleAsync(NixDaemonSettings settings)
    {
        var stale = new List<NixDaemonSession>();
        NixDaemonSession? found = null;
        lock (_gate)
        {
            while (found is null && _idle.TryPop(out var session))
            {
                if (session.Settings == settings)
                {
                    found = session;
                }
                else
                {
                    stale.Add(session);
                }
            }
        }

        foreach (var session in stale)
        {
            await RetireAsync(session);
        }

        return found;
    }

    private bool GiveBack(NixDaemonSession session)
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

    private async Task RetireAsync(NixDaemonSession session)
    {
        await session.DisposeAsync();
        string? cacheHome;
        lock (_gate)
        {
            _cacheHomes.Remove(session, out cacheHome);
        }

        if (cacheHome is not null)
        {
            ReturnCacheHome(cacheHome);
        }
    }

    /// <summary>A Nix cache directory no running session uses (see <see cref="NixDaemonSession.StartAsync"/>).</summary>
    private string RentCacheHome()
    {
        lock (_gate)
        {
            if (_freeCacheHomes.TryDequeue(out var free))
            {
                return free;
            }
        }

        var path = Path.Combine(options.WorkDir, "nix-cache", Interlocked.Increment(ref _cacheHomeCount).ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(path);
        return path;
    }

    private void ReturnCacheHome(string path)
    {
        lock (_gate)
        {
            _freeCacheHomes.Enqueue(path);
        }
    }
}
