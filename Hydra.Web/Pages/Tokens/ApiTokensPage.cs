using Hydra.Web.Auth;
using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Components;

namespace Hydra.Web.Pages.Tokens;

/// <summary><c>GET /user/tokens</c>: the signed-in user's API tokens, a form for a new one, and a new token shown once.</summary>
public sealed class ApiTokensPage : PageComponent
{
    [Parameter, EditorRequired] public IReadOnlyList<ApiTokens.Listed> Tokens { get; set; } = [];

    /// <summary>A token just created: shown this once, never stored in the clear.</summary>
    [Parameter] public string? NewToken { get; set; }

    protected override string Title => "API tokens";

    protected override void Body(Html html)
    {
        if (NewToken is not null)
        {
            html.Open("div", "notice")
                .Element("p", "Your new token. Copy it now: it is not shown again.")
                .Open("pre").Attr("id", "new-token").Text(NewToken).Close()
                .Open("p").Text("Use it as ").Element("code", "Authorization: Bearer <token>").Text(" on the API.").Close()
                .Close();
        }
        html.Table(Tokens, "No tokens yet. Create one for each script, so each can be revoked on its own.",
            ["Description", "Created", "Last used", ""], token =>
            {
                html.Element("td", token.Description.Length == 0 ? "(no description)" : token.Description)
                    .Open("td").Time(token.CreatedAt, Now).Close()
                    .Open("td").Time(token.LastUsedAt, Now).Close()
                    .Open("td");
                if (FormToken is { } formToken)
                {
                    html.PostButton($"/user/tokens/{token.Id}/revoke", formToken, "Revoke", "Delete this token; scripts using it are refused from now on");
                }
                html.Close();
            });

        html.Element("h2", "New token");
        if (FormToken is not { } antiforgery)
        {
            return;
        }
        html.Open("form", "stacked").Attr("method", "post").Attr("action", "/user/tokens")
            .Open("input").Attr("type", "hidden").Attr("name", antiforgery.FormFieldName).Attr("value", antiforgery.Value).Close()
            .Open("label").Text("What it is for")
            .Open("input").Attr("name", "description").Attr("maxlength", "200").Attr("placeholder", "e.g. release script").Close()
            .Close()
            .Open("button").Attr("type", "submit").Text("Create token").Close()
            .Close();
    }
}
