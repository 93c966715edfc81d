using Hydra.Web.Api;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Hydra.Web.Pages.Shared;

/// <summary>
/// The pages' forms save through the API's own code and turn its JSON answer into what a browser wants: on success
/// a redirect to the page to see next, otherwise the form (or an error page) again with the API's message.
/// </summary>
internal static class FormOutcome
{
    public static IResult Of(IResult result, string successUrl, Func<int, string, IResult> formWithError) =>
        Failure(result) is (int status, string message) ? formWithError(status, message) : Results.Redirect(successUrl);

    /// <summary>Null when the API's answer is a success; otherwise its status and message.</summary>
    public static (int Status, string Message)? Failure(IResult result) => result switch
    {
        IValueHttpResult<ErrorJson> { Value: { } error } and IStatusCodeHttpResult { StatusCode: { } status } => (status, error.Error),
        // HydraJson.Ok leaves the status unset, which is 200.
        IStatusCodeHttpResult { StatusCode: null or (>= 200 and < 300) } => null,
        _ => (StatusCodes.Status400BadRequest, "The form could not be saved."),
    };

    /// <summary>The same, with an error page that links back to <paramref name="backUrl"/>.</summary>
    public static IResult Of(IResult result, string successUrl, string backUrl) =>
        Of(result, successUrl, (status, message) => ErrorPage.Result(status, status == StatusCodes.Status403Forbidden ? "Forbidden" : "Not saved", message, backUrl));
}
