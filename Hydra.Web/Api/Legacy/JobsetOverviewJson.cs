namespace Hydra.Web.Api.Legacy;

/// <summary>
/// One jobset of <c>/api/jobsets?project=</c>. The counts are over the jobset's current builds (those of
/// its latest evaluation), as on Hydra's project page; times are Unix seconds.
/// </summary>
internal sealed record JobsetOverviewJson(
    string Name,
    string Project,
    int NrScheduled,
    int NrSucceeded,
    int NrFailed,
    int NrTotal,
    long? LastCheckedTime,
    long? StartTime,
    int CheckInterval,
    long? TriggerTime,
    string? FetchErrorMsg,
    long? ErrorTime,
    bool HasErrorMsg);
