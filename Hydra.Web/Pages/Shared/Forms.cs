using Microsoft.AspNetCore.Components.Forms;

namespace Hydra.Web.Pages.Shared;

/// <summary>Action buttons: each a small POST form carrying the antiforgery token (see Api/PostActions).</summary>
public static class Forms
{
    /// <summary>A button in a form of its own that POSTs to <paramref name="action"/>.</summary>
    public static Html PostButton(this Html html, string action, AntiforgeryRequestToken token, string label, string title) =>
        html.Open("form", "inline").Attr("method", "post").Attr("action", action)
            .Open("input").Attr("type", "hidden").Attr("name", token.FormFieldName).Attr("value", token.Value).Close()
            .Open("button").Attr("type", "submit").Attr("title", title).Text(label).Close()
            .Close();

    /// <summary>A row of <see cref="PostButton"/>s; nothing at all when there are none.</summary>
    public static Html ActionButtons(this Html html, AntiforgeryRequestToken token, IReadOnlyCollection<ActionButton> buttons)
    {
        if (buttons.Count == 0)
        {
            return html;
        }
        html.Open("div", "actions");
        foreach (var button in buttons)
        {
            html.PostButton(button.Action, token, button.Label, button.Title);
        }
        return html.Close();
    }
}

/// <summary>One action button: the URL it posts to, its label and its tooltip.</summary>
public sealed record ActionButton(string Action, string Label, string Title);
