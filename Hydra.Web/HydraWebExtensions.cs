using Hydra.Core;
using Hydra.Web.Api;
using Hydra.Web.Api.Admin;
using Hydra.Web.Api.Builds;
using Hydra.Web.Api.Evals;
using Hydra.Web.Api.Jobs;
using Hydra.Web.Api.Jobsets;
using Hydra.Web.Api.Notifications;
using Hydra.Web.Api.Projects;
using Hydra.Web.Api.Push;
using Hydra.Web.Api.Search;
using Hydra.Web.Api.Status;
using Hydra.Web.Auth;
using Hydra.Web.Pages.Shared;
using Hydra.Web.Cache;
using Hydra.Web.Channels;
using Hydra.Web.Hosting;
using Hydra.Web.Pages.Jobsets;
using Hydra.Web.Pages.Admin;
using Hydra.Web.Pages.Notifications;
using Hydra.Web.Pages.Projects;
using Hydra.Web.Products;
using Microsoft.AspNetCore.DataProtection;

namespace Hydra.Web;

/// <summary>Entry point of the web role: auth, the Hydra-compatible JSON API and the server-rendered pages.</summary>
public static class HydraWebExtensions
{
    public static IHostApplicationBuilder AddHydraWeb(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(HydraOptions.Section).Get<HydraOptions>() ?? new HydraOptions();

        // Cookies must survive restarts and be readable by every web replica that shares the data dir.
        builder.Services.AddDataProtection()
            .SetApplicationName("hydra")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(options.KeyDir, "data-protection")));

        builder.Services.AddHttpContextAccessor();
        builder.AddHydraAuth();
        builder.Services.AddAntiforgery();
        builder.Services.AddRazorComponents();
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<SharedResults>();
        builder.Services.AddSingleton<EvaluationDiffCache>();
        builder.Services.AddSingleton<EvaluationDiffWarmer>();
        if (builder.Configuration.GetValue("Hydra:Web:WarmEvaluationComparisons", defaultValue: true))
        {
            builder.Services.AddHostedService(services => services.GetRequiredService<EvaluationDiffWarmer>());
        }
        builder.AddHydraCache();
        builder.Services.AddHydraWebhooks(builder.Configuration);
        builder.AddHydraChannels();
        builder.AddHydraApi();
        return builder;
    }

    public static WebApplication MapHydraWeb(this WebApplication app)
    {
        // First: the binary cache branches off before the site's middleware.
        app.MapHydraCache();
        app.UseMiddleware<SecurityHeaders>();
        app.UseStaticFiles();
        app.UseAuthentication();
        app.UseMiddleware<AccessGate>();
        app.UseAuthorization();

        // Every Hydra URL answers HTML or JSON depending on the request, so caches must key on Accept.
        var routes = app.MapGroup("").AddEndpointFilter<VaryAcceptFilter>();
        routes.MapAuthEndpoints();
        routes.MapGitHubLogin(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<AccessOptions>>().Value);
        routes.MapTokenEndpoints();
        routes.MapProjectMemberEndpoints();
        routes.MapHomeEndpoints();
        routes.MapProjectEndpoints();
        routes.MapCreateFormEndpoints();
        routes.MapProjectFormEndpoints();
        routes.MapJobsetFormEndpoints();
        routes.MapJobsetEndpoints();
        routes.MapEvalEndpoints();
        routes.MapEvaluateEndpoints();
        routes.MapEvalActionEndpoints();
        routes.MapBuildEndpoints();
        routes.MapBuildActionEndpoints();
        routes.MapProductEndpoints();
        routes.MapPushEndpoints();
        routes.MapWebhookEndpoints();
        routes.MapLogEndpoints();
        routes.MapLogStreamEndpoint();
        routes.MapStatusEndpoints();
        routes.MapSearchEndpoints();
        routes.MapJobEndpoints();
        routes.MapAdminEndpoints();
        routes.MapNotificationEndpoints();
        routes.MapNotificationSinkEndpoints();
        routes.MapSinkPageEndpoints();
        routes.MapHydraChannels();
        routes.MapHydraApi();
        app.MapHydraOpenApi();
        return app;
    }
}
