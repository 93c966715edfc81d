using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;

namespace Hydra.Core.Notifications.Sinks;

/// <summary>Sends a request to a webhook or forge and classifies the answer as a <see cref="DeliveryResult"/>.</summary>
public static class HttpDelivery
{
    /// <summary>Sends <paramref name="body"/> as JSON with the sinks' user agent; <paramref name="authorize"/> adds the receiver's credentials.</summary>
    public static async Task<DeliveryResult> SendJsonAsync(
        HttpClient client, HttpMethod method, string url, object body, Action<HttpRequestHeaders>? authorize, TimeProvider clock, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, url) { Content = JsonContent.Create(body) };
        request.Headers.UserAgent.ParseAdd(NotificationHttp.UserAgent);
        authorize?.Invoke(request.Headers);
        return await SendAsync(client, request, clock, cancellationToken);
    }

    public static async Task<DeliveryResult> SendAsync(HttpClient client, HttpRequestMessage request, TimeProvider clock, CancellationToken cancellationToken)
    {
        using var response = await client.SendAsync(request, cancellationToken);
        return await ClassifyAsync(response, clock, cancellationToken);
    }

    /// <summary>
    /// 2xx: delivered. 429, or 403 with rate-limit headers (GitHub's primary and secondary limits): retry, not
    /// before <c>Retry-After</c> or <c>X-RateLimit-Reset</c>. 408 and 5xx: retry. Any other 4xx: fatal (a wrong
    /// token or URL does not fix itself; an administrator can retry it from /admin/notifications).
    /// </summary>
    public static async Task<DeliveryResult> ClassifyAsync(HttpResponseMessage response, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return DeliveryResult.Delivered;
        }
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var error = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}: {(body.Length > 500 ? body[..500] : body)}".TrimEnd(' ', ':');
        var rateLimitReset = RateLimitReset(response, clock);
        if (response.StatusCode == HttpStatusCode.TooManyRequests
            || (response.StatusCode == HttpStatusCode.Forbidden && rateLimitReset is not null))
        {
            return DeliveryResult.Retry($"rate limited: {error}", rateLimitReset);
        }
        var code = (int)response.StatusCode;
        return code == 408 || code >= 500 ? DeliveryResult.Retry(error) : DeliveryResult.Fatal(error);
    }

    /// <summary>When the receiver said to come back: <c>Retry-After</c> (seconds or a date), or an exhausted <c>X-RateLimit-Reset</c> (Unix seconds).</summary>
    private static DateTimeOffset? RateLimitReset(HttpResponseMessage response, TimeProvider clock)
    {
        if (response.Headers.RetryAfter is { } retryAfter)
        {
            return retryAfter.Delta is { } delta ? clock.GetUtcNow() + delta : retryAfter.Date;
        }
        if (response.Headers.TryGetValues("X-RateLimit-Reset", out var resets)
            && long.TryParse(resets.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var unix)
            && (!response.Headers.TryGetValues("X-RateLimit-Remaining", out var remaining) || remaining.FirstOrDefault() == "0"))
        {
            return DateTimeOffset.FromUnixTimeSeconds(unix);
        }
        return null;
    }
}
