namespace Hydra.Core.Data.Entities;

/// <summary>Outcome of one attempt. Aborted means infrastructure trouble: the step is retried.</summary>
public enum AttemptState : short
{
    Running = 0,
    Succeeded = 1,
    Failed = 2,
    Aborted = 3,
}
