namespace Hydra.Web.Api;

/// <summary>
/// Hydra's "follow me" redirects (<c>latest</c>, <c>latest-finished</c>, <c>latest-for/{system}</c>,
/// <c>latest-eval</c>, <c>/eval/{id}/job/{job}</c>, <c>/build/{id}/eval</c>) keep whatever follows them in the
/// path and the query, so <c>.../latest/download/1</c> lands on <c>/build/{id}/download/1</c>.
/// </summary>
internal static class TrailingPath
{
    /// <summary>A 302 to <paramref name="target"/> followed by <paramref name="rest"/> (a catch-all route value) and the request's query.</summary>
    public static IResult Redirect(HttpRequest request, string target, string? rest) =>
        Results.Redirect(Location(request, target, rest));

    public static string Location(HttpRequest request, string target, string? rest)
    {
        var suffix = string.IsNullOrEmpty(rest)
            ? ""
            : "/" + string.Join('/', rest.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.EscapeDataString));
        return target + suffix + request.QueryString.Value;
    }
}
