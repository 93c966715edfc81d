namespace Hydra.Builder.Nix.Daemon;

/// <summary>
/// Constants of Nix's worker protocol (what <c>nix-daemon</c> speaks to its clients), checked against Nix 2.8,
/// which speaks 1.34. We need 1.34 for <see cref="BuildPathsWithResults"/> (a build result per path, with the
/// reason it failed) and the client's log messages as structured activities (from 1.20 on).
/// </summary>
public static class DaemonProtocol
{
    public const ulong ClientMagic = 0x6e697863;
    public const ulong ServerMagic = 0x6478696f;
    public const ulong ClientVersion = 0x122;

    /// <summary>The first minor version with <see cref="BuildPathsWithResults"/>.</summary>
    public const int MinServerMinor = 34;

    public const ulong QueryValidPaths = 31;
    public const ulong SetOptions = 19;
    public const ulong BuildPathsWithResults = 46;

    // What the daemon sends while it works on a request, before the answer.
    public const ulong StderrNext = 0x6f6c6d67;
    public const ulong StderrRead = 0x64617461;
    public const ulong StderrWrite = 0x64617416;
    public const ulong StderrLast = 0x616c7473;
    public const ulong StderrError = 0x63787470;
    public const ulong StderrStartActivity = 0x53545254;
    public const ulong StderrStopActivity = 0x53544f50;
    public const ulong StderrResult = 0x52534c54;

    /// <summary>Result types of activities that carry a line the builder wrote.</summary>
    public const ulong ResultBuildLogLine = 101;
    public const ulong ResultPostBuildLogLine = 107;

    /// <summary>Nix's <c>lvlInfo</c>: activities at this level or below are what <c>nix-store --realise</c> printed ("building '...'").</summary>
    public const ulong LevelInfo = 3;

    /// <summary>Nix's <c>lvlError</c>, sent as "verbose build" to have the builder's output passed on.</summary>
    public const ulong LevelError = 0;

    public static int Major(ulong version) => (int)(version >> 8);

    public static int Minor(ulong version) => (int)(version & 0xff);
}
