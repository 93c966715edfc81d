using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Components;

namespace Hydra.Web.Pages.Projects;

/// <summary>
/// <c>GET /project/{p}/edit</c>: the project's settings (the API's <c>PUT /project/{p}</c> fields), its members
/// (<c>?members=NAME</c> pages on, 50 a page) and a link to delete it.
/// </summary>
public sealed class EditProjectPage : PageComponent
{
    [Parameter, EditorRequired] public string Project { get; set; } = "";

    /// <summary>The form's values: the project's, or those sent when the form comes back with an error.</summary>
    [Parameter, EditorRequired] public IReadOnlyDictionary<string, string> Values { get; set; } = new Dictionary<string, string>();

    [Parameter] public string? Error { get; set; }

    /// <summary>Only admins give a project to someone else.</summary>
    [Parameter] public bool MayChangeOwner { get; set; }

    /// <summary>The owner and admins change who the members are.</summary>
    [Parameter] public bool MayChangeMembers { get; set; }

    [Parameter] public IReadOnlyList<string> Members { get; set; } = [];

    [Parameter] public string? MembersAfter { get; set; }

    [Parameter] public string? NextMembersAfter { get; set; }

    protected override string Title => $"Edit project {Project}";

    protected override void Breadcrumbs(Html html) =>
        html.Link("/", "Projects").Text(" › ").Link($"/project/{Project}", Project).Text(" › edit");

    protected override void Body(Html html)
    {
        if (Error is not null)
        {
            html.Element("p", Error, "alert");
        }
        if (FormToken is not { } token)
        {
            return;
        }
        html.OpenPostForm($"/project/{Project}/edit", token, "edit-project")
            .Field("Display name", "displayname", Value("displayname"))
            .Field("Description", "description", Value("description"))
            .Field("Homepage", "homepage", Value("homepage"));
        if (MayChangeOwner)
        {
            html.Field("Owner", "owner", Value("owner"), "A user name; the owner and the members administer the project.", required: true);
        }
        else
        {
            html.Open("p", "hint").Text($"Owner: {Value("owner")}. Only an admin gives a project to someone else.").Close();
        }
        html.Checkbox("Enabled", "enabled", Values.ContainsKey("enabled"))
            .Checkbox("Visible in the project list", "visible", Values.ContainsKey("visible"))
            .Element("h2", "Declarative jobsets")
            .Element("p", "Leave the file empty unless the project's jobsets are generated from a spec file in a repository.", "hint")
            .Field("Spec file", "declarative.file", Value("declarative.file"), "e.g. spec.json")
            .Field("Input type", "declarative.type", Value("declarative.type"), "e.g. git")
            .Field("Input value", "declarative.value", Value("declarative.value"), "e.g. https://example.org/repo.git main")
            .Open("button").Attr("type", "submit").Text("Save project").Close()
            .Close();

        html.Element("h2", "Members");
        html.Element("p", "Members administer the project's jobsets and act on its builds as its owner does.", "hint");
        html.Table(Members, MembersAfter is null
                ? "No members: only the owner and admins administer this project." + (MayChangeMembers ? " Add a user below." : "")
                : "No more members. Go back to the first page.",
            ["User", ""], member =>
            {
                html.Element("td", member).Open("td");
                if (MayChangeMembers)
                {
                    html.PostButton($"/project/{Project}/members/{Uri.EscapeDataString(member)}/remove", token, "Remove", $"{member} no longer administers {Project}");
                }
                html.Close();
            });
        html.KeysetPager($"/project/{Project}/edit", MembersAfter is not null, NextMembersAfter, "members");
        if (MayChangeMembers)
        {
            html.OpenPostForm($"/project/{Project}/members", token, "add-member")
                .Field("User name", "user", null, "An existing user.", required: true)
                .Open("button").Attr("type", "submit").Text("Add member").Close()
                .Close();
        }

        html.Element("h2", "Delete");
        html.Open("p").Link($"/project/{Project}/delete", "Delete this project", "danger").Text(": its jobsets, evaluations and builds go with it.").Close();
    }

    private string? Value(string name) => Values.TryGetValue(name, out var value) ? value : null;
}
