namespace Hydra.Core.Notifications.Forges;

/// <summary>A commit status, before each forge's spelling of it.</summary>
public enum CommitState
{
    Pending,
    Running,
    Success,
    Failure,
    Error,
    Cancelled,
}

/// <summary>From Hydra's build states to commit states, as Hydra's GithubStatus plugin maps them.</summary>
public static class CommitStates
{
    public static CommitState For(string eventKind, int? buildStatus) => eventKind switch
    {
        NotificationEventKinds.BuildQueued => CommitState.Pending,
        NotificationEventKinds.BuildStarted => CommitState.Running,
        _ => buildStatus switch
        {
            BuildStatus.Succeeded => CommitState.Success,
            BuildStatus.Cancelled => CommitState.Cancelled,
            BuildStatus.Aborted or BuildStatus.CachedFailure or BuildStatus.LogLimitExceeded or BuildStatus.OutputLimitExceeded => CommitState.Error,
            _ => CommitState.Failure,
        },
    };
}
