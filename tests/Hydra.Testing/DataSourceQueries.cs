using Npgsql;

namespace Hydra.Testing;

/// <summary>Reading rows straight from a test database.</summary>
public static class DataSourceQueries
{
    /// <summary>The rows of <paramref name="sql"/>, each as its column values (<see cref="DBNull"/> for NULL).</summary>
    public static async Task<List<object[]>> RowsAsync(this NpgsqlDataSource dataSource, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object[]>();
        while (await reader.ReadAsync())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }
        return rows;
    }
}
