using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Hydra.Core.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Hydra.Testing;

/// <summary>
/// A small S3 on a loopback port: objects in memory, path-style, and every request's SigV4 signature (header or
/// presigned query) recomputed and checked, with the payload hash of PUTs checked against the body. Listings give each
/// object's size and time of its last PUT, as S3 does.
/// </summary>
public sealed partial class FakeS3Server : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly S3Credentials _credentials;

    private FakeS3Server(WebApplication app, S3Credentials credentials)
    {
        _app = app;
        _credentials = credentials;
    }

    /// <summary>Objects by <c>bucket/key</c>.</summary>
    public ConcurrentDictionary<string, byte[]> Objects { get; } = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _modified = new(StringComparer.Ordinal);

    /// <summary>Requests refused for a bad signature.</summary>
    public int Refused;

    public string Endpoint { get; private set; } = "";

    public static async Task<FakeS3Server> StartAsync(S3Credentials credentials)
    {
        var server = new FakeS3Server(LoopbackApp.Create(), credentials);
        server._app.Run(server.HandleAsync);
        await server._app.StartAsync();
        server.Endpoint = server._app.Address();
        return server;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task HandleAsync(HttpContext http)
    {
        var request = http.Request;
        var rawTarget = http.Features.Get<IHttpRequestFeature>()!.RawTarget;
        var path = rawTarget.Split('?')[0];
        var body = await ReadBodyAsync(request);
        if (!SignatureIsValid(request, path, body))
        {
            Interlocked.Increment(ref Refused);
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            await http.Response.WriteAsync("<Error><Code>SignatureDoesNotMatch</Code></Error>");
            return;
        }

        // "/bucket/key..." → "bucket/key...", the dictionary key.
        var key = Uri.UnescapeDataString(path.TrimStart('/'));
        switch (request.Method)
        {
            case "PUT":
                Objects[key] = body;
                _modified[key] = DateTimeOffset.UtcNow;
                return;
            case "DELETE":
                Objects.TryRemove(key, out _);
                _modified.TryRemove(key, out _);
                http.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            case "GET" when request.Query.ContainsKey("list-type"):
                await ListAsync(http, key.TrimEnd('/'), request.Query["prefix"].ToString());
                return;
            case "GET" or "HEAD":
                if (!Objects.TryGetValue(key, out var bytes))
                {
                    http.Response.StatusCode = StatusCodes.Status404NotFound;
                    return;
                }

                http.Response.ContentLength = bytes.Length;
                if (request.Method == "GET")
                {
                    await http.Response.Body.WriteAsync(bytes);
                }

                return;
            default:
                http.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                return;
        }
    }

    private async Task ListAsync(HttpContext http, string bucket, string prefix)
    {
        XNamespace s3 = "http://s3.amazonaws.com/doc/2006-03-01/";
        var keys = Objects.Keys.Where(k => k.StartsWith(bucket + "/" + prefix, StringComparison.Ordinal))
            .Select(k => k[(bucket.Length + 1)..])
            .Where(k => !k[prefix.Length..].Contains('/', StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);
        var document = new XDocument(new XElement(s3 + "ListBucketResult",
            new XElement(s3 + "Name", bucket),
            keys.Select(k => new XElement(s3 + "Contents",
                new XElement(s3 + "Key", k),
                new XElement(s3 + "LastModified", _modified.GetValueOrDefault(bucket + "/" + k).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture)),
                new XElement(s3 + "Size", Objects.TryGetValue(bucket + "/" + k, out var bytes) ? bytes.Length : 0)))));
        http.Response.ContentType = "application/xml";
        await http.Response.WriteAsync(document.ToString());
    }

    private bool SignatureIsValid(HttpRequest request, string path, byte[] body)
    {
        var query = request.Query.Where(q => q.Key != "X-Amz-Signature").Select(q => KeyValuePair.Create(q.Key, q.Value.ToString()));
        var canonicalQuery = SigV4.CanonicalQuery(query);
        if (request.Query.TryGetValue("X-Amz-Signature", out var presigned))
        {
            var headers = new Dictionary<string, string> { ["host"] = request.Host.Value! };
            var expected = SigV4.Signature(request.Method, path, canonicalQuery, headers, SigV4.UnsignedPayload, request.Query["X-Amz-Date"]!, _credentials);
            return presigned == expected;
        }

        var match = Authorization().Match(request.Headers.Authorization.ToString());
        if (!match.Success || match.Groups["key"].Value != _credentials.AccessKeyId)
        {
            return false;
        }

        var payloadHash = request.Headers["x-amz-content-sha256"].ToString();
        if (payloadHash != SigV4.Hex(SHA256.HashData(body)))
        {
            return false;
        }

        var signed = match.Groups["headers"].Value.Split(';').ToDictionary(h => h, h => h == "host" ? request.Host.Value! : request.Headers[h].ToString());
        var signature = SigV4.Signature(request.Method, path, canonicalQuery, signed, payloadHash, request.Headers["x-amz-date"].ToString(), _credentials);
        return signature == match.Groups["signature"].Value;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    [GeneratedRegex("^AWS4-HMAC-SHA256 Credential=(?<key>[^/]+)/[^,]+, ?SignedHeaders=(?<headers>[^,]+), ?Signature=(?<signature>[0-9a-f]{64})$")]
    private static partial Regex Authorization();
}
