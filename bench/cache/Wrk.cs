using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Hydra.Bench.Cache;

/// <summary>Runs <c>wrk</c> (an epoll load generator in C, far lighter than a .NET client) and reads its summary.</summary>
internal static partial class Wrk
{
    public sealed record Result(double RequestsPerSecond, double P99Milliseconds, long Errors, long Non2xx);

    /// <summary>GETs the paths listed in <paramref name="pathsFile"/> in turn, over <paramref name="connections"/> keep-alive connections.</summary>
    public static async Task<Result> RunAsync(string baseUrl, string pathsFile, int connections, int seconds, string scratch)
    {
        var script = Path.Combine(scratch, $"paths-{Guid.NewGuid():N}.lua");
        await File.WriteAllTextAsync(script, $$"""
            local paths = {}
            for line in io.lines("{{pathsFile}}") do paths[#paths + 1] = line end
            local i = math.random(#paths)
            request = function()
              i = i % #paths + 1
              return wrk.format("GET", paths[i])
            end
            """);
        var threads = Math.Min(connections, 2);
        var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-t", threads.ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
                     "-d", seconds + "s", "--latency", "-s", script, baseUrl })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk failed: {errors}{output}");
        }

        var rate = double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var p99 = P99().Match(output);
        var socketErrors = SocketErrors().Match(output);
        var non2xx = Non2xx().Match(output);
        return new Result(
            rate,
            p99.Success ? Milliseconds(p99.Groups[1].Value, p99.Groups[2].Value) : double.NaN,
            socketErrors.Success ? socketErrors.Groups.Values.Skip(1).Sum(g => long.Parse(g.Value, CultureInfo.InvariantCulture)) : 0,
            non2xx.Success ? long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture) : 0);
    }

    private static double Milliseconds(string value, string unit)
    {
        var number = double.Parse(value, CultureInfo.InvariantCulture);
        return unit switch { "us" => number / 1000, "ms" => number, "s" => number * 1000, "m" => number * 60_000, _ => double.NaN };
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", RegexOptions.Multiline)]
    private static partial Regex P99();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex Non2xx();
}
