using Hydra.Web.Api.Builds;
using Hydra.Web.Api.Evals;
using Hydra.Web.Api.Jobs;
using Hydra.Web.Api.Legacy;

namespace Hydra.Web.Api;

/// <summary>
/// The parts of the Hydra-compatible API that have no page of their own (redirects, badges, the legacy
/// <c>/api/*</c> calls, store paths, constituents) and the generated OpenAPI document of every route,
/// served at <c>/openapi/v1.json</c>. See docs/api.md.
/// </summary>
internal static class HydraApiExtensions
{
    public static IHostApplicationBuilder AddHydraApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi();
        return builder;
    }

    public static RouteGroupBuilder MapHydraApi(this RouteGroupBuilder routes)
    {
        routes.MapLatestBuildEndpoints();
        routes.MapEvalLinkEndpoints();
        routes.MapBuildLinkEndpoints();
        routes.MapLegacyApiEndpoints();
        return routes;
    }

    public static WebApplication MapHydraOpenApi(this WebApplication app)
    {
        app.MapOpenApi();
        return app;
    }
}
