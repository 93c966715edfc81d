namespace Hydra.Web.Cache;

/// <summary>The outcome of an upload to the cache: an HTTP status and, for refusals, why (plain text for Nix's error output).</summary>
public sealed record UploadResult(int StatusCode, string? Error)
{
    public static readonly UploadResult Stored = new(StatusCodes.Status204NoContent, null);

    public static UploadResult Invalid(string error) => new(StatusCodes.Status400BadRequest, error);

    public static UploadResult TooLarge(string error) => new(StatusCodes.Status413PayloadTooLarge, error);

    public IResult ToHttpResult() =>
        Error is null ? Results.StatusCode(StatusCode) : Results.Text(Error + "\n", "text/plain", statusCode: StatusCode);
}
