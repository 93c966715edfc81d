using Npgsql;

namespace Hydra.Core.Notifications;

/// <summary>
/// Holds one connection LISTENing on some NOTIFY channels and pulses an <see cref="AsyncSignal"/> on
/// each notification, and once after every (re)connect for what was sent while it was away. On
/// connection loss it reconnects after a jittered pause. Loops that wait on the signal also poll,
/// so a lost notification only costs latency.
/// </summary>
public static class PostgresListener
{
    /// <summary>Runs until <paramref name="cancellationToken"/> is cancelled; never throws.</summary>
    public static async Task ListenAsync(NpgsqlDataSource dataSource, IReadOnlyList<string> channels, AsyncSignal signal, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                connection.Notification += (_, _) => signal.Pulse();
                foreach (var channel in channels)
                {
                    await using var listen = new NpgsqlCommand($"LISTEN {channel}", connection);
                    await listen.ExecuteNonQueryAsync(cancellationToken);
                }
                signal.Pulse();
                while (!cancellationToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(cancellationToken);
                }
            }
            catch (Exception exception) when (exception is NpgsqlException or IOException or InvalidOperationException)
            {
                await Task.Delay(TimeSpan.FromSeconds(2 + Random.Shared.NextDouble() * 3), cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
