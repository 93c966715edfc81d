using Npgsql;

namespace Hydra.Bench.Ingest;

/// <summary>
/// CPU time (user + system) from <c>/proc</c>, which the machine's load does not inflate the way it does
/// wall time: this process, its reaped children (the Nix processes), and the PostgreSQL server when it
/// runs on this machine (the postmaster, its reaped backends and its live ones).
/// </summary>
internal sealed class CpuClock(int? postmaster)
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux

    /// <summary>Finds the server's postmaster through its data directory; without access, the server's CPU reads as zero.</summary>
    public static async Task<CpuClock> CreateAsync(NpgsqlDataSource dataSource)
    {
        try
        {
            await using var command = dataSource.CreateCommand("SHOW data_directory");
            var directory = (string)(await command.ExecuteScalarAsync())!;
            var pid = int.Parse(File.ReadLines(Path.Combine(directory, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);
            return new CpuClock(File.Exists($"/proc/{pid}/stat") ? pid : null);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or PostgresException or FormatException)
        {
            return new CpuClock(null);
        }
    }

    /// <summary>CPU seconds so far: this process, its reaped children, the database server.</summary>
    public (double Own, double Children, double Server) Read()
    {
        var self = Stat("self");
        double server = 0;
        if (postmaster is { } pid)
        {
            var main = Stat(pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
            server = main.Own + main.Children;
            foreach (var directory in Directory.EnumerateDirectories("/proc"))
            {
                var name = Path.GetFileName(directory);
                if (name.All(char.IsAsciiDigit) && TryStat(name) is { } child && child.Parent == pid)
                {
                    server += child.Own;
                }
            }
        }
        return (self.Own, self.Children, server);
    }

    private static (double Own, double Children, int Parent) Stat(string pid) =>
        TryStat(pid) ?? throw new IOException($"/proc/{pid}/stat is not readable");

    private static (double Own, double Children, int Parent)? TryStat(string pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null; // the process ended meanwhile
        }
        // Fields after the command name (which may hold spaces), counted from field 3 (state).
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        double Field(int number) => long.Parse(fields[number - 3], System.Globalization.CultureInfo.InvariantCulture) / TicksPerSecond;
        return (Field(14) + Field(15), Field(16) + Field(17), (int)long.Parse(fields[4 - 3], System.Globalization.CultureInfo.InvariantCulture));
    }
}
