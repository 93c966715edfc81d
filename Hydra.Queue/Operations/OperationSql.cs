using Npgsql;

namespace Hydra.Queue.Operations;

/// <summary>Statements of one operation's transaction, with array parameters expanded by <c>unnest</c> where they need it.</summary>
internal sealed class OperationSql(NpgsqlConnection connection, NpgsqlTransaction transaction)
{
    public async Task ReadAsync(string sql, Action<NpgsqlDataReader> row, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            row(reader);
        }
    }

    public async Task ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = Command(sql, parameters);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private NpgsqlCommand Command(string sql, (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return command;
    }
}
