using System.Net;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Hydra.Web.Tests.Access;

/// <summary>
/// Every route that changes something, found in the server's own route table (so a new one is covered the day it
/// is added), refuses visitors and signed-in users without rights, and never answers them with a success.
/// </summary>
public sealed class WriteAccessMatrixTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    /// <summary>Writes any signed-in user may make: their own session and their own API tokens.</summary>
    private static readonly string[] OwnWrites = ["/login", "/logout", "/user/tokens", "/user/tokens/{id:long}/revoke"];

    [Fact]
    public async Task Every_write_route_refuses_a_visitor_and_a_user_without_rights()
    {
        long build = 0, eval = 0;
        await factory.WithDbAsync(async db =>
        {
            var jobset = await Seed.JobsetAsync(db, "matrix", "main");
            var evaluation = await Seed.EvalAsync(db, jobset);
            build = (await Seed.BuildAsync(db, jobset, evaluation, "job")).Id;
            eval = evaluation.Id;
        });
        var routes = WriteRoutes().Where(r => !OwnWrites.Contains(r.Pattern)).ToList();
        Assert.True(routes.Count >= 20, $"only {routes.Count} write routes found");

        var visitor = factory.CreateClient(new() { AllowAutoRedirect = false });
        visitor.DefaultRequestHeaders.Add("Origin", HydraWebFactory.Origin);
        var nobody = await FormPosts.ClientAsync(factory, "nobody");
        var failures = new List<string>();
        foreach (var (method, pattern) in routes)
        {
            var url = Fill(pattern, build, eval) + (pattern == "/api/push" ? "?jobsets=matrix:main" : "");
            foreach (var (who, client) in new[] { ("visitor", visitor), ("user without roles", nobody) })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
                var response = await client.SendAsync(request);
                if (response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden))
                {
                    failures.Add($"{method} {url} as {who}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private IEnumerable<(string Method, string Pattern)> WriteRoutes()
    {
        _ = factory.CreateClient();
        return factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => (Method: m, Pattern: e.RoutePattern.RawText ?? "")))
            .Where(r => r.Method is not ("GET" or "HEAD" or "OPTIONS"))
            .Distinct();
    }

    /// <summary>The pattern with its parameters naming things that exist, so a refusal is about rights and not a 404.</summary>
    private static string Fill(string pattern, long build, long eval)
    {
        var isEval = pattern.StartsWith("/eval/", StringComparison.Ordinal);
        return System.Text.RegularExpressions.Regex.Replace(pattern, @"\{\*{0,2}([a-zA-Z]+)[^}]*\}", match => match.Groups[1].Value switch
        {
            "id" => (isEval ? eval : build).ToString(System.Globalization.CultureInfo.InvariantCulture),
            "project" or "name" => "matrix",
            "jobset" => "main",
            "user" => "nobody",
            "hash" => "0123456789abcdfghijklmnpqrsvwxyz",
            "file" => "x.nar",
            "drv" => "0123456789abcdfghijklmnpqrsvwxyz-x.drv",
            _ => "1",
        });
    }
}
