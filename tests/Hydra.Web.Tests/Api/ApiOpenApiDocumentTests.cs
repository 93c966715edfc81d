using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Hydra.Web.Tests.Api;

/// <summary>The generated OpenAPI document describes every route the server maps, Hydra's and ours.</summary>
public sealed partial class ApiOpenApiDocumentTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    [Fact]
    public async Task Every_mapped_endpoint_appears_in_the_openapi_document()
    {
        var client = factory.CreateClient();
        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;
        var paths = document["paths"]!.AsObject();
        var described = paths.SelectMany(p => p.Value!.AsObject().Select(m => $"{m.Key.ToUpperInvariant()} {p.Key}")).ToHashSet();

        var mapped = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(m => $"{m} {OpenApiPath(e.RoutePattern.RawText!)}"))
            .Where(e => !e.EndsWith("/openapi/{documentName}.json", StringComparison.Ordinal))
            .ToHashSet();

        Assert.Contains("GET /eval/{id}/builds", mapped);
        Assert.Contains("GET /api/latestbuilds", mapped);
        var missing = mapped.Except(described).Order().ToList();
        Assert.True(missing.Count == 0, "Not in /openapi/v1.json: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task Every_path_of_hydras_spec_is_a_path_of_ours()
    {
        var document = JsonNode.Parse(await factory.CreateClient().GetStringAsync("/openapi/v1.json"))!;
        // Parameter names differ ({build-id} there, {id} here); compare the shapes. A redirect's trailing
        // {rest} is a catch-all that may be empty, so ".../latest/{rest}" also answers ".../latest".
        var ours = document["paths"]!.AsObject()
            .SelectMany(p => p.Value!.AsObject().SelectMany(m => new[] { p.Key, p.Key.EndsWith("/{rest}", StringComparison.Ordinal) ? p.Key[..^"/{rest}".Length] : p.Key }
                .Select(path => $"{m.Key} {Shape(path)}")))
            .ToHashSet();

        var missing = ApiSpec.Operations.Select(o => $"{o.Method} {Shape(o.Path)}").Where(o => !ours.Contains(o)).ToList();

        Assert.True(missing.Count == 0, "hydra-api.yaml operations we do not map: " + string.Join(", ", missing));
    }

    /// <summary>A route template as OpenAPI writes it: constraints and catch-all stars dropped.</summary>
    private static string OpenApiPath(string template)
    {
        var path = RouteParameter().Replace(template, m => "{" + m.Groups["name"].Value + "}");
        return path.StartsWith('/') ? path : "/" + path;
    }

    private static string Shape(string path) => AnyParameter().Replace(path, "{}");

    [GeneratedRegex(@"\{\*{0,2}(?<name>[A-Za-z_][A-Za-z0-9_]*)(:[^}]*)?\??\}")]
    private static partial Regex RouteParameter();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex AnyParameter();
}
