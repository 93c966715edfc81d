using Microsoft.AspNetCore.Components;

namespace Hydra.Web.Pages.Shared;

/// <summary>
/// "Delete X?": what goes with it, and a form that deletes only when the name is typed again, so a slip of the mouse
/// deletes nothing. Used for jobsets and projects.
/// </summary>
public sealed class ConfirmDeletePage : PageComponent
{
    /// <summary>"jobset nixpkgs:trunk".</summary>
    [Parameter, EditorRequired] public string What { get; set; } = "";

    /// <summary>The text to type to confirm (the jobset's or project's name).</summary>
    [Parameter, EditorRequired] public string ConfirmText { get; set; } = "";

    [Parameter, EditorRequired] public string Consequences { get; set; } = "";

    [Parameter, EditorRequired] public string Action { get; set; } = "";

    [Parameter, EditorRequired] public string CancelUrl { get; set; } = "";

    [Parameter] public string? Error { get; set; }

    protected override string Title => $"Delete {What}?";

    protected override void Breadcrumbs(Html html) => html.Link("/", "Projects").Text(" › ").Link(CancelUrl, What).Text(" › delete");

    protected override void Body(Html html)
    {
        if (Error is not null)
        {
            html.Element("p", Error, "alert");
        }
        html.Element("p", Consequences, "alert");
        if (FormToken is not { } token)
        {
            return;
        }
        html.OpenPostForm(Action, token, "confirm-delete")
            .Field($"Type {ConfirmText} to confirm", "confirm", null, required: true)
            .Open("button", "danger").Attr("type", "submit").Text($"Delete {What}").Close()
            .Close()
            .Open("p").Link(CancelUrl, "Cancel, keep it").Close();
    }
}
