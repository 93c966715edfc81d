using System.Globalization;

namespace Hydra.Web.Pages.Shared;

/// <summary>Text for times, durations and revisions as the pages show them.</summary>
public static class Formatting
{
    public static string Iso(DateTimeOffset time) =>
        time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>"3 minutes ago"; older than a month shows the date.</summary>
    public static string Relative(DateTimeOffset time, DateTimeOffset now)
    {
        var age = now - time;
        if (age < TimeSpan.Zero)
        {
            return "in the future";
        }
        return age.TotalSeconds switch
        {
            < 10 => "just now",
            < 60 => Plural((int)age.TotalSeconds, "second") + " ago",
            < 3600 => Plural((int)age.TotalMinutes, "minute") + " ago",
            < 86400 => Plural((int)age.TotalHours, "hour") + " ago",
            < 30 * 86400 => Plural((int)age.TotalDays, "day") + " ago",
            _ => time.ToUniversalTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>"in 3 minutes"; "now" once the time has come.</summary>
    public static string Until(DateTimeOffset time, DateTimeOffset now)
    {
        var wait = time - now;
        return wait.TotalSeconds switch
        {
            < 1 => "now",
            < 60 => "in " + Plural((int)wait.TotalSeconds, "second"),
            < 3600 => "in " + Plural((int)wait.TotalMinutes, "minute"),
            < 86400 => "in " + Plural((int)wait.TotalHours, "hour"),
            _ => "in " + Plural((int)wait.TotalDays, "day"),
        };
    }

    /// <summary>"1h 02m 03s", "4m 05s", "6s".</summary>
    public static string Duration(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            duration = TimeSpan.Zero;
        }
        var hours = (int)duration.TotalHours;
        return hours > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{hours}h {duration.Minutes:D2}m {duration.Seconds:D2}s")
            : duration.Minutes > 0
                ? string.Create(CultureInfo.InvariantCulture, $"{duration.Minutes}m {duration.Seconds:D2}s")
                : string.Create(CultureInfo.InvariantCulture, $"{duration.Seconds}s");
    }

    public static string Seconds(double seconds) => Duration(TimeSpan.FromSeconds(seconds));

    /// <summary>"512 B", "3.2 KiB", "1.5 GiB".</summary>
    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        var value = (double)bytes;
        var unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{bytes} B")
            : string.Create(CultureInfo.InvariantCulture, $"{value:0.#} {units[unit]}");
    }

    /// <summary>A git revision shortened to 12 characters, as people quote them.</summary>
    public static string ShortRevision(string revision) => revision.Length > 12 ? revision[..12] : revision;

    private static string Plural(int count, string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"{count} {unit}{(count == 1 ? "" : "s")}");
}
