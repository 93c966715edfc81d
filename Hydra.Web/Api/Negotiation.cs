namespace Hydra.Web.Api;

/// <summary>
/// Hydra's content negotiation: a request is a JSON request when its <c>Accept</c> or its
/// <c>Content-Type</c> mentions <c>application/json</c> (hydra-cli sends the latter even on GET).
/// HTML is the default.
/// </summary>
internal static class Negotiation
{
    public static bool WantsJson(HttpRequest request) =>
        Mentions(request.Headers.Accept.ToString()) || Mentions(request.ContentType);

    public static bool HasJsonBody(HttpRequest request) => Mentions(request.ContentType);

    private static bool Mentions(string? header) =>
        header is not null && header.Contains("application/json", StringComparison.OrdinalIgnoreCase);
}
