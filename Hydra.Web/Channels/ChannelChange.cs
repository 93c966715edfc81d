namespace Hydra.Web.Channels;

/// <summary>The outcome of a promotion or a rollback; anything but <see cref="Done"/> leaves the channel as it was.</summary>
public enum ChannelChange
{
    Done,

    /// <summary>The evaluation (or the revision's evaluation) is already the channel's current one.</summary>
    AlreadyCurrent,

    /// <summary>The evaluation does not exist or belongs to another jobset; the revision is not this channel's.</summary>
    NotFound,
}
