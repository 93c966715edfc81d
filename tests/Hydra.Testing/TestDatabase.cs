using Hydra.Core.Data;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Hydra.Testing;

/// <summary>
/// Real PostgreSQL for tests. <c>HYDRA_TEST_DATABASE</c> names a server and a role that may create
/// databases (<c>./dev.sh test</c> starts one). A migrated template is made once per test process;
/// each test class gets its own copy with <c>CREATE DATABASE ... TEMPLATE</c>, so classes run in parallel.
/// </summary>
public static class TestDatabase
{
    private static readonly SemaphoreSlim TemplateLock = new(1, 1);
    private static string? _templateName;

    public static string AdminConnectionString =>
        Environment.GetEnvironmentVariable("HYDRA_TEST_DATABASE")
        ?? throw new InvalidOperationException(
            "HYDRA_TEST_DATABASE is not set. Run the tests with ./dev.sh test, which starts PostgreSQL, " +
            "or point it at a server: HYDRA_TEST_DATABASE='Host=127.0.0.1;Port=5432;Username=postgres'.");

    /// <summary>Creates a fresh, migrated database and returns its connection string.</summary>
    public static async Task<string> CreateAsync()
    {
        var template = await EnsureTemplateAsync();
        var name = $"hydra_test_{Guid.NewGuid():N}";
        await ExecuteAdminAsync($"CREATE DATABASE {name} TEMPLATE {template}");
        return WithDatabase(name);
    }

    public static async Task DropAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        NpgsqlConnection.ClearAllPools();
        await ExecuteAdminAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    }

    private static async Task<string> EnsureTemplateAsync()
    {
        await TemplateLock.WaitAsync();
        try
        {
            if (_templateName is not null)
            {
                return _templateName;
            }
            var name = $"hydra_tmpl_{Environment.ProcessId}_{Guid.NewGuid():N}"[..40];
            await ExecuteAdminAsync($"CREATE DATABASE {name}");
            await using (var dataSource = NpgsqlDataSource.Create(WithDatabase(name)))
            {
                await new MigrationRunner(dataSource, NullLogger<MigrationRunner>.Instance).MigrateAsync(CancellationToken.None);
            }
            NpgsqlConnection.ClearAllPools();
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                try
                {
                    ExecuteAdminAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)").GetAwaiter().GetResult();
                }
                catch (NpgsqlException)
                {
                    // The server may already be gone at process exit; the test cluster is thrown away anyway.
                }
            };
            _templateName = name;
            return name;
        }
        finally
        {
            TemplateLock.Release();
        }
    }

    private static string WithDatabase(string database) =>
        new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = database }.ConnectionString;

    private static async Task ExecuteAdminAsync(string sql)
    {
        var builder = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Pooling = false };
        builder.Database ??= "postgres";
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
