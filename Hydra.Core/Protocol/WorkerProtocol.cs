namespace Hydra.Core.Protocol;

/// <summary>
/// HTTP paths of the worker protocol. Every call carries <c>Authorization: Bearer &lt;worker token&gt;</c>;
/// calls about an attempt also carry its id, which is the lease's fencing token.
/// </summary>
public static class WorkerProtocol
{
    /// <summary>GET: <see cref="WorkerInfo"/> for the calling worker (also checks its token).</summary>
    public const string Info = "/api/worker/info";

    /// <summary>POST <see cref="ClaimRequest"/>: 200 with <see cref="ClaimResponse"/>, or 204 when nothing came within the wait.</summary>
    public const string Claim = "/api/worker/claim";

    /// <summary>
    /// POST (no body) at start-up: the attempts this worker still holds from a previous run end as aborted and
    /// their steps are runnable at once. Answers <see cref="ReleaseResponse"/>.
    /// </summary>
    public const string Release = "/api/worker/release";

    /// <summary>POST <see cref="HeartbeatRequest"/> to renew the lease; 409 when the lease is lost (stop the build).</summary>
    public const string Heartbeat = "/api/worker/attempts/{attemptId}/heartbeat";

    /// <summary>POST raw log bytes (text/plain) to append to the step's log; 409 when the lease is lost.</summary>
    public const string Log = "/api/worker/attempts/{attemptId}/log";

    /// <summary>POST <see cref="FinishRequest"/> with the result; 409 when the lease is lost (a late or zombie report).</summary>
    public const string Finish = "/api/worker/attempts/{attemptId}/finish";

    /// <summary>Base path of the binary cache (Nix HTTP binary-cache protocol).</summary>
    public const string CachePath = "/cache";

    public static string ForAttempt(string template, long attemptId) =>
        template.Replace("{attemptId}", attemptId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
}
