using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Hydra.Web.Tests;

/// <summary>Posting the pages' action forms as a browser does: signed in, antiforgery token from the page, redirects not followed.</summary>
internal static partial class FormPosts
{
    /// <summary>A signed-in client (same-origin Origin header) that does not follow redirects, so a POST's answer can be checked.</summary>
    public static async Task<HttpClient> ClientAsync(HydraWebFactory factory, string user, params string[] roles)
    {
        await factory.CreateUserAsync(user, "pw", roles);
        var client = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Add("Origin", HydraWebFactory.Origin);
        (await client.PostAsJsonAsync("/login", new { username = user, password = "pw" })).EnsureSuccessStatusCode();
        return client;
    }

    /// <summary>The antiforgery token a page's forms carry.</summary>
    public static string Token(string html) => TokenPattern().Match(html) is { Success: true } match
        ? match.Groups[1].Value
        : throw new InvalidOperationException("The page has no antiforgery token.");

    /// <summary>A form body with the token and any other fields.</summary>
    public static FormUrlEncodedContent Form(string token, params (string Name, string Value)[] fields) =>
        new(new Dictionary<string, string>(fields.Select(f => KeyValuePair.Create(f.Name, f.Value))) { ["__RequestVerificationToken"] = token });

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();
}
