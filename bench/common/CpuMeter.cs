using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace Hydra.Bench;

/// <summary>
/// CPU time spent by this process and by the PostgreSQL server's processes (the postmaster's children, read from
/// /proc, so only for a server on this machine). Unlike rates, CPU per step hardly depends on what else the
/// machine runs, which on a shared 2-core machine is what makes two designs comparable.
/// </summary>
internal sealed class CpuMeter
{
    private readonly int? _postmaster;

    private CpuMeter(int? postmaster) => _postmaster = postmaster;

    public static async Task<CpuMeter> CreateAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("SELECT pg_backend_pid()");
        var backend = (int)(await command.ExecuteScalarAsync())!;
        return new CpuMeter(ParentOf(backend));
    }

    /// <summary>CPU seconds so far: this process, and the server's processes (null when they cannot be read).</summary>
    public (double Client, double? Server) Now()
    {
        var client = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        if (_postmaster is not { } postmaster)
        {
            return (client, null);
        }
        long ticks = 0;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid) && Stat(pid) is { } stat && (stat.Parent == postmaster || pid == postmaster))
            {
                ticks += stat.Ticks;
            }
        }
        // Linux reports process times in clock ticks of 1/100 s (USER_HZ).
        return (client, ticks / 100.0);
    }

    private static int? ParentOf(int pid) => Stat(pid)?.Parent;

    private static (int Parent, long Ticks)? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) may hold spaces; the fields after it start behind its closing parenthesis.
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            return (int.Parse(fields[1], CultureInfo.InvariantCulture),
                long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }
}
