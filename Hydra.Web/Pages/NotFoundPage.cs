using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Hydra.Web.Pages;

/// <summary>The 404 page for HTML requests, with the reason.</summary>
public sealed class NotFoundPage : PageComponent
{
    [Parameter] public string Message { get; set; } = "";

    protected override string Title => "Not found";

    protected override void Body(Html html) =>
        html.Element("p", Message, "alert").Open("p").Link("/", "Back to the projects").Close();

    public static IResult Result(string message) =>
        new RazorComponentResult<NotFoundPage>(new { Message = message }) { StatusCode = StatusCodes.Status404NotFound };
}
