using System.Globalization;
using System.Text;
using Hydra.Queue.Workers;

namespace Hydra.Web.Hosting;

/// <summary>The table <c>hydra-server list-workers</c> prints: one line per worker, columns padded to fit.</summary>
internal static class WorkerListing
{
    public static string Format(IReadOnlyList<WorkerStatus> workers, DateTimeOffset now)
    {
        var rows = new List<string[]> { new[] { "NAME", "SYSTEMS", "JOBS", "LAST SEEN", "STATE" } };
        rows.AddRange(workers.Select(w => new[]
        {
            w.Name,
            w.Systems.Count == 0 ? "-" : string.Join(',', w.Systems),
            $"{w.RunningSteps}/{w.MaxJobs}",
            w.LastSeenAt is { } seen ? seen.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "never",
            State(w, now),
        }));
        var widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            text.AppendLine(string.Join("  ", row.Select((cell, c) => c == row.Length - 1 ? cell : cell.PadRight(widths[c]))).TrimEnd());
        }
        return text.ToString();
    }

    private static string State(WorkerStatus worker, DateTimeOffset now)
    {
        var state = !worker.Enabled ? "disabled"
            : worker.QuarantinedUntil is { } until ? $"quarantined until {until.UtcDateTime:yyyy-MM-dd HH:mm:ss'Z'} ({Math.Ceiling((until - now).TotalMinutes):0} min)"
            : "enabled";
        return worker.RecentFailures == 0 ? state : $"{state}; {worker.RecentFailures} aborted step(s) since its last success; last: {worker.LastFailure}";
    }
}
