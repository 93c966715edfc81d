using System.Net;
using System.Net.Http.Json;
using Hydra.Web.Auth;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Tests.Admin;

public sealed class AdminUserTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    [Fact]
    public async Task An_admin_creates_a_user_with_roles_who_can_then_sign_in()
    {
        var admin = await FormPosts.ClientAsync(factory, "root", "admin");
        var page = await admin.GetStringAsync("/admin/users");
        Assert.Contains("root", page, StringComparison.Ordinal);

        var created = await admin.PostAsync("/admin/users", Form(FormPosts.Token(page),
            ("username", "newbie"), ("password", "newbie-pw"), ("fullname", "New Bie"), ("email", "new@example.org"),
            ("roles", "restart-jobs"), ("roles", "eval-jobset")));

        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        Assert.Equal("/admin/users", created.Headers.Location?.ToString());
        await factory.WithDbAsync(async db =>
        {
            var user = await db.Users.SingleAsync(u => u.UserName == "newbie");
            Assert.Equal(["restart-jobs", "eval-jobset"], user.Roles);
            Assert.Equal("New Bie", user.FullName);
        });
        Assert.Equal(HttpStatusCode.OK, await SignInAsync("newbie", "newbie-pw"));
    }

    [Fact]
    public async Task A_taken_or_invalid_user_name_comes_back_on_the_form_with_the_reason()
    {
        var admin = await FormPosts.ClientAsync(factory, "root2", "admin");
        var token = FormPosts.Token(await admin.GetStringAsync("/admin/users"));

        var taken = await admin.PostAsync("/admin/users", Form(token, ("username", "root2"), ("password", "x")));
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        Assert.Contains("A user named &#x27;root2&#x27; already exists", await taken.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var invalid = await admin.PostAsync("/admin/users", Form(token, ("username", "no spaces"), ("password", "x"), ("fullname", "Kept")));
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        var html = await invalid.Content.ReadAsStringAsync();
        Assert.Contains("Invalid user name &#x27;no spaces&#x27;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", html, StringComparison.Ordinal);
        Assert.Contains("value=\"Kept\"", html, StringComparison.Ordinal);

        var noPassword = await admin.PostAsync("/admin/users", Form(token, ("username", "nopw")));
        Assert.Equal(HttpStatusCode.BadRequest, noPassword.StatusCode);
        Assert.Contains("A new user needs a password.", await noPassword.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Roles_are_replaced_by_the_checked_boxes_and_an_unknown_role_is_refused()
    {
        await factory.CreateUserAsync("roley", "pw", "restart-jobs");
        var admin = await FormPosts.ClientAsync(factory, "root3", "admin");
        var token = FormPosts.Token(await admin.GetStringAsync("/admin/users"));

        var saved = await admin.PostAsync("/admin/users/roley/roles", Form(token, ("roles", "cancel-build"), ("roles", "bump-to-front")));
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        await factory.WithDbAsync(async db => Assert.Equal(["cancel-build", "bump-to-front"], (await db.Users.SingleAsync(u => u.UserName == "roley")).Roles));

        var none = await admin.PostAsync("/admin/users/roley/roles", Form(token));
        Assert.Equal(HttpStatusCode.Redirect, none.StatusCode);
        await factory.WithDbAsync(async db => Assert.Empty((await db.Users.SingleAsync(u => u.UserName == "roley")).Roles));

        var unknown = await admin.PostAsync("/admin/users/roley/roles", Form(token, ("roles", "superuser")));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/admin/users/ghost/roles", Form(token, ("roles", "admin")))).StatusCode);
    }

    [Fact]
    public async Task An_admin_cannot_disable_themselves_or_take_their_own_admin_role()
    {
        var admin = await FormPosts.ClientAsync(factory, "root4", "admin");
        var token = FormPosts.Token(await admin.GetStringAsync("/admin/users"));

        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync("/admin/users/root4/disable", Form(token))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync("/admin/users/root4/roles", Form(token, ("roles", "eval-jobset")))).StatusCode);
        await factory.WithDbAsync(async db =>
        {
            var self = await db.Users.SingleAsync(u => u.UserName == "root4");
            Assert.Null(self.DisabledAt);
            Assert.Contains(HydraRoles.Admin, self.Roles);
        });
    }

    [Fact]
    public async Task A_disabled_user_loses_session_and_tokens_at_once_and_cannot_sign_in_until_enabled()
    {
        var victim = await FormPosts.ClientAsync(factory, "leaver", "restart-jobs");
        var tokenPage = await victim.GetStringAsync("/user/tokens");
        var created = await victim.PostAsync("/user/tokens", FormPosts.Form(FormPosts.Token(tokenPage), ("description", "script")));
        var apiToken = System.Text.RegularExpressions.Regex.Match(await created.Content.ReadAsStringAsync(), "hydra_pat_[A-Za-z0-9_-]+").Value;
        var script = factory.JsonClient();
        script.DefaultRequestHeaders.Authorization = new("Bearer", apiToken);
        Assert.Equal(HttpStatusCode.OK, (await script.GetAsync("/user/tokens")).StatusCode);

        var admin = await FormPosts.ClientAsync(factory, "root5", "admin");
        var token = FormPosts.Token(await admin.GetStringAsync("/admin/users"));
        Assert.Equal(HttpStatusCode.Redirect, (await admin.PostAsync("/admin/users/leaver/disable", Form(token))).StatusCode);
        Assert.Contains("disabled", await admin.GetStringAsync("/admin/users?after=leaveq"), StringComparison.Ordinal);

        // The old session is a visitor now, the script's token is refused, and the password no longer signs in.
        var sessionPage = await victim.GetAsync("/user/tokens");
        Assert.Equal(HttpStatusCode.Redirect, sessionPage.StatusCode);
        Assert.StartsWith("/login", sessionPage.Headers.Location?.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await script.GetAsync("/user/tokens")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, await SignInAsync("leaver", "pw"));

        Assert.Equal(HttpStatusCode.Redirect, (await admin.PostAsync("/admin/users/leaver/enable", Form(token))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, await SignInAsync("leaver", "pw"));
        Assert.Equal(HttpStatusCode.OK, (await script.GetAsync("/user/tokens")).StatusCode);
    }

    [Fact]
    public async Task The_user_list_pages_by_name()
    {
        for (var i = 0; i < 55; i++)
        {
            await factory.CreateUserAsync($"pager{i:D2}", "pw");
        }
        var admin = await FormPosts.ClientAsync(factory, "aaadmin", "admin");

        var first = await admin.GetStringAsync("/admin/users");
        var next = System.Text.RegularExpressions.Regex.Match(first, "href=\"/admin/users\\?after=([^\"]+)\"");
        Assert.True(next.Success, "the first page links to the next");
        var second = await admin.GetStringAsync($"/admin/users?after={next.Groups[1].Value}");

        Assert.Contains("pager00", first, StringComparison.Ordinal);
        Assert.DoesNotContain("pager54", first, StringComparison.Ordinal);
        Assert.Contains("pager54", second, StringComparison.Ordinal);
        Assert.DoesNotContain("pager00", second, StringComparison.Ordinal);
        Assert.Contains(">&#xAB; First<", second, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_admins_see_the_admin_pages_or_change_anything()
    {
        var visitor = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        foreach (var url in new[] { "/admin", "/admin/users", "/admin/workers" })
        {
            var answer = await visitor.GetAsync(url);
            Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
            Assert.StartsWith("/login?returnUrl=", answer.Headers.Location?.ToString(), StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await factory.JsonClient().GetAsync("/admin/users")).StatusCode);

        var maker = await FormPosts.ClientAsync(factory, "maker", "create-projects", "restart-jobs");
        var home = await maker.GetStringAsync("/");
        Assert.DoesNotContain("href=\"/admin\"", home, StringComparison.Ordinal);
        foreach (var url in new[] { "/admin", "/admin/users", "/admin/workers" })
        {
            var refused = await maker.GetAsync(url);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("The admin pages need the admin role.", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        var token = FormPosts.Token(home);
        foreach (var url in new[] { "/admin/users", "/admin/users/maker/roles", "/admin/users/maker/disable", "/admin/workers", "/admin/workers/w/rotate", "/admin/workers/w/disable" })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await maker.PostAsync(url, Form(token, ("username", "sneak"), ("password", "x"), ("roles", "admin"), ("name", "w")))).StatusCode);
        }
        await factory.WithDbAsync(async db =>
        {
            Assert.False(await db.Users.AnyAsync(u => u.UserName == "sneak"));
            Assert.DoesNotContain(HydraRoles.Admin, (await db.Users.SingleAsync(u => u.UserName == "maker")).Roles);
        });

        var admin = await FormPosts.ClientAsync(factory, "root6", "admin");
        Assert.Contains("href=\"/admin\"", await admin.GetStringAsync("/"), StringComparison.Ordinal);
        // Without the page's antiforgery token an admin's form post is refused too.
        var forged = await admin.PostAsync("/admin/users", new FormUrlEncodedContent([new("username", "forged"), new("password", "x")]));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
    }

    /// <summary>Signs in as a script does (JSON, same-origin) and says how it went.</summary>
    private async Task<HttpStatusCode> SignInAsync(string user, string password)
    {
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("Origin", HydraWebFactory.Origin);
        return (await client.PostAsJsonAsync("/login", new { username = user, password })).StatusCode;
    }

    /// <summary>A form body that may repeat a field (checkboxes of one name), with the antiforgery token.</summary>
    internal static FormUrlEncodedContent Form(string token, params (string Name, string Value)[] fields) =>
        new([.. fields.Select(f => KeyValuePair.Create(f.Name, f.Value)), KeyValuePair.Create("__RequestVerificationToken", token)]);
}
