namespace Hydra.Queue.Operations;

/// <summary>Which finished builds of an evaluation a restart takes (Hydra's two buttons).</summary>
public enum RestartScope
{
    /// <summary><c>/eval/&lt;id&gt;/restart-failed</c>: every finished build that did not succeed.</summary>
    Failed,
    /// <summary><c>/eval/&lt;id&gt;/restart-aborted</c>: aborted (3), cancelled (4) and unsupported-system (9) builds.</summary>
    Aborted,
}
