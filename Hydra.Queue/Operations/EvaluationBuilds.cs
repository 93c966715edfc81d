using Npgsql;

namespace Hydra.Queue.Operations;

/// <summary>Picks the builds of an evaluation an operation applies to.</summary>
internal static class EvaluationBuilds
{
    /// <summary>The ids of the evaluation's builds matching <paramref name="condition"/> (SQL over <c>b</c>, the builds), by id.</summary>
    public static async Task<long[]> SelectAsync(NpgsqlDataSource dataSource, long evaluationId, string condition, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT b.id FROM evaluation_members m JOIN builds b ON b.id = m.build_id WHERE m.evaluation_id = @eval AND {condition} ORDER BY b.id");
        command.Parameters.AddWithValue("eval", evaluationId);
        return await ReadIdsAsync(command, cancellationToken);
    }

    public static async Task<long[]> ReadIdsAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var ids = new List<long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetInt64(0));
        }
        return [.. ids];
    }
}
