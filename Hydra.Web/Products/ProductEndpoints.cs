using Hydra.Core;
using Hydra.Core.Data;
using Hydra.Core.Nix;
using Hydra.Web.Api;
using Hydra.Web.Hosting;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Hydra.Web.Products;

/// <summary>
/// Hydra's product downloads: <c>GET /build/{id}/download/{nr}[/{file}]</c>. A file product is served
/// whatever file name follows; a directory product serves the named file inside it (or its default path,
/// else <c>index.html</c>). Files come out of the output's NAR in the binary cache, never from outside the
/// output (<see cref="ProductPath"/>), with <c>Content-Security-Policy: sandbox</c> and <c>nosniff</c>,
/// since a job's files are untrusted and must not run script as this site.
/// </summary>
internal static class ProductEndpoints
{
    /// <summary>The whole NAR is read into memory; larger outputs are refused with a message.</summary>
    public const long MaxNarBytes = 512L << 20;

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static RouteGroupBuilder MapProductEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet("/build/{id:long}/download/{nr:int}/{**file}", DownloadAsync);
        return routes;
    }

    private static async Task<IResult> DownloadAsync(
        long id, int nr, string? file, HttpContext http, HydraDbContext db, IOptions<HydraOptions> options, CancellationToken cancellationToken)
    {
        // Even an error page here carries the sandbox policy: it names files a job chose.
        http.Response.Headers.ContentSecurityPolicy = SecurityHeaders.Sandbox;
        var product = await db.BuildProducts.AsNoTracking().Where(p => p.BuildId == id && p.ProductNr == nr)
            .Select(p => new { p.Path, p.DefaultPath }).SingleOrDefaultAsync(cancellationToken);
        if (product is null)
        {
            return Text(StatusCodes.Status404NotFound, $"Build {id} has no product {nr}.");
        }
        var outputs = await db.BuildOutputs.AsNoTracking().Where(o => o.BuildId == id).Select(o => o.Path).ToListAsync(cancellationToken);
        var output = outputs.FirstOrDefault(o => product.Path == o || product.Path.StartsWith(o + "/", StringComparison.Ordinal));
        var inside = output is null ? null : ProductPath.Split(product.Path[output.Length..].TrimStart('/'));
        if (output is null || inside is null)
        {
            return Text(StatusCodes.Status403Forbidden, $"Product {nr} of build {id} is not inside one of the build's outputs.");
        }
        var requested = ProductPath.Split(file);
        if (requested is null)
        {
            return Text(StatusCodes.Status400BadRequest, "A file name may not hold empty, '.' or '..' components.");
        }

        NarNode root;
        try
        {
            root = NarNode.Parse(await CacheFileReader.ReadNarAsync(options.Value.CacheDir, output, MaxNarBytes, cancellationToken));
        }
        catch (FormatException exception)
        {
            return Text(StatusCodes.Status404NotFound, exception.Message);
        }

        var found = ProductPath.Resolve(root, output, inside);
        if (found.Node is NarNode.Directory directory)
        {
            var within = requested.Count > 0 ? requested
                : ProductPath.Split(product.DefaultPath) is { Count: > 0 } defaultPath ? defaultPath
                : directory.Entries.ContainsKey("index.html") ? ["index.html"] : null;
            if (within is null)
            {
                return Text(StatusCodes.Status404NotFound, $"Product {nr} is a directory: add the name of a file in it to the URL.");
            }
            found = ProductPath.Resolve(root, output, [.. inside, .. within]);
            requested = within;
        }
        return found.Node switch
        {
            NarNode.Regular regular => Serve(http, regular, requested.Count > 0 ? requested[^1] : inside.LastOrDefault() ?? ""),
            NarNode.Directory => Text(StatusCodes.Status404NotFound, "That is a directory: add the name of a file in it to the URL."),
            _ => Text(found.Status, found.Error ?? "Not found."),
        };
    }

    private static IResult Serve(HttpContext http, NarNode.Regular file, string name)
    {
        http.Response.Headers.XContentTypeOptions = "nosniff";
        var contentType = ContentTypes.TryGetContentType(name, out var type) ? type : "application/octet-stream";
        return Results.Bytes(file.Contents, contentType);
    }

    private static IResult Text(int status, string message) => Results.Text(message + "\n", "text/plain; charset=utf-8", statusCode: status);
}
