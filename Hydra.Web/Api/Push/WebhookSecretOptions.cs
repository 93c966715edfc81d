namespace Hydra.Web.Api.Push;

/// <summary>One forge's webhook secret. Without one, that forge's webhook refuses every request.</summary>
public sealed class WebhookSecretOptions
{
    public string? Secret { get; set; }
}
