using Hydra.Core.Data;
using Hydra.Core.Storage;
using Hydra.Web.Hosting;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Hydra.Web.Products;

/// <summary>
/// Hydra's product downloads: <c>GET /build/{id}/download/{nr}[/{file}]</c>. A file product is served
/// whatever file name follows; a directory product serves the named file inside it (or its default path,
/// else <c>index.html</c>). Files come out of the output's NAR in the binary cache (<see cref="ProductNars"/>: streamed
/// from the storage and decompressed on the fly, never held in memory), never from outside the output
/// (<see cref="ProductPath"/>), with <c>Content-Security-Policy: sandbox</c> and <c>nosniff</c>, since a job's files are
/// untrusted and must not run script as this site.
/// </summary>
internal static class ProductEndpoints
{
    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    public static RouteGroupBuilder MapProductEndpoints(this RouteGroupBuilder routes)
    {
        routes.MapGet("/build/{id:long}/download/{nr:int}/{**file}", DownloadAsync);
        return routes;
    }

    private static async Task<IResult> DownloadAsync(
        long id, int nr, string? file, HttpContext http, HydraDbContext db, ICacheStorage storage, IMemoryCache memory,
        CancellationToken cancellationToken)
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

        ProductNars.Listing listing;
        try
        {
            listing = await ProductNars.ListAsync(storage, memory, output, cancellationToken);
        }
        catch (FormatException exception)
        {
            return Text(StatusCodes.Status404NotFound, exception.Message);
        }
        var root = listing.Root;

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
            NarNode.Regular regular => Serve(http, storage, listing, regular, requested.Count > 0 ? requested[^1] : inside.LastOrDefault() ?? ""),
            NarNode.Directory => Text(StatusCodes.Status404NotFound, "That is a directory: add the name of a file in it to the URL."),
            _ => Text(found.Status, found.Error ?? "Not found."),
        };
    }

    private static IResult Serve(HttpContext http, ICacheStorage storage, ProductNars.Listing listing, NarNode.Regular file, string name)
    {
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.ContentLength = file.Size;
        var contentType = ContentTypes.TryGetContentType(name, out var type) ? type : "application/octet-stream";
        // Once the first byte is out the status is sent: a failure from here on (the storage, a NAR changed under us)
        // aborts the response, and the client sees a short download, as Content-Length promised more.
        return Results.Stream(body => ProductNars.CopyFileAsync(storage, listing, file, body, http.RequestAborted), contentType);
    }

    private static IResult Text(int status, string message) => Results.Text(message + "\n", "text/plain; charset=utf-8", statusCode: status);
}
