using Hydra.Core.Protocol;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Hydra.Queue.Leases;

/// <summary>Renews leases and checks that an attempt still holds its step.</summary>
public sealed class LeaseService(NpgsqlDataSource dataSource, IOptions<QueueOptions> options, TimeProvider clock)
{
    /// <summary>
    /// Extends the lease if the attempt is still the step's current, running attempt.
    /// Returns null when the lease is lost (expired and reaped, or the step finished elsewhere).
    /// When the step was cancelled the answer says <c>Cancel</c> (the worker kills Nix and reports nothing)
    /// and the attempt ends here as aborted, so the worker's slot is free at once rather than after the lease.
    /// </summary>
    public async Task<HeartbeatResponse?> RenewAsync(long attemptId, long workerId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var lease = now + options.Value.LeaseDuration;
        await using var command = dataSource.CreateCommand(
            """
            UPDATE step_attempts a
            SET lease_expires_at = CASE WHEN s.state = 5 THEN a.lease_expires_at ELSE @lease END,
                state = CASE WHEN s.state = 5 THEN 3 ELSE 0 END,
                finished_at = CASE WHEN s.state = 5 THEN @now END,
                error_message = CASE WHEN s.state = 5 THEN 'cancelled: the worker was told to stop' END
            FROM steps s
            WHERE a.id = @attempt AND a.worker_id = @worker AND a.state = 0
              AND s.id = a.step_id AND s.current_attempt_id = a.id AND s.state IN (2, 5)
            RETURNING s.state
            """);
        command.Parameters.AddWithValue("attempt", attemptId);
        command.Parameters.AddWithValue("worker", workerId);
        command.Parameters.AddWithValue("lease", lease);
        command.Parameters.AddWithValue("now", now);
        var state = await command.ExecuteScalarAsync(cancellationToken);
        return state is short s ? new HeartbeatResponse(lease, Cancel: s == 5) : null;
    }

    /// <summary>The step of a running attempt held by this worker, or null when the lease is lost.</summary>
    public async Task<long?> RunningStepAsync(long attemptId, long workerId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT s.id FROM step_attempts a JOIN steps s ON s.id = a.step_id
            WHERE a.id = @attempt AND a.worker_id = @worker AND a.state = 0 AND s.current_attempt_id = a.id AND s.state = 2
            """);
        command.Parameters.AddWithValue("attempt", attemptId);
        command.Parameters.AddWithValue("worker", workerId);
        return await command.ExecuteScalarAsync(cancellationToken) as long?;
    }
}
