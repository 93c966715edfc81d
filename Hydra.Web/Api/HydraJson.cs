using System.Text.Json;

namespace Hydra.Web.Api;

/// <summary>JSON results in Hydra's shapes: lower-case keys, nulls written, errors as <c>{"error": "..."}</c>.</summary>
internal static class HydraJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = new LowerCaseNamingPolicy(),
        DictionaryKeyPolicy = null,
    };

    public static IResult Ok(object value) => Results.Json(value, Options);

    public static IResult Status(object value, int statusCode) => Results.Json(value, Options, statusCode: statusCode);

    public static IResult Error(int statusCode, string message) =>
        Results.Json(new ErrorJson(message), Options, statusCode: statusCode);

    public static IResult NotFound(string message) => Error(StatusCodes.Status404NotFound, message);

    /// <summary>Seconds since the Unix epoch, as every Hydra timestamp is.</summary>
    public static long? Unix(DateTimeOffset? time) => time?.ToUnixTimeSeconds();

    public static long Unix(DateTimeOffset time) => time.ToUnixTimeSeconds();
}
