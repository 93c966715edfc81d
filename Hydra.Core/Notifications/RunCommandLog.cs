namespace Hydra.Core.Notifications;

/// <summary>One run of a RunCommand sink for a build (a row of <c>run_command_logs</c>), as the build page shows it.</summary>
public sealed record RunCommandLog(long Id, string Command, int? ExitCode, string Output, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt);
