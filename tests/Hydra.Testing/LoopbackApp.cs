using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace Hydra.Testing;

/// <summary>
/// A web application on a free 127.0.0.1 port with its logs silenced: the start of every fake of a remote service
/// the tests talk to (forges, S3, notification receivers).
/// </summary>
public static class LoopbackApp
{
    public static WebApplication Create()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        return builder.Build();
    }

    /// <summary>The started application's address, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public static string Address(this WebApplication app) => app.Urls.First();
}
