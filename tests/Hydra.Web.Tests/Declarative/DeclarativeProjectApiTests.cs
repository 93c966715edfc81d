using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hydra.Core.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Tests.Declarative;

/// <summary>PUT/GET /project with Hydra's <c>declarative: {file, type, value}</c>, and how the project page shows it.</summary>
public sealed class DeclarativeProjectApiTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    private static object Body(object? declarative) => new { displayname = "Decl", enabled = true, visible = true, declarative };

    [Fact]
    public async Task Put_stores_the_declarative_input_get_returns_it_and_dot_jobsets_is_made_and_triggered()
    {
        var client = await factory.SignedInClientAsync("decl-admin1", "pw", "admin");

        var response = await client.PutAsJsonAsync("/project/decl1", Body(new { file = "spec.json", type = "git", value = "https://example.org/repo.git main" }));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var project = await factory.JsonClient().GetFromJsonAsync<JsonElement>("/project/decl1");
        var declarative = project.GetProperty("declarative");
        Assert.Equal("spec.json", declarative.GetProperty("file").GetString());
        Assert.Equal("git", declarative.GetProperty("type").GetString());
        Assert.Equal("https://example.org/repo.git main", declarative.GetProperty("value").GetString());
        var jobset = await DotJobsetsAsync("decl1");
        Assert.Equal((1, true, 300), (jobset.Enabled, jobset.Hidden, jobset.CheckInterval));
        Assert.Equal(("declInput", "spec.json"), (jobset.NixExprInput, jobset.NixExprPath));
        Assert.Equal(("declInput", "git", "https://example.org/repo.git main"), jobset.Inputs.Select(i => (i.Name, i.Type, i.Value)).Single());
        Assert.NotNull(jobset.TriggerTime);
    }

    [Fact]
    public async Task Jobsets_of_a_declarative_project_cannot_be_edited_or_deleted_through_the_api()
    {
        var client = await factory.SignedInClientAsync("decl-admin9", "pw", "admin");
        await client.PutAsJsonAsync("/project/decl9", Body(new { file = "spec.json", type = "git", value = "https://example.org/repo.git main" }));

        var put = await client.PutAsJsonAsync("/jobset/decl9/manual", new
        {
            nixexprinput = "src",
            nixexprpath = "default.nix",
            inputs = new { src = new { type = "git", value = "https://example.org/x.git" } },
        });
        var delete = await client.DeleteAsync("/jobset/decl9/.jobsets");

        Assert.Equal(HttpStatusCode.Forbidden, put.StatusCode);
        Assert.Contains("spec.json", (await put.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
        await DotJobsetsAsync("decl9");
    }

    [Fact]
    public async Task An_ordinary_project_has_no_declarative_field()
    {
        var client = await factory.SignedInClientAsync("decl-admin2", "pw", "admin");
        await client.PutAsJsonAsync("/project/plain", Body(null));

        var project = await factory.JsonClient().GetFromJsonAsync<JsonElement>("/project/plain");

        Assert.False(project.TryGetProperty("declarative", out _));
        var list = await factory.JsonClient().GetFromJsonAsync<JsonElement>("/");
        Assert.False(list.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "plain").TryGetProperty("declarative", out _));
    }

    [Fact]
    public async Task Changing_the_input_updates_dot_jobsets_and_dropping_it_disables_and_hides_it()
    {
        var client = await factory.SignedInClientAsync("decl-admin3", "pw", "admin");
        await client.PutAsJsonAsync("/project/decl3", Body(new { file = "spec.json", type = "git", value = "https://example.org/a.git" }));

        var changed = await client.PutAsJsonAsync("/project/decl3", Body(new { file = "ci/jobsets.json", type = "git", value = "https://example.org/b.git main" }));
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        var jobset = await DotJobsetsAsync("decl3");
        Assert.Equal(("ci/jobsets.json", "https://example.org/b.git main"), (jobset.NixExprPath, jobset.Inputs.Single().Value));

        var dropped = await client.PutAsJsonAsync("/project/decl3", Body(null));
        Assert.Equal(HttpStatusCode.OK, dropped.StatusCode);
        jobset = await DotJobsetsAsync("decl3");
        Assert.Equal((0, true), (jobset.Enabled, jobset.Hidden));
        var project = await factory.JsonClient().GetFromJsonAsync<JsonElement>("/project/decl3");
        Assert.False(project.TryGetProperty("declarative", out _));
    }

    [Theory]
    [InlineData("spec.json", "hg", "https://example.org/r", "declarative.type 'hg' is not supported")]
    [InlineData("../spec.json", "git", "https://example.org/r.git", "must be a relative path inside the input, without '..'")]
    [InlineData("/spec.json", "git", "https://example.org/r.git", "must be a relative path")]
    [InlineData("spec.json", "git", "", "declarative.value needs the input's value")]
    public async Task Invalid_declarative_inputs_are_400_and_change_nothing(string file, string type, string value, string expected)
    {
        var client = await factory.SignedInClientAsync("decl-admin4", "pw", "admin");
        var name = $"bad{Guid.NewGuid():N}"[..12];

        var response = await client.PutAsJsonAsync($"/project/{name}", Body(new { file, type, value }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await factory.JsonClient().GetAsync($"/project/{name}")).StatusCode);
    }

    [Fact]
    public async Task A_form_post_sets_the_input_through_dotted_field_names()
    {
        var client = await factory.SignedInClientAsync("decl-admin5", "pw", "admin");

        var response = await client.PutAsync("/project/declform", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["displayname"] = "Form", ["declarative.file"] = "spec.json", ["declarative.type"] = "git", ["declarative.value"] = "https://example.org/f.git",
        }));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("https://example.org/f.git", (await DotJobsetsAsync("declform")).Inputs.Single().Value);
    }

    [Fact]
    public async Task The_project_page_shows_the_spec_and_its_error_but_not_dot_jobsets_among_the_jobsets()
    {
        var client = await factory.SignedInClientAsync("decl-admin6", "pw", "admin");
        await client.PutAsJsonAsync("/project/declpage", Body(new { file = "spec.json", type = "git", value = "https://example.org/page.git main" }));
        await factory.WithDbAsync(async db =>
        {
            var project = await db.Projects.SingleAsync(p => p.Name == "declpage");
            var dotJobsets = await db.Jobsets.SingleAsync(j => j.ProjectId == project.Id && j.Name == ".jobsets");
            dotJobsets.ErrorMessage = "Evaluation failed:\nspec.json is not valid JSON: line 3, position 7: <oops>";
            db.Jobsets.Add(new Jobset { ProjectId = project.Id, Name = "trunk", NixExprInput = "src", NixExprPath = "release.nix", CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        });

        var html = await factory.CreateClient().GetStringAsync("/project/declpage");

        Assert.Contains("Declarative spec", html, StringComparison.Ordinal);
        Assert.Contains("<code>spec.json</code> in git input <code>https://example.org/page.git main</code>", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/jobset/declpage/.jobsets\"", html, StringComparison.Ordinal);
        Assert.Contains("line 3, position 7: &lt;oops&gt;", html, StringComparison.Ordinal);
        Assert.Contains("href=\"/jobset/declpage/trunk\"", html, StringComparison.Ordinal);
        // .jobsets is linked from the summary only, never listed as a jobset row.
        Assert.Equal(1, CountOf(html, "/jobset/declpage/.jobsets"));
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient().GetAsync("/jobset/declpage/.jobsets")).StatusCode);
    }

    private static int CountOf(string text, string value) => (text.Length - text.Replace(value, "", StringComparison.Ordinal).Length) / value.Length;

    private async Task<Jobset> DotJobsetsAsync(string project)
    {
        Jobset? jobset = null;
        await factory.WithDbAsync(async db => jobset = await db.Jobsets.AsNoTracking().Include(j => j.Inputs)
            .SingleAsync(j => j.Project!.Name == project && j.Name == ".jobsets"));
        return jobset!;
    }
}
