using Hydra.Core.Data;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Hydra.Bench;

/// <summary>
/// A migrated database of its own for one benchmark run, on the server <c>HYDRA_BENCH_DATABASE</c> (or
/// <c>HYDRA_TEST_DATABASE</c>) names; the role must be allowed to create databases. Dropped on dispose.
/// </summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string _admin;
    private readonly string _name;

    private BenchDatabase(string admin, string name, NpgsqlDataSource dataSource)
    {
        _admin = admin;
        _name = name;
        DataSource = dataSource;
    }

    public NpgsqlDataSource DataSource { get; }

    public static async Task<BenchDatabase> CreateAsync(int maxPoolSize)
    {
        var admin = Environment.GetEnvironmentVariable("HYDRA_BENCH_DATABASE") ?? Environment.GetEnvironmentVariable("HYDRA_TEST_DATABASE")
            ?? throw new InvalidOperationException("Set HYDRA_BENCH_DATABASE (or HYDRA_TEST_DATABASE) to a PostgreSQL server and a role that may create databases.");
        var name = $"hydra_bench_{Guid.NewGuid():N}";
        await AdminAsync(admin, $"CREATE DATABASE {name}");
        var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(admin) { Database = name, MaxPoolSize = maxPoolSize }.ConnectionString);
        var database = new BenchDatabase(admin, name, dataSource);
        try
        {
            await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).MigrateAsync(CancellationToken.None);
            return database;
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await AdminAsync(_admin, $"DROP DATABASE IF EXISTS {_name} WITH (FORCE)");
    }

    private static async Task AdminAsync(string admin, string sql)
    {
        var builder = new NpgsqlConnectionStringBuilder(admin) { Pooling = false };
        builder.Database ??= "postgres";
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
