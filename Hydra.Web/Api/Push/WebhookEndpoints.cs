using System.Text.Json;
using Hydra.Evaluator.Forges;
using Hydra.Evaluator.Jobsets;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Hydra.Web.Api.Push;

/// <summary>
/// <c>POST /api/push-github</c>, <c>/api/push-gitea</c>, <c>/api/push-gitlab</c>: a forge's push triggers the
/// jobsets whose inputs or flake point at the pushed repository; a pull-request event opens, updates or
/// disables the pull request's jobsets. Every request must be signed with the forge's configured secret (none
/// configured: all are refused), fit the body limit, and carry a delivery id not seen before. Anything wrong
/// is a 4xx with nothing triggered. The answer is Hydra's <c>{"jobsetsTriggered": [...]}</c>.
/// </summary>
internal static class WebhookEndpoints
{
    /// <summary>Longest delivery id kept; the forges send GUIDs.</summary>
    private const int MaxDeliveryIdLength = 200;

    public static IServiceCollection AddHydraWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WebhookOptions>().Bind(configuration.GetSection(WebhookOptions.Section))
            .Validate(o => o.MaxBodyBytes > 0, "Hydra:Webhooks:MaxBodyBytes must be positive.")
            .ValidateOnStart();
        services.AddSingleton<WebhookDeliveries>();
        services.AddSingleton<RepositoryJobsets>();
        return services;
    }

    public static RouteGroupBuilder MapWebhookEndpoints(this RouteGroupBuilder routes)
    {
        foreach (var forge in new[] { WebhookForge.GitHub, WebhookForge.Gitea, WebhookForge.GitLab })
        {
            routes.MapPost($"/api/push-{forge.Name}", (Func<HttpContext, Task<IResult>>)(http => HandleAsync(http, forge)))
                .DisableAntiforgery();
        }
        return routes;
    }

    private static async Task<IResult> HandleAsync(HttpContext http, WebhookForge forge)
    {
        var services = http.RequestServices;
        var options = services.GetRequiredService<IOptions<WebhookOptions>>().Value;
        var request = http.Request;
        var cancellationToken = http.RequestAborted;

        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType) || !contentType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return HydraJson.Error(StatusCodes.Status415UnsupportedMediaType, $"Send the {forge.Title} webhook as application/json.");
        }
        if (await ReadBodyAsync(request, options.MaxBodyBytes, cancellationToken) is not { } body)
        {
            return HydraJson.Error(StatusCodes.Status413PayloadTooLarge, $"The body is larger than {options.MaxBodyBytes} bytes (Hydra:Webhooks:MaxBodyBytes).");
        }
        // Fail closed: without a secret nobody can prove to be the forge.
        if (forge.Secret(options).Secret is not { Length: > 0 } secret)
        {
            return HydraJson.Error(StatusCodes.Status401Unauthorized, $"No {forge.Title} webhook secret is configured (Hydra:Webhooks:{forge.Title}:Secret).");
        }
        if (!forge.Verify(secret, body, request))
        {
            return HydraJson.Error(StatusCodes.Status401Unauthorized, "Missing or invalid webhook signature.");
        }
        var deliveryId = request.Headers[forge.DeliveryHeader].ToString();
        if (deliveryId.Length is 0 or > MaxDeliveryIdLength)
        {
            return HydraJson.Error(StatusCodes.Status400BadRequest, $"The {forge.DeliveryHeader} header is missing or too long.");
        }

        WebhookEvent? change;
        try
        {
            using var document = JsonDocument.Parse(body);
            change = forge.Read(request.Headers[forge.EventHeader].ToString() is { Length: > 0 } name ? name : null, document.RootElement);
        }
        catch (JsonException exception)
        {
            return HydraJson.Error(StatusCodes.Status400BadRequest, $"The body is not valid JSON: {exception.Message}");
        }
        if (change is null)
        {
            return HydraJson.Error(StatusCodes.Status400BadRequest, $"The {forge.Title} payload lacks the repository or pull request it is about.");
        }

        var deliveries = services.GetRequiredService<WebhookDeliveries>();
        if (!await deliveries.RecordAsync(forge.Name, deliveryId, options.DeliveryRetention, cancellationToken))
        {
            return HydraJson.Error(StatusCodes.Status409Conflict, $"Delivery {deliveryId} was handled already.");
        }
        try
        {
            var triggered = change.Kind switch
            {
                WebhookEventKind.Push => await PushAsync(services, change, cancellationToken),
                WebhookEventKind.PullRequest => await PullRequestAsync(services, forge, change, cancellationToken),
                _ => [],
            };
            return Results.Json(new { jobsetsTriggered = triggered });
        }
        catch
        {
            // Not handled after all: the forge's retry with the same id must get through.
            await deliveries.ForgetAsync(forge.Name, deliveryId, CancellationToken.None);
            throw;
        }
    }

    private static async Task<IReadOnlyList<string>> PushAsync(IServiceProvider services, WebhookEvent push, CancellationToken cancellationToken)
    {
        var jobsets = await services.GetRequiredService<RepositoryJobsets>().FindAsync(push.RepositoryUrls, cancellationToken);
        return jobsets.Count == 0 ? [] : await services.GetRequiredService<JobsetTrigger>().TriggerAsync(jobsets, force: false, cancellationToken);
    }

    private static async Task<IReadOnlyList<string>> PullRequestAsync(IServiceProvider services, WebhookForge forge, WebhookEvent change, CancellationToken cancellationToken)
    {
        var pullRequests = services.GetRequiredService<PullRequestJobsets>();
        var pull = change.PullRequest!;
        var triggered = new List<string>();
        foreach (var template in await pullRequests.TemplatesAsync(forge.Name, change.Repository, cancellationToken))
        {
            if (pull.Open)
            {
                triggered.AddRange(await pullRequests.OpenAsync(template, new OpenPullRequest(pull.Number, pull.HeadSha, pull.Title), cancellationToken));
            }
            else
            {
                await pullRequests.CloseAsync(template, pull.Number, cancellationToken);
            }
        }
        return triggered;
    }

    /// <summary>The raw body (the signature covers its exact bytes), or null when it is longer than <paramref name="limit"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                return null;
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
