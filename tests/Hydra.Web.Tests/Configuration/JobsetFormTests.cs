using System.Net;
using System.Text.Encodings.Web;
using Hydra.Web.Pages.Jobsets;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Tests.Configuration;

public sealed class JobsetFormTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    [Fact]
    public async Task The_owner_edits_settings_and_inputs_through_the_editor()
    {
        await factory.WithDbAsync(db => Seed.JobsetAsync(db, "ed", "main"));
        var owner = await FormPosts.ClientAsync(factory, "alice");
        Assert.Contains("href=\"/jobset/ed/main/edit\"", await owner.GetStringAsync("/jobset/ed/main"), StringComparison.Ordinal);
        var form = await owner.GetStringAsync("/jobset/ed/main/edit");
        Assert.Contains("data-rules=", form, StringComparison.Ordinal);
        Assert.Contains("src=\"/js/jobset-form.js\"", form, StringComparison.Ordinal);
        Assert.Contains("value=\"https://example.org/repo.git\"", form, StringComparison.Ordinal);

        var saved = await owner.PostAsync("/jobset/ed/main/edit", Editor(FormPosts.Token(form),
            ("description", "Edited"), ("checkinterval", "120"), ("schedulingshares", "50"),
            ("input-0-name", "src"), ("input-0-type", "git"), ("input-0-value", "https://example.org/repo.git release/1.0"),
            ("input-1-name", "fast"), ("input-1-type", "boolean"), ("input-1-value", "true"),
            ("input-2-name", ""), ("input-2-type", "git"), ("input-2-value", "")));

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal("/jobset/ed/main", saved.Headers.Location?.ToString());
        await factory.WithDbAsync(async db =>
        {
            var jobset = await db.Jobsets.Include(j => j.Inputs).SingleAsync(j => j.Name == "main" && j.Project!.Name == "ed");
            Assert.Equal(("Edited", 120, 50), (jobset.Description, jobset.CheckInterval, jobset.SchedulingShares));
            Assert.Equal(["fast=true", "src=https://example.org/repo.git release/1.0"],
                jobset.Inputs.Select(i => $"{i.Name}={i.Value}").Order(StringComparer.Ordinal));
        });
    }

    [Fact]
    public async Task Bad_fields_come_back_with_the_messages_the_script_shows()
    {
        await factory.WithDbAsync(db => Seed.JobsetAsync(db, "bad", "main"));
        var owner = await FormPosts.ClientAsync(factory, "alice");
        var token = FormPosts.Token(await owner.GetStringAsync("/jobset/bad/main/edit"));

        var answer = await owner.PostAsync("/jobset/bad/main/edit", Editor(token,
            ("nixexprpath", "../outside.nix"), ("keepnr", "many"),
            ("input-0-name", "1src"), ("input-0-type", "git"), ("input-0-value", "https://example.org/repo.git feature..x"),
            ("input-1-name", "flag"), ("input-1-type", "boolean"), ("input-1-value", "yes")));

        Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
        var html = await answer.Content.ReadAsStringAsync();
        foreach (var rule in new[] { "nixexprpath", "keepnr", "input-name", "value-git", "value-boolean" })
        {
            Assert.Contains(HtmlEncoder.Default.Encode(JobsetFormRules.Rules[rule].Message!), html, StringComparison.Ordinal);
        }
        Assert.Contains("id=\"error-input-0-value\"", html, StringComparison.Ordinal);
        // Nothing was saved, and what was typed is still there to correct.
        Assert.Contains("value=\"../outside.nix\"", html, StringComparison.Ordinal);
        await factory.WithDbAsync(async db => Assert.Equal("release.nix", (await db.Jobsets.SingleAsync(j => j.Name == "main" && j.Project!.Name == "bad")).NixExprPath));

        // Past the field rules the API's own checks answer on the form: the expression input must be one of the inputs.
        var api = await owner.PostAsync("/jobset/bad/main/edit", Editor(token, ("nixexprinput", "missing"),
            ("input-0-name", "src"), ("input-0-type", "git"), ("input-0-value", "https://example.org/repo.git")));
        Assert.Equal(HttpStatusCode.BadRequest, api.StatusCode);
        Assert.Contains("nixexprinput &#x27;missing&#x27; must name one of the jobset&#x27;s inputs", await api.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cloning_copies_the_jobset_under_a_new_name_and_deleting_needs_the_name_typed()
    {
        await factory.WithDbAsync(db => Seed.JobsetAsync(db, "cl", "main"));
        var owner = await FormPosts.ClientAsync(factory, "alice");
        var form = await owner.GetStringAsync("/jobset/cl/main/clone");
        Assert.Contains("value=\"main-copy\"", form, StringComparison.Ordinal);
        var token = FormPosts.Token(form);

        var taken = await owner.PostAsync("/jobset/cl/main/clone", Editor(token, ("name", "main"),
            ("input-0-name", "src"), ("input-0-type", "git"), ("input-0-value", "https://example.org/repo.git")));
        Assert.Equal(HttpStatusCode.Conflict, taken.StatusCode);
        var badName = await owner.PostAsync("/jobset/cl/main/clone", Editor(token, ("name", "-x"),
            ("input-0-name", "src"), ("input-0-type", "git"), ("input-0-value", "https://example.org/repo.git")));
        Assert.Contains(HtmlEncoder.Default.Encode(JobsetFormRules.Rules["name"].Message!), await badName.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var cloned = await owner.PostAsync("/jobset/cl/main/clone", Editor(token, ("name", "staging"),
            ("input-0-name", "src"), ("input-0-type", "git"), ("input-0-value", "https://example.org/repo.git staging")));
        Assert.Equal(HttpStatusCode.Redirect, cloned.StatusCode);
        Assert.Equal("/jobset/cl/staging", cloned.Headers.Location?.ToString());
        await factory.WithDbAsync(async db =>
        {
            var copy = await db.Jobsets.Include(j => j.Inputs).SingleAsync(j => j.Name == "staging" && j.Project!.Name == "cl");
            Assert.Equal("https://example.org/repo.git staging", Assert.Single(copy.Inputs).Value);
            Assert.NotNull(copy.TriggerTime);
            Assert.True(await db.Jobsets.AnyAsync(j => j.Name == "main" && j.Project!.Name == "cl"));
        });

        var confirm = await owner.GetStringAsync("/jobset/cl/staging/delete");
        var wrong = await owner.PostAsync("/jobset/cl/staging/delete", FormPosts.Form(FormPosts.Token(confirm), ("confirm", "main")));
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        var deleted = await owner.PostAsync("/jobset/cl/staging/delete", FormPosts.Form(FormPosts.Token(confirm), ("confirm", "staging")));
        Assert.Equal(HttpStatusCode.Redirect, deleted.StatusCode);
        Assert.Equal("/project/cl", deleted.Headers.Location?.ToString());
        await factory.WithDbAsync(async db => Assert.False(await db.Jobsets.AnyAsync(j => j.Name == "staging")));
    }

    [Fact]
    public async Task Only_the_projects_owner_members_and_admins_reach_the_editor()
    {
        await factory.WithDbAsync(db => Seed.JobsetAsync(db, "guarded", "main"));
        var stranger = await FormPosts.ClientAsync(factory, "stranger", "eval-jobset", "create-projects");
        Assert.DoesNotContain("/jobset/guarded/main/edit", await stranger.GetStringAsync("/jobset/guarded/main"), StringComparison.Ordinal);
        foreach (var page in new[] { "edit", "clone", "delete" })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await stranger.GetAsync($"/jobset/guarded/main/{page}")).StatusCode);
        }
        var token = FormPosts.Token(await stranger.GetStringAsync("/"));
        foreach (var page in new[] { "edit", "clone", "delete" })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await stranger.PostAsync($"/jobset/guarded/main/{page}",
                Editor(token, ("name", "hijack"), ("confirm", "main"), ("input-0-name", "src"), ("input-0-type", "git"), ("input-0-value", "https://evil.example/r.git")))).StatusCode);
        }
        await factory.WithDbAsync(async db =>
        {
            Assert.Equal(["main"], await db.Jobsets.Where(j => j.Project!.Name == "guarded").Select(j => j.Name).ToListAsync());
            var jobset = await db.Jobsets.Include(j => j.Inputs).SingleAsync(j => j.Name == "main" && j.Project!.Name == "guarded");
            Assert.Equal("https://example.org/repo.git", Assert.Single(jobset.Inputs).Value);
        });

        var admin = await FormPosts.ClientAsync(factory, "root", "admin");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/jobset/guarded/main/edit")).StatusCode);
        var visitor = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        Assert.Equal(HttpStatusCode.Redirect, (await visitor.GetAsync("/jobset/guarded/main/edit")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/jobset/guarded/nope/edit")).StatusCode);
    }

    [Theory]
    [InlineData("value-git", "https://example.org/r.git", true)]
    [InlineData("value-git", "https://example.org/r.git main", true)]
    [InlineData("value-git", "https://example.org/r.git release/24.05 deepClone=true", true)]
    [InlineData("value-git", "https://example.org/r.git branch=feature/x", true)]
    [InlineData("value-git", "https://example.org/r.git -main", false)]
    [InlineData("value-git", "https://example.org/r.git a..b", false)]
    [InlineData("value-git", "https://example.org/r.git topic.lock", false)]
    [InlineData("value-git", "https://example.org/r.git topic/", false)]
    [InlineData("value-git", "https://example.org/r.git ma~in", false)]
    [InlineData("value-git", "https://example.org/r.git branch=a:b", false)]
    [InlineData("value-git", "  ", false)]
    [InlineData("nixexprpath", "release.nix", true)]
    [InlineData("nixexprpath", "ci/release.nix", true)]
    [InlineData("nixexprpath", "/etc/release.nix", false)]
    [InlineData("nixexprpath", "ci/../../x.nix", false)]
    [InlineData("value-build", "nixpkgs:trunk:hello", true)]
    [InlineData("value-build", "nixpkgs:trunk", false)]
    [InlineData("value-string", "", true)]
    [InlineData("schedulingshares", "0", false)]
    public void The_field_rules_accept_and_refuse_as_git_and_the_api_do(string rule, string value, bool accepted) =>
        Assert.Equal(accepted, JobsetFormRules.Check(rule, value) is null);

    /// <summary>The editor's fields with defaults for those a test does not set.</summary>
    private static FormUrlEncodedContent Editor(string token, params (string Name, string Value)[] fields)
    {
        var values = new Dictionary<string, string>
        {
            ["description"] = "", ["enabled"] = "1", ["visible"] = "on", ["type"] = "0", ["nixexprinput"] = "src", ["nixexprpath"] = "release.nix",
            ["checkinterval"] = "300", ["schedulingshares"] = "100", ["keepnr"] = "3", ["emailoverride"] = "",
        };
        foreach (var (name, value) in fields)
        {
            values[name] = value;
        }
        return FormPosts.Form(token, [.. values.Select(v => (v.Key, v.Value))]);
    }
}
