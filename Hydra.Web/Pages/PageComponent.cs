using System.Security.Claims;
using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.AspNetCore.Components.Rendering;

namespace Hydra.Web.Pages;

/// <summary>
/// The shared layout: document head, top bar (logo, Projects, Evaluations, Machines, sign-in state), breadcrumbs, title.
/// Pages derive from it and write their body with <see cref="Html"/>.
/// </summary>
public abstract class PageComponent : ComponentBase
{
    [Inject] private IHttpContextAccessor HttpContextAccessor { get; set; } = null!;
    [Inject] private TimeProvider TimeProvider { get; set; } = null!;
    [Inject] private AntiforgeryStateProvider Antiforgery { get; set; } = null!;

    protected abstract string Title { get; }

    /// <summary>"Projects › nixpkgs › trunk": links to the pages above this one.</summary>
    protected virtual void Breadcrumbs(Html html)
    {
    }

    protected abstract void Body(Html html);

    /// <summary>Scripts from wwwroot this page loads (deferred); pages work without them, they only add liveliness.</summary>
    protected virtual IReadOnlyList<string> Scripts => [];

    /// <summary>The signed-in user, or null for a visitor.</summary>
    protected ClaimsPrincipal? SignedInUser =>
        HttpContextAccessor.HttpContext?.User is { Identity.IsAuthenticated: true } user ? user : null;

    /// <summary>The antiforgery token the page's forms must carry.</summary>
    protected AntiforgeryRequestToken? FormToken => Antiforgery.GetAntiforgeryToken();

    /// <summary>The clock the relative times are measured against (a fake one in tests).</summary>
    protected DateTimeOffset Now => TimeProvider.GetUtcNow();

    protected sealed override void BuildRenderTree(RenderTreeBuilder builder)
    {
        var html = new Html(builder);
        html.Trusted("<!DOCTYPE html>");
        html.Open("html").Attr("lang", "en");
        html.Open("head")
            .Open("meta").Attr("charset", "utf-8").Close()
            .Open("meta").Attr("name", "viewport").Attr("content", "width=device-width, initial-scale=1").Close()
            .Element("title", $"{Title} - Hydra")
            .Open("link").Attr("rel", "icon").Attr("href", "/favicon.svg").Attr("type", "image/svg+xml").Close()
            .Open("link").Attr("rel", "stylesheet").Attr("href", "/css/site.css").Close();
        foreach (var script in Scripts)
        {
            html.Open("script").Attr("src", script).Attr("defer", "defer").Close();
        }
        html.Close();
        html.Open("body");
        TopBar(html);
        html.Open("main");
        html.Open("nav", "breadcrumbs");
        Breadcrumbs(html);
        html.Close();
        html.Element("h1", Title);
        Body(html);
        html.Close().Close().Close();
    }

    private void TopBar(Html html)
    {
        html.Open("header", "topbar").Link("/", "Hydra", "logo");
        html.Open("nav").Link("/", "Projects").Link("/status/evaluations", "Evaluations").Link("/queue", "Queue").Link("/machines", "Machines").Link("/search", "Search").Link("https://nixos.org/manual/nix/stable/", "Nix manual").Close();
        html.Open("div", "user");
        var user = HttpContextAccessor.HttpContext?.User;
        if (user?.Identity?.IsAuthenticated == true)
        {
            html.Element("span", user.Identity.Name).Link("/user/tokens", "API tokens");
            if (user.IsInRole(Auth.HydraRoles.Admin))
            {
                html.Link("/admin", "Admin");
            }
            // Sign-out is a POST carrying the antiforgery token, like every form.
            html.Open("form", "inline").Attr("method", "post").Attr("action", "/logout");
            if (FormToken is { } token)
            {
                html.Open("input").Attr("type", "hidden").Attr("name", token.FormFieldName).Attr("value", token.Value).Close();
            }
            html.Open("button", "link").Attr("type", "submit").Text("Sign out").Close()
                .Close();
        }
        else
        {
            html.Link("/login", "Sign in");
        }
        html.Close().Close();
    }
}
