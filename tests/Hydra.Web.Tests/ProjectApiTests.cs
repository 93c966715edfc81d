using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Hydra.Web.Tests;

public sealed class ProjectApiTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    private static readonly object ValidJobset = new
    {
        description = "main branch",
        nixexprinput = "src",
        nixexprpath = "release.nix",
        enabled = 1,
        visible = true,
        checkinterval = 60,
        schedulingshares = 50,
        keepnr = 2,
        inputs = new Dictionary<string, object>
        {
            ["src"] = new { type = "git", value = "https://example.org/repo.git", emailresponsible = false },
            ["officialRelease"] = new { type = "boolean", value = "false" },
        },
    };

    [Fact]
    public async Task Create_project_and_jobset_then_read_them_back()
    {
        var client = await factory.SignedInClientAsync("admin1", "pw", "admin");

        var created = await client.PutAsJsonAsync("/project/hello", new { displayname = "Hello", description = "greets", owner = "admin1", enabled = "1", visible = "on" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("/project/hello", body.GetProperty("redirect").GetString());
        Assert.Equal("project", body.GetProperty("type").GetString());
        Assert.EndsWith("/project/hello", body.GetProperty("uri").GetString(), StringComparison.Ordinal);

        var jobset = await client.PutAsJsonAsync("/jobset/hello/trunk", ValidJobset);
        Assert.Equal(HttpStatusCode.Created, jobset.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/jobset/hello/trunk", ValidJobset)).StatusCode);

        var project = await factory.JsonClient().GetFromJsonAsync<JsonElement>("/project/hello");
        Assert.Equal("hello", project.GetProperty("name").GetString());
        Assert.Equal("Hello", project.GetProperty("displayname").GetString());
        Assert.Equal("greets", project.GetProperty("description").GetString());
        Assert.Equal("admin1", project.GetProperty("owner").GetString());
        Assert.True(project.GetProperty("enabled").GetBoolean());
        Assert.False(project.GetProperty("hidden").GetBoolean());
        Assert.Equal(["trunk"], project.GetProperty("jobsets").EnumerateArray().Select(j => j.GetString()));

        var js = await factory.JsonClient().GetFromJsonAsync<JsonElement>("/jobset/hello/trunk");
        Assert.Equal("trunk", js.GetProperty("name").GetString());
        Assert.Equal("hello", js.GetProperty("project").GetString());
        Assert.Equal("src", js.GetProperty("nixexprinput").GetString());
        Assert.Equal("release.nix", js.GetProperty("nixexprpath").GetString());
        Assert.Equal(1, js.GetProperty("enabled").GetInt32());
        Assert.True(js.GetProperty("visible").GetBoolean());
        Assert.Equal(60, js.GetProperty("checkinterval").GetInt32());
        Assert.Equal(50, js.GetProperty("schedulingshares").GetInt32());
        Assert.Equal("", js.GetProperty("errormsg").GetString());
        Assert.True(js.GetProperty("triggertime").GetInt64() > 1_600_000_000, "a new jobset is triggered at once, in Unix seconds");
        Assert.Equal(JsonValueKind.Null, js.GetProperty("lastcheckedtime").ValueKind);
        var src = js.GetProperty("inputs").GetProperty("src");
        Assert.Equal("git", src.GetProperty("type").GetString());
        Assert.Equal("https://example.org/repo.git", src.GetProperty("value").GetString());
        Assert.Equal("false", js.GetProperty("inputs").GetProperty("officialRelease").GetProperty("value").GetString());
    }

    [Fact]
    public async Task Invalid_input_type_is_400_naming_the_allowed_types()
    {
        var client = await factory.SignedInClientAsync("admin2", "pw", "admin");
        await client.PutAsJsonAsync("/project/typed", new { displayname = "Typed" });

        var response = await client.PutAsJsonAsync("/jobset/typed/bad", new
        {
            nixexprinput = "src", nixexprpath = "release.nix",
            inputs = new Dictionary<string, object> { ["src"] = new { type = "svn", value = "svn://x" } },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString();
        Assert.Contains("svn", error, StringComparison.Ordinal);
        Assert.Contains("git, string, boolean, nix, path", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("missing", "release.nix")]
    [InlineData("src", "../etc/passwd")]
    [InlineData("src", "/abs/release.nix")]
    public async Task Jobset_expression_must_be_a_relative_path_in_a_named_input(string input, string path)
    {
        var client = await factory.SignedInClientAsync($"admin-{Guid.NewGuid():N}", "pw", "admin");
        await client.PutAsJsonAsync("/project/paths", new { displayname = "Paths" });

        var response = await client.PutAsJsonAsync("/jobset/paths/j", new
        {
            nixexprinput = input, nixexprpath = path,
            inputs = new Dictionary<string, object> { ["src"] = new { type = "git", value = "https://example.org/r.git" } },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Invalid_project_name_is_400()
    {
        var client = await factory.SignedInClientAsync("admin3", "pw", "admin");
        var response = await client.PutAsJsonAsync("/project/9lives", new { displayname = "x" });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("name", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Creating_a_project_needs_a_role_and_changing_it_needs_ownership()
    {
        var admin = await factory.SignedInClientAsync("admin4", "pw", "admin");
        var plain = await factory.SignedInClientAsync("plain", "pw");

        Assert.Equal(HttpStatusCode.Forbidden, (await plain.PutAsJsonAsync("/project/mine", new { displayname = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await admin.PutAsJsonAsync("/project/owned", new { displayname = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await plain.PutAsJsonAsync("/project/owned", new { displayname = "y" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await plain.DeleteAsync("/project/owned")).StatusCode);
    }

    [Fact]
    public async Task Writes_without_same_origin_header_are_refused_even_when_signed_in()
    {
        var client = await factory.SignedInClientAsync("admin5", "pw", "admin");
        client.DefaultRequestHeaders.Remove("Origin");
        var response = await client.PutAsJsonAsync("/project/csrf", new { displayname = "x" });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Delete_removes_project_and_missing_project_is_404_json()
    {
        var client = await factory.SignedInClientAsync("admin6", "pw", "admin");
        await client.PutAsJsonAsync("/project/doomed", new { displayname = "Doomed" });

        var deleted = await client.DeleteAsync("/project/doomed");
        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);

        var response = await factory.JsonClient().GetAsync("/project/doomed");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("error", out _));
        Assert.Contains("Accept", response.Headers.Vary);
    }
}
