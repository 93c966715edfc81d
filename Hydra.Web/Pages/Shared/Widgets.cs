using System.Globalization;
using Hydra.Core;
using Hydra.Core.Data.Entities;

namespace Hydra.Web.Pages.Shared;

/// <summary>Small pieces the pages share: times, status badges, counts, pagers, store paths.</summary>
public static class Widgets
{
    /// <summary>"3 minutes ago" with the absolute UTC time in <c>datetime</c> and <c>title</c>.</summary>
    public static Html Time(this Html html, DateTimeOffset? value, DateTimeOffset now, string empty = "never")
    {
        if (value is not { } time)
        {
            return html.Element("span", empty, "muted");
        }
        var iso = Formatting.Iso(time);
        return html.Open("time").Attr("datetime", iso).Attr("title", iso).Text(Formatting.Relative(time, now)).Close();
    }

    /// <summary>Green for success, red for failures, grey for queued, aborted or cancelled.</summary>
    public static Html Badge(this Html html, bool finished, int? status, string? unfinishedLabel = null)
    {
        var text = !finished && unfinishedLabel is not null ? unfinishedLabel : BuildStatus.Describe(status, finished);
        var css = (finished, status) switch
        {
            (false, _) => unfinishedLabel == "Building" ? "badge badge-running" : "badge badge-queued",
            (_, BuildStatus.Succeeded) => "badge badge-ok",
            (_, BuildStatus.Aborted or BuildStatus.Cancelled) => "badge badge-queued",
            _ => "badge badge-failed",
        };
        return html.Open("span", css).Attr("title", text).Text(text).Close();
    }

    /// <summary>A step's state as a badge: its result once finished, else building / queued / waiting.</summary>
    public static Html StepBadge(this Html html, StepState state, int? status) => state switch
    {
        StepState.Succeeded => html.Badge(true, status ?? BuildStatus.Succeeded),
        StepState.Failed => html.Badge(true, status ?? BuildStatus.Failed),
        StepState.Cancelled => html.Badge(true, status ?? BuildStatus.Cancelled),
        StepState.Running => html.Badge(false, null, "Building"),
        StepState.Pending => html.Badge(false, null, "Waiting for dependencies"),
        _ => html.Badge(false, null, "Queued"),
    };

    public static Html Label(this Html html, string text, string kind = "queued") =>
        html.Element("span", text, $"badge badge-{kind}");

    /// <summary>Succeeded / failed / queued, coloured like the badges.</summary>
    public static Html Counts(this Html html, BuildCounts counts) =>
        html.Open("span", "counts")
            .Open("span", "count-ok").Attr("title", "succeeded").Text(Number(counts.Succeeded)).Close()
            .Open("span", "count-failed").Attr("title", "failed").Text(Number(counts.Failed)).Close()
            .Open("span", "count-queued").Attr("title", "queued").Text(Number(counts.Queued)).Close()
            .Close();

    public static Html StorePath(this Html html, string path) => html.Element("code", path, "store-path");

    /// <summary>
    /// "« First" and "Next ›" for a keyset-paginated list: <paramref name="nextAfter"/> is the last key shown when more
    /// rows follow. Keyset pages cost the same however deep one goes, unlike offsets.
    /// </summary>
    public static Html KeysetPager(this Html html, string baseUrl, bool notFirst, long? nextAfter, string key = "after", string nextLabel = "Next ›") =>
        html.KeysetPager(baseUrl, notFirst, nextAfter is { } after ? Number(after) : null, key, nextLabel);

    /// <summary>The same, for a key that is text (a job name, say); it is URL-escaped.</summary>
    public static Html KeysetPager(this Html html, string baseUrl, bool notFirst, string? nextAfter, string key = "after", string nextLabel = "Next ›")
    {
        if (!notFirst && nextAfter is null)
        {
            return html;
        }
        var separator = baseUrl.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        html.Open("nav", "pager");
        if (notFirst)
        {
            html.Link(baseUrl, "« First");
        }
        if (nextAfter is not null)
        {
            html.Link($"{baseUrl}{separator}{key}={Uri.EscapeDataString(nextAfter)}", nextLabel);
        }
        return html.Close();
    }

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
