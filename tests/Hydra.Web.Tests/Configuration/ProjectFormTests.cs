using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Hydra.Web.Tests.Configuration;

public sealed class ProjectFormTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    [Fact]
    public async Task The_owner_edits_the_project_and_its_members()
    {
        await factory.CreateUserAsync("helper", "pw");
        await factory.WithDbAsync(db => Seed.JobsetAsync(db, "edited", "main"));
        var owner = await FormPosts.ClientAsync(factory, "alice");
        Assert.Contains("href=\"/project/edited/edit\"", await owner.GetStringAsync("/project/edited"), StringComparison.Ordinal);
        var form = await owner.GetStringAsync("/project/edited/edit");
        Assert.Contains("No members: only the owner and admins administer this project.", form, StringComparison.Ordinal);
        var token = FormPosts.Token(form);

        var saved = await owner.PostAsync("/project/edited/edit", FormPosts.Form(token,
            ("displayname", "Edited project"), ("description", "Now described"), ("homepage", "https://example.org"), ("visible", "on")));
        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal("/project/edited", saved.Headers.Location?.ToString());
        await factory.WithDbAsync(async db =>
        {
            var project = await db.Projects.SingleAsync(p => p.Name == "edited");
            Assert.Equal(("Edited project", "Now described", false, false), (project.DisplayName, project.Description, project.Enabled, project.Hidden));
        });

        Assert.Equal(HttpStatusCode.Redirect, (await owner.PostAsync("/project/edited/members", FormPosts.Form(token, ("user", "helper")))).StatusCode);
        Assert.Contains("/project/edited/members/helper/remove", await owner.GetStringAsync("/project/edited/edit"), StringComparison.Ordinal);
        var unknown = await owner.PostAsync("/project/edited/members", FormPosts.Form(token, ("user", "nobody")));
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("Unknown user &#x27;nobody&#x27;.", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Redirect, (await owner.PostAsync("/project/edited/members/helper/remove", FormPosts.Form(token))).StatusCode);
        await using var members = factory.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand("SELECT count(*) FROM project_members");
        Assert.Equal(0L, await members.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_bad_setting_comes_back_on_the_form_and_only_an_admin_changes_the_owner()
    {
        await factory.WithDbAsync(db => Seed.JobsetAsync(db, "owned", "main"));
        var owner = await FormPosts.ClientAsync(factory, "alice");
        var token = FormPosts.Token(await owner.GetStringAsync("/project/owned/edit"));

        var bad = await owner.PostAsync("/project/owned/edit", FormPosts.Form(token, ("displayname", "Kept"), ("declarative.file", "spec.json"), ("declarative.type", "nonsense")));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("value=\"Kept\"", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var give = await owner.PostAsync("/project/owned/edit", FormPosts.Form(token, ("owner", "root")));
        Assert.Equal(HttpStatusCode.Forbidden, give.StatusCode);
        Assert.Contains("Only an admin may give a project to another owner.", await give.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Strangers_are_refused_and_deleting_needs_the_name_typed()
    {
        await factory.WithDbAsync(db => Seed.JobsetAsync(db, "doomed", "main"));
        var stranger = await FormPosts.ClientAsync(factory, "stranger", "create-projects");
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.GetAsync("/project/doomed/edit")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.GetAsync("/project/doomed/delete")).StatusCode);
        var strangerToken = FormPosts.Token(await stranger.GetStringAsync("/"));
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.PostAsync("/project/doomed/delete", FormPosts.Form(strangerToken, ("confirm", "doomed")))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.PostAsync("/project/doomed/members", FormPosts.Form(strangerToken, ("user", "stranger")))).StatusCode);

        var owner = await FormPosts.ClientAsync(factory, "alice");
        var confirm = await owner.GetStringAsync("/project/doomed/delete");
        Assert.Contains("Type doomed to confirm", confirm, StringComparison.Ordinal);
        var token = FormPosts.Token(confirm);
        var wrong = await owner.PostAsync("/project/doomed/delete", FormPosts.Form(token, ("confirm", "doome")));
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        await factory.WithDbAsync(async db => Assert.True(await db.Projects.AnyAsync(p => p.Name == "doomed")));

        var deleted = await owner.PostAsync("/project/doomed/delete", FormPosts.Form(token, ("confirm", "doomed")));
        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        Assert.Equal("/", deleted.Headers.Location?.ToString());
        await factory.WithDbAsync(async db => Assert.False(await db.Projects.AnyAsync(p => p.Name == "doomed")));
    }
}
