using System.Net;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Tests.Access;

public sealed class CreateFormTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    [Fact]
    public async Task A_user_with_create_projects_creates_a_project_and_a_jobset_through_the_forms()
    {
        var client = await FormPosts.ClientAsync(factory, "maker", "create-projects");
        var home = await client.GetStringAsync("/");
        Assert.Contains("href=\"/create-project\"", home, StringComparison.Ordinal);

        var form = await client.GetStringAsync("/create-project");
        var created = await client.PostAsync("/create-project", FormPosts.Form(FormPosts.Token(form),
            ("name", "formproj"), ("displayname", "Form project"), ("enabled", "on"), ("visible", "on")));
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        Assert.Equal("/project/formproj", created.Headers.Location?.ToString());

        var jobsetForm = await client.GetStringAsync("/project/formproj/create-jobset");
        var jobset = await client.PostAsync("/project/formproj/create-jobset", FormPosts.Form(FormPosts.Token(jobsetForm),
            ("name", "main"), ("inputname", "src"), ("inputtype", "git"), ("inputvalue", "https://example.org/repo.git"),
            ("nixexprpath", "release.nix"), ("checkinterval", "60"), ("visible", "on")));
        Assert.Equal(HttpStatusCode.Redirect, jobset.StatusCode);
        Assert.Equal("/jobset/formproj/main", jobset.Headers.Location?.ToString());

        await factory.WithDbAsync(async db =>
        {
            var saved = await db.Jobsets.Include(j => j.Inputs).Include(j => j.Project).SingleAsync(j => j.Name == "main" && j.Project!.Name == "formproj");
            Assert.Equal("maker", saved.Project!.Owner);
            Assert.Equal(60, saved.CheckInterval);
            var input = Assert.Single(saved.Inputs);
            Assert.Equal(("src", "git", "https://example.org/repo.git"), (input.Name, input.Type, input.Value));
        });
    }

    [Fact]
    public async Task Without_create_projects_the_form_and_its_post_are_refused_with_the_reason()
    {
        var client = await FormPosts.ClientAsync(factory, "reader");
        Assert.DoesNotContain("href=\"/create-project\"", await client.GetStringAsync("/"), StringComparison.Ordinal);

        var page = await client.GetAsync("/create-project");
        Assert.Equal(HttpStatusCode.Forbidden, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("create-projects role", html, StringComparison.Ordinal);

        var post = await client.PostAsync("/create-project", FormPosts.Form(FormPosts.Token(html), ("name", "sneaky")));
        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        await factory.WithDbAsync(async db => Assert.False(await db.Projects.AnyAsync(p => p.Name == "sneaky")));
    }

    [Fact]
    public async Task A_form_post_without_its_antiforgery_token_is_refused()
    {
        var client = await FormPosts.ClientAsync(factory, "forger", "admin");
        var post = await client.PostAsync("/create-project", new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "forged" }));

        Assert.Equal(HttpStatusCode.BadRequest, post.StatusCode);
        await factory.WithDbAsync(async db => Assert.False(await db.Projects.AnyAsync(p => p.Name == "forged")));
    }

    [Fact]
    public async Task Only_the_owner_or_an_admin_creates_jobsets_and_a_bad_field_comes_back_on_the_form()
    {
        var owner = await FormPosts.ClientAsync(factory, "jo", "create-projects");
        var form = await owner.GetStringAsync("/create-project");
        await owner.PostAsync("/create-project", FormPosts.Form(FormPosts.Token(form), ("name", "josproj"), ("enabled", "on")));

        var other = await FormPosts.ClientAsync(factory, "stranger", "create-projects");
        Assert.Equal(HttpStatusCode.Forbidden, (await other.GetAsync("/project/josproj/create-jobset")).StatusCode);

        var jobsetForm = await owner.GetStringAsync("/project/josproj/create-jobset");
        var bad = await owner.PostAsync("/project/josproj/create-jobset", FormPosts.Form(FormPosts.Token(jobsetForm),
            ("name", "bad"), ("inputname", "src"), ("inputtype", "git"), ("inputvalue", "https://example.org/r.git"), ("nixexprpath", "../escape.nix")));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var html = await bad.Content.ReadAsStringAsync();
        Assert.Contains("without &#x27;..&#x27;", html, StringComparison.Ordinal);
        Assert.Contains("value=\"https://example.org/r.git\"", html, StringComparison.Ordinal);
    }
}
