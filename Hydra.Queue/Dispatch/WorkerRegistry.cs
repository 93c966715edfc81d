using System.Collections.Concurrent;
using Hydra.Core.Protocol;
using Npgsql;

namespace Hydra.Queue.Dispatch;

/// <summary>
/// Keeps <c>workers</c> up to date with what each worker says in its claims: systems, features, slots and
/// speed. The unsupported-system check reads it (together with <c>last_seen_at</c>), as will the workers page.
/// </summary>
public sealed class WorkerRegistry(NpgsqlDataSource dataSource)
{
    /// <summary>What this process last stored per worker, so an unchanged claim costs no round trip.</summary>
    private readonly ConcurrentDictionary<long, string> _recorded = new();

    /// <summary>
    /// Stores the worker's capabilities. Every claim comes through here, so it goes to the database only when they
    /// differ from what this process stored last (and the statement itself writes only when the row differs).
    /// </summary>
    public async Task RecordAsync(long workerId, ClaimRequest request, CancellationToken cancellationToken)
    {
        var capabilities = WorkerCapabilities.From(request);
        var said = string.Join('|', capabilities.Key, request.MaxJobs, capabilities.SpeedFactor, string.Join(',', request.Systems));
        if (_recorded.TryGetValue(workerId, out var last) && last == said)
        {
            return;
        }
        var systems = request.Systems.Distinct(StringComparer.Ordinal).ToArray();
        var features = capabilities.Supported.Except(capabilities.Mandatory, StringComparer.Ordinal).ToArray();
        await using var command = dataSource.CreateCommand(
            """
            UPDATE workers SET systems = @systems, features = @features, mandatory_features = @mandatory,
                               max_jobs = COALESCE(@max_jobs, max_jobs), speed_factor = @speed
            WHERE id = @id
              AND (systems, features, mandatory_features, max_jobs, speed_factor)
                  IS DISTINCT FROM (@systems, @features, @mandatory, COALESCE(@max_jobs, max_jobs), @speed)
            """);
        command.Parameters.AddWithValue("systems", systems);
        command.Parameters.AddWithValue("features", features);
        command.Parameters.AddWithValue("mandatory", capabilities.Mandatory);
        command.Parameters.Add(new NpgsqlParameter<int?>("max_jobs", request.MaxJobs is > 0 ? request.MaxJobs : null));
        command.Parameters.AddWithValue("speed", capabilities.SpeedFactor);
        command.Parameters.AddWithValue("id", workerId);
        await command.ExecuteNonQueryAsync(cancellationToken);
        _recorded[workerId] = said;
    }
}
