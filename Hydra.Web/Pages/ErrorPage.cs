using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Hydra.Web.Pages;

/// <summary>An HTML error page (403, 400, ...) with the reason, for requests made from the pages' forms.</summary>
public sealed class ErrorPage : PageComponent
{
    [Parameter] public string Heading { get; set; } = "Error";
    [Parameter] public string Message { get; set; } = "";
    [Parameter] public string? BackUrl { get; set; }

    protected override string Title => Heading;

    protected override void Body(Html html)
    {
        html.Element("p", Message, "alert");
        if (BackUrl is not null)
        {
            html.Open("p").Link(BackUrl, "Back").Close();
        }
    }

    public static IResult Result(int statusCode, string heading, string message, string? backUrl = null) =>
        new RazorComponentResult<ErrorPage>(new { Heading = heading, Message = message, BackUrl = backUrl }) { StatusCode = statusCode };
}
