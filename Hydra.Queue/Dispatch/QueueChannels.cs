namespace Hydra.Queue.Dispatch;

/// <summary>PostgreSQL NOTIFY channels. Payloads carry ids only; polling covers lost notifications.</summary>
public static class QueueChannels
{
    /// <summary>Some step became runnable.</summary>
    public const string StepsRunnable = "hydra_steps_runnable";

    /// <summary>A jobset was triggered (payload: jobset id).</summary>
    public const string JobsetTriggered = "hydra_jobset_triggered";
}
