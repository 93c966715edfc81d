namespace Hydra.Web.Hosting;

/// <summary>
/// The settings <c>hydra-server [serve]</c> takes after its options, as ASP.NET Core's command-line configuration
/// reads them: <c>--Section:Key=value</c>, <c>--Section:Key value</c> or <c>Section:Key=value</c>, and the host's own
/// <c>--environment</c>, <c>--contentRoot</c>, <c>--applicationName</c> and <c>--webroot</c>. Every setting of the farm
/// has a section (<c>Hydra:</c>, <c>ConnectionStrings:</c>, <c>Serilog:</c>), so anything else is a mistake, which
/// the host would ignore and serve anyway; except a key given an empty value (<c>--Hydra=</c>), which sets nothing:
/// <c>WebApplicationFactory</c> passes each section's own entry so.
/// </summary>
internal static class ServerSettingArguments
{
    private static readonly string[] HostKeys = ["environment", "contentRoot", "applicationName", "webroot"];

    /// <summary>What is wrong with the first argument that is not a setting; null when all are.</summary>
    public static string? FindError(IReadOnlyList<string> arguments)
    {
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            var dashed = argument.StartsWith("--", StringComparison.Ordinal);
            var body = dashed ? argument[2..] : argument;
            var equals = body.IndexOf('=', StringComparison.Ordinal);
            var key = equals < 0 ? body : body[..equals];
            if (!dashed && equals < 0)
            {
                return $"'{argument}' is neither a command (see hydra-server --help) nor a setting (--Section:Key=value, e.g. --Hydra:DataDir=/var/lib/hydra).";
            }
            var empty = equals == body.Length - 1;
            if (key.Length == 0 || !(key.Contains(':', StringComparison.Ordinal) || HostKeys.Contains(key, StringComparer.OrdinalIgnoreCase) || empty))
            {
                return $"unknown option '{argument}'; settings name their section, e.g. --Hydra:DataDir=/var/lib/hydra or --ConnectionStrings:Hydra=...";
            }
            if (equals < 0 && ++i == arguments.Count)
            {
                return $"setting '{argument}' has no value; give it as {argument}=VALUE.";
            }
        }
        return null;
    }
}
