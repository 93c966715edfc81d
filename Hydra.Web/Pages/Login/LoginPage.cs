using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Components;

namespace Hydra.Web.Pages.Login;

/// <summary>The sign-in form. The endpoint issues the antiforgery token and validates it on POST.</summary>
public sealed class LoginPage : PageComponent
{
    [Parameter] public string TokenFieldName { get; set; } = "";
    [Parameter] public string Token { get; set; } = "";
    [Parameter] public string? Error { get; set; }
    [Parameter] public string? ReturnUrl { get; set; }

    /// <summary>Whether to offer "Sign in with GitHub".</summary>
    [Parameter] public bool GitHub { get; set; }

    protected override string Title => "Sign in";

    protected override void Body(Html html)
    {
        if (Error is not null)
        {
            html.Element("p", Error, "alert");
        }
        html.Open("form", "login").Attr("method", "post").Attr("action", "/login");
        html.Open("input").Attr("type", "hidden").Attr("name", TokenFieldName).Attr("value", Token).Close();
        if (ReturnUrl is not null)
        {
            html.Open("input").Attr("type", "hidden").Attr("name", "returnUrl").Attr("value", ReturnUrl).Close();
        }
        html.Open("label").Text("User name")
            .Open("input").Attr("name", "username").Attr("autocomplete", "username").Attr("required", "").Attr("autofocus", "").Close()
            .Close();
        html.Open("label").Text("Password")
            .Open("input").Attr("name", "password").Attr("type", "password").Attr("autocomplete", "current-password").Attr("required", "").Close()
            .Close();
        html.Open("button").Attr("type", "submit").Text("Sign in").Close();
        html.Close();
        if (GitHub)
        {
            var href = ReturnUrl is null ? "/login/github" : $"/login/github?returnUrl={Uri.EscapeDataString(ReturnUrl)}";
            html.Open("p").Link(href, "Sign in with GitHub", "github-login").Close();
        }
        html.Open("p", "hint").Text("Accounts are created by an administrator with ")
            .Element("code", "hydra-server create-user").Text(".").Close();
    }
}
