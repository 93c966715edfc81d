using Hydra.Testing;
using Npgsql;

namespace Hydra.EndToEnd.Tests;

/// <summary>
/// A PostgreSQL cluster of the test's own (scripts/pg.sh), so it can be restarted under a running farm
/// without disturbing the server every other test shares.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private static readonly string Script = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../scripts/pg.sh"));
    private readonly string _directory = Path.Combine(Directory.CreateTempSubdirectory("hydra-pg-").FullName, "cluster");
    private int _port;

    public string ConnectionString => $"Host=127.0.0.1;Port={_port};Username=postgres;Database=hydra";

    /// <summary>Starts the cluster (on a free port) and creates the <c>hydra</c> database.</summary>
    public async Task StartAsync()
    {
        _port = int.Parse((await PgAsync("start")).Split('\n').Last(), System.Globalization.CultureInfo.InvariantCulture);
        await using var connection = new NpgsqlConnection($"Host=127.0.0.1;Port={_port};Username=postgres;Database=postgres;Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("CREATE DATABASE hydra", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Stops the server (fast: open connections are cut) and starts it again on the same port.</summary>
    public async Task RestartAsync(TimeSpan down)
    {
        await PgAsync("stop");
        await Task.Delay(down);
        var port = (await PgAsync("start", ("PG_PORT", _port.ToString(System.Globalization.CultureInfo.InvariantCulture)))).Split('\n').Last();
        // pg.sh takes another port when the old one was taken meanwhile; the server under test would then never reconnect.
        Assert.True(port == _port.ToString(System.Globalization.CultureInfo.InvariantCulture), $"PostgreSQL came back on port {port}, not {_port}: another process took it");
    }

    public async ValueTask DisposeAsync()
    {
        var real = (await PgAsync("dir")).Trim();
        await PgAsync("stop");
        Directory.Delete(real, recursive: true);
        // DIR itself, or the symlink to where pg.sh put the cluster, and the temporary parent.
        Directory.Delete(Path.GetDirectoryName(_directory)!, recursive: true);
    }

    private async Task<string> PgAsync(string command, params (string Name, string Value)[] environment)
    {
        var (exitCode, output, error) = await TestProcess.RunAsync(Script, environment.ToDictionary(e => e.Name, e => e.Value), command, _directory);
        return exitCode == 0 ? output.Trim() : throw new InvalidOperationException($"scripts/pg.sh {command} failed ({exitCode}): {error}");
    }
}
