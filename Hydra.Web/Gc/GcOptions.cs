namespace Hydra.Web.Gc;

/// <summary>Binary-cache garbage collection settings, bound from <c>Hydra:Gc</c> (docs/channels.md).</summary>
public sealed class GcOptions
{
    public const string Section = "Hydra:Gc";

    /// <summary>How many of each channel's newest revisions keep their evaluations' outputs (default 10).</summary>
    public int ChannelHistoryDepth { get; set; } = 10;

    /// <summary>Files younger than this are never collected, so an upload in progress (NAR before narinfo) survives. Default 1 h.</summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How often the server collects by itself (e.g. <c>1.00:00:00</c> for daily). Zero, the default, leaves collection
    /// to <c>hydra-server gc</c> and <c>POST /api/admin/gc</c>: deleting from a cache is the operator's call to make.
    /// </summary>
    public TimeSpan Interval { get; set; } = TimeSpan.Zero;
}
