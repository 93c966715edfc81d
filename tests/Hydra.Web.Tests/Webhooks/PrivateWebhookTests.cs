using System.Net;
using Microsoft.AspNetCore.Hosting;
using static Hydra.Web.Tests.Webhooks.WebhookRequests;

namespace Hydra.Web.Tests.Webhooks;

/// <summary>On a private farm the forges still reach their webhooks: the signature is their sign-in.</summary>
public sealed class PrivateWebhookTests(HydraWebFactory factory) : IClassFixture<HydraWebFactory>
{
    [Fact]
    public async Task A_signed_push_triggers_on_a_private_farm_and_an_unsigned_one_does_not()
    {
        await factory.WithDbAsync(db => WebhookJobsets.AddAsync(db, "private", "main", "https://github.com/acme/private.git"));
        using var server = factory.WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Hydra:Access:Private", "true");
            foreach (var (key, value) in Settings)
            {
                builder.UseSetting(key, value);
            }
        });
        var client = server.CreateClient();

        var unsigned = GitHub("push", Push("acme/private"));
        unsigned.Headers.Remove("X-Hub-Signature-256");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(unsigned)).StatusCode);
        var signed = await client.SendAsync(GitHub("push", Push("acme/private")));

        Assert.Equal(HttpStatusCode.OK, signed.StatusCode);
        Assert.Contains("private:main", await signed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
