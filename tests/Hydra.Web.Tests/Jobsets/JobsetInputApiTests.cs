using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Hydra.Core.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Tests.Jobsets;

/// <summary>PUT/GET /jobset: every input type, flake jobsets and write-only input credentials.</summary>
public sealed class JobsetInputApiTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    private const string Token = "ghp_never-show-me";

    private async Task<HttpClient> AdminWithProjectAsync(string project)
    {
        var client = await factory.SignedInClientAsync($"admin-{Guid.NewGuid():N}", "pw", "admin");
        (await client.PutAsJsonAsync($"/project/{project}", new { displayname = project })).EnsureSuccessStatusCode();
        return client;
    }

    private static object Legacy(Dictionary<string, object> inputs) => new { nixexprinput = "src", nixexprpath = "release.nix", inputs };

    private static async Task<string> ErrorAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString()!;
    }

    [Fact]
    public async Task Every_input_type_is_accepted_and_read_back()
    {
        var client = await AdminWithProjectAsync("alltypes");

        var response = await client.PutAsJsonAsync("/jobset/alltypes/j", Legacy(new()
        {
            ["src"] = new { type = "git", value = "https://example.org/r.git main deepClone submodules=true" },
            ["local"] = new { type = "path", value = "/srv/inputs/data" },
            ["name"] = new { type = "string", value = "x" },
            ["fast"] = new { type = "boolean", value = "true" },
            ["systems"] = new { type = "nix", value = "[ \"x86_64-linux\" ]" },
            ["compiler"] = new { type = "build", value = "tools:main:gcc" },
            ["os"] = new { type = "eval", value = "nixos:release-24.05" },
        }));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var inputs = (await factory.JsonClient().GetFromJsonAsync<JsonElement>("/jobset/alltypes/j")).GetProperty("inputs");
        Assert.Equal(["compiler", "fast", "local", "name", "os", "src", "systems"], inputs.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        Assert.Equal("build", inputs.GetProperty("compiler").GetProperty("type").GetString());
        Assert.Equal("nixos:release-24.05", inputs.GetProperty("os").GetProperty("value").GetString());
        Assert.False(inputs.GetProperty("src").GetProperty("hassecret").GetBoolean());
    }

    [Fact]
    public async Task An_unknown_input_type_is_400_listing_every_supported_type()
    {
        var client = await AdminWithProjectAsync("unknowntype");

        var error = await ErrorAsync(await client.PutAsJsonAsync("/jobset/unknowntype/j", Legacy(new() { ["src"] = new { type = "darcs", value = "x" } })));

        Assert.Equal("Invalid type 'darcs' for input 'src'; supported input types: git, string, boolean, nix, path, build, eval, pullrequests.", error);
    }

    [Theory]
    [InlineData("build", "tools:main", "'project:jobset:job'")]
    [InlineData("build", "tools:main:gcc:extra", "'project:jobset:job'")]
    [InlineData("eval", "tools", "'project:jobset'")]
    [InlineData("eval", "tools:", "'project:jobset'")]
    [InlineData("nix", " ", "a Nix expression")]
    [InlineData("path", "", "a URL or path")]
    public async Task Build_eval_nix_and_path_values_are_validated(string type, string value, string expected)
    {
        var project = $"values{Guid.NewGuid():N}"[..16];
        var client = await AdminWithProjectAsync(project);

        var error = await ErrorAsync(await client.PutAsJsonAsync($"/jobset/{project}/j", Legacy(new()
        {
            ["src"] = new { type = "git", value = "https://example.org/r.git" },
            ["other"] = new { type, value },
        })));

        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Contains("'other'", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_flake_jobset_stores_its_url_and_ignores_the_expression_fields()
    {
        var client = await AdminWithProjectAsync("flakes");

        var response = await client.PutAsJsonAsync("/jobset/flakes/main", new { type = 1, flake = "github:example/project", nixexprinput = "nope", nixexprpath = "../x" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var jobset = await factory.JsonClient().GetFromJsonAsync<JsonElement>("/jobset/flakes/main");
        Assert.Equal(1, jobset.GetProperty("type").GetInt32());
        Assert.Equal("github:example/project", jobset.GetProperty("flake").GetString());
        Assert.Equal("", jobset.GetProperty("nixexprinput").GetString());
        Assert.Equal("", jobset.GetProperty("nixexprpath").GetString());
    }

    [Fact]
    public async Task A_flake_jobset_needs_a_flake_and_a_legacy_jobset_its_expression()
    {
        var client = await AdminWithProjectAsync("flakerules");

        Assert.Contains("needs a flake URL", await ErrorAsync(await client.PutAsJsonAsync("/jobset/flakerules/a", new { type = 1 })), StringComparison.Ordinal);
        Assert.Contains("nixexprinput", await ErrorAsync(await client.PutAsJsonAsync("/jobset/flakerules/b", new { type = 0, flake = "github:x/y" })), StringComparison.Ordinal);
        Assert.Contains("type must be 0", await ErrorAsync(await client.PutAsJsonAsync("/jobset/flakerules/c", new { type = 2, flake = "github:x/y" })), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Switching_a_flake_jobset_back_to_legacy_clears_the_flake()
    {
        var client = await AdminWithProjectAsync("switching");
        (await client.PutAsJsonAsync("/jobset/switching/j", new { type = 1, flake = "github:x/y" })).EnsureSuccessStatusCode();

        (await client.PutAsJsonAsync("/jobset/switching/j", Legacy(new() { ["src"] = new { type = "git", value = "https://example.org/r.git" } }))).EnsureSuccessStatusCode();

        var jobset = await factory.JsonClient().GetFromJsonAsync<JsonElement>("/jobset/switching/j");
        Assert.Equal(0, jobset.GetProperty("type").GetInt32());
        Assert.Equal("", jobset.GetProperty("flake").GetString());
        Assert.Equal("src", jobset.GetProperty("nixexprinput").GetString());
    }

    [Fact]
    public async Task A_secret_is_stored_but_never_returned()
    {
        var client = await AdminWithProjectAsync("private");

        var response = await client.PutAsJsonAsync("/jobset/private/j", Legacy(new()
        {
            ["src"] = new { type = "git", value = "https://example.org/private.git", secret = Token, secretkind = "token" },
        }));

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.DoesNotContain(Token, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var json = await factory.JsonClient().GetStringAsync("/jobset/private/j");
        Assert.DoesNotContain(Token, json, StringComparison.Ordinal);
        Assert.DoesNotContain("\"secret\"", json, StringComparison.Ordinal);
        var src = JsonDocument.Parse(json).RootElement.GetProperty("inputs").GetProperty("src");
        Assert.True(src.GetProperty("hassecret").GetBoolean());
        var page = await client.GetStringAsync("/jobset/private/j");
        Assert.DoesNotContain(Token, page, StringComparison.Ordinal);
        await factory.WithDbAsync(async db =>
        {
            var stored = await db.InputSecrets.SingleAsync(s => s.InputName == "src" && s.Secret == Token);
            Assert.Equal(InputSecret.Token, stored.Kind);
        });
    }

    [Fact]
    public async Task A_secret_is_kept_when_absent_replaced_when_given_and_removed_when_empty()
    {
        var client = await AdminWithProjectAsync("rotate");
        async Task<string?> StoredAsync()
        {
            string? secret = null;
            await factory.WithDbAsync(async db => secret = await db.InputSecrets
                .Where(s => s.InputName == "src" && db.Jobsets.Any(j => j.Id == s.JobsetId && j.Name == "j" && j.Project!.Name == "rotate"))
                .Select(s => s.Secret).SingleOrDefaultAsync());
            return secret;
        }
        Task<HttpResponseMessage> PutAsync(object src) => client.PutAsJsonAsync("/jobset/rotate/j", Legacy(new() { ["src"] = src }));

        (await PutAsync(new { type = "git", value = "git@example.org:r.git", secret = "KEY-1", secretkind = "ssh-key" })).EnsureSuccessStatusCode();
        (await PutAsync(new { type = "git", value = "git@example.org:r.git main" })).EnsureSuccessStatusCode();
        Assert.Equal("KEY-1", await StoredAsync());
        (await PutAsync(new { type = "git", value = "git@example.org:r.git", secret = "KEY-2", secretkind = "ssh-key" })).EnsureSuccessStatusCode();
        Assert.Equal("KEY-2", await StoredAsync());
        (await PutAsync(new { type = "git", value = "git@example.org:r.git", secret = "" })).EnsureSuccessStatusCode();
        Assert.Null(await StoredAsync());
    }

    [Fact]
    public async Task Removing_an_input_removes_its_secret()
    {
        var client = await AdminWithProjectAsync("dropped");
        (await client.PutAsJsonAsync("/jobset/dropped/j", Legacy(new()
        {
            ["src"] = new { type = "git", value = "https://example.org/r.git" },
            ["lib"] = new { type = "git", value = "https://example.org/lib.git", secret = "dropped-token", secretkind = "token" },
        }))).EnsureSuccessStatusCode();

        (await client.PutAsJsonAsync("/jobset/dropped/j", Legacy(new() { ["src"] = new { type = "git", value = "https://example.org/r.git" } }))).EnsureSuccessStatusCode();

        await factory.WithDbAsync(async db => Assert.False(await db.InputSecrets.AnyAsync(s => s.Secret == "dropped-token")));
    }

    [Theory]
    [InlineData("git", "password", "secretkind must be one of: ssh-key, token")]
    [InlineData("string", "token", "only git inputs can have a secret")]
    public async Task A_secret_needs_a_known_kind_on_a_git_input(string type, string kind, string expected)
    {
        var project = $"kinds{Guid.NewGuid():N}"[..16];
        var client = await AdminWithProjectAsync(project);

        var error = await ErrorAsync(await client.PutAsJsonAsync($"/jobset/{project}/j", Legacy(new()
        {
            ["src"] = new { type = "git", value = "https://example.org/r.git" },
            ["other"] = new { type, value = "https://example.org/x.git", secret = Token, secretkind = kind },
        })));

        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, error, StringComparison.Ordinal);
    }
}
