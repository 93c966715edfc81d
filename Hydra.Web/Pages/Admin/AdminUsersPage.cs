using Hydra.Web.Auth;
using Hydra.Web.Pages.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;

namespace Hydra.Web.Pages.Admin;

/// <summary>
/// <c>GET /admin/users</c> (admin role): users by name (<c>?after=NAME</c>, 50 a page), each with a form of role
/// checkboxes and a Disable / Enable button, and the form for a new user.
/// </summary>
public sealed class AdminUsersPage : PageComponent
{
    [Parameter, EditorRequired] public IReadOnlyList<AdminUser> Users { get; set; } = [];

    [Parameter] public string? After { get; set; }

    [Parameter] public string? NextAfter { get; set; }

    /// <summary>Why the last change was refused, shown above the forms.</summary>
    [Parameter] public string? Error { get; set; }

    /// <summary>What the new-user form held when it came back with an error.</summary>
    [Parameter] public IReadOnlyDictionary<string, string> Values { get; set; } = new Dictionary<string, string>();

    protected override string Title => "Users";

    protected override void Breadcrumbs(Html html) => html.Link("/", "Projects").Text(" › ").Link("/admin", "admin").Text(" › users");

    protected override void Body(Html html)
    {
        html.AdminTabs("/admin/users");
        if (Error is not null)
        {
            html.Element("p", Error, "alert");
        }
        if (FormToken is not { } token)
        {
            return;
        }
        html.Table(Users, After is null
                ? "No users yet. Create the first below, or with hydra-server create-user."
                : "No more users. Go back to the first page.",
            ["User", "Name and email", "Roles", "Created", "State"], user =>
            {
                html.Open("td").Element("strong", user.UserName).Close()
                    .Open("td").Text(user.FullName).Open("br").Close().Element("small", user.EmailAddress, "hint").Close()
                    .Open("td");
                RolesForm(html, token, user);
                html.Close().Open("td").Time(user.CreatedAt, Now).Close().Open("td");
                if (user.DisabledAt is { } disabled)
                {
                    html.Label("disabled", "failed").Text(" ").Time(disabled, Now).Text(" ")
                        .PostButton($"/admin/users/{Uri.EscapeDataString(user.UserName)}/enable", token, "Enable", "Let this user sign in again");
                }
                else if (user.UserName == SignedInUser?.Identity?.Name)
                {
                    // The server refuses it too: an admin disabling themselves could leave no admin at all.
                    html.Element("span", "you", "muted");
                }
                else
                {
                    html.PostButton($"/admin/users/{Uri.EscapeDataString(user.UserName)}/disable", token, "Disable",
                        "Refuse this user's sign-in, session and API tokens from the next request on");
                }
                html.Close();
            });
        html.KeysetPager("/admin/users", After is not null, NextAfter);

        html.Element("h2", "New user");
        html.OpenPostForm("/admin/users", token, "create-user")
            .Field("User name", "username", Value("username"), "Letters, digits, '_', '-', '.', '@' and '+'.", required: true, pattern: "[A-Za-z0-9_.@+\\-]+")
            .Open("label").Text("Password").Open("input").Attr("type", "password").Attr("name", "password").Attr("id", "field-password")
            .Attr("autocomplete", "new-password").Attr("required", "").Close().Close()
            .Field("Full name", "fullname", Value("fullname"))
            .Field("Email", "email", Value("email"))
            .Open("fieldset").Element("legend", "Roles");
        var chosen = Value("roles")?.Split(',') ?? [];
        foreach (var role in HydraRoles.All)
        {
            html.Checkbox(role, "roles", chosen.Contains(role), role);
        }
        html.Close()
            .Open("button").Attr("type", "submit").Text("Create user").Close()
            .Close();
    }

    private static void RolesForm(Html html, AntiforgeryRequestToken token, AdminUser user)
    {
        html.Open("form", "roles").Attr("method", "post").Attr("action", $"/admin/users/{Uri.EscapeDataString(user.UserName)}/roles")
            .Open("input").Attr("type", "hidden").Attr("name", token.FormFieldName).Attr("value", token.Value).Close();
        foreach (var role in HydraRoles.All)
        {
            html.Open("label", "check").Open("input").Attr("type", "checkbox").Attr("name", "roles").Attr("value", role);
            if (user.Roles.Contains(role))
            {
                html.Attr("checked", "");
            }
            html.Close().Text(" " + role).Close();
        }
        html.Open("button").Attr("type", "submit").Attr("title", $"Give {user.UserName} exactly the checked roles").Text("Save roles").Close().Close();
    }

    private string? Value(string name) => Values.TryGetValue(name, out var value) ? value : null;
}
