namespace Hydra.Web.Channels;

/// <summary>Channel settings, bound from <c>Hydra:Channels</c>.</summary>
public sealed class ChannelOptions
{
    public const string Section = "Hydra:Channels";

    /// <summary>How often following channels look for a newer passing evaluation (default 10 s; 0 turns following off in this process).</summary>
    public TimeSpan FollowInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>What <c>binary-cache-url</c> answers; default the server's own <c>/cache</c> as the request reached it.</summary>
    public string? BinaryCacheUrl { get; set; }
}
