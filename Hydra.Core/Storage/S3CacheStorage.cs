using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Xml.Linq;
using Hydra.Core.Nix;
using Microsoft.Extensions.Options;

namespace Hydra.Core.Storage;

/// <summary>
/// The cache in an S3-compatible bucket, over plain <see cref="HttpClient"/> with SigV4 signing (<see cref="SigV4"/>).
/// Uploads are staged in a local temporary file, checked (size, SHA-256), then sent in one PUT, which S3 makes
/// visible atomically. Narinfos and logs are proxied; NARs are answered with a redirect to a presigned URL, so
/// their bytes (and ranges) go straight from the bucket to the client.
/// </summary>
public sealed class S3CacheStorage(HttpClient http, IOptions<CacheStorageOptions> options, TimeProvider clock) : ICacheStorage
{
    private const int BufferSize = 128 * 1024;
    private static readonly XNamespace s_s3 = "http://s3.amazonaws.com/doc/2006-03-01/";

    private S3StorageOptions S3 => options.Value.S3;

    private S3Credentials Credentials => new(S3.AccessKeyId, S3.SecretAccessKey, S3.Region);

    public string? LocalDirectory => null;

    public async Task<CacheObject?> GetAsync(string key, CancellationToken cancellationToken)
    {
        if (key.StartsWith("nar/", StringComparison.Ordinal))
        {
            // The bucket is the source of truth: a presigned URL to a missing object would only 404 later.
            return await LengthAsync(key, cancellationToken) is null
                ? null
                : new CacheObject.Redirect(SigV4.Presign(ObjectUrl(key), SigV4.AmzDate(clock.GetUtcNow()), S3.PresignExpiry, Credentials));
        }

        using var response = await SendAsync(HttpMethod.Get, key, null, SigV4.EmptyPayloadHash, cancellationToken);
        return response.StatusCode == HttpStatusCode.NotFound
            ? null
            : new CacheObject.Content(await EnsureSuccess(response).Content.ReadAsByteArrayAsync(cancellationToken));
    }

    public async Task<long?> LengthAsync(string key, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Head, key, null, SigV4.EmptyPayloadHash, cancellationToken);
        return response.StatusCode == HttpStatusCode.NotFound ? null : EnsureSuccess(response).Content.Headers.ContentLength;
    }

    public async Task<string?> ReadTextAsync(string key, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(HttpMethod.Get, key, null, SigV4.EmptyPayloadHash, cancellationToken);
        return response.StatusCode == HttpStatusCode.NotFound
            ? null
            : await EnsureSuccess(response).Content.ReadAsStringAsync(cancellationToken);
    }

    public async Task<CacheWriteResult> WriteAsync(
        string key, Stream source, long maxBytes, string? expectedSha256NixBase32, CancellationToken cancellationToken)
    {
        var staging = S3.StagingDirectory ?? Path.GetTempPath();
        Directory.CreateDirectory(staging);
        await using var staged = new FileStream(
            Path.Combine(staging, $"hydra-s3-{Guid.NewGuid():N}.tmp"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, BufferSize,
            FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        var (_, hash) = await HashingCopy.CopyAsync(source, staged, maxBytes, cancellationToken);
        if (hash is null)
        {
            return CacheWriteResult.TooLarge;
        }

        if (expectedSha256NixBase32 is not null && hash != expectedSha256NixBase32)
        {
            return CacheWriteResult.HashMismatch;
        }

        staged.Position = 0;
        var content = new StreamContent(staged, BufferSize);
        content.Headers.ContentLength = staged.Length;
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await SendAsync(HttpMethod.Put, key, content, SigV4.Hex(NixBase32.Decode(hash)), cancellationToken);
        EnsureSuccess(response);
        return CacheWriteResult.Stored;
    }

    public async Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken)
    {
        var response = await SendAsync(HttpMethod.Get, key, null, SigV4.EmptyPayloadHash, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            response.Dispose();
            return null;
        }

        try
        {
            return new ResponseStream(await EnsureSuccess(response).Content.ReadAsStreamAsync(cancellationToken), response);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public async IAsyncEnumerable<CacheEntry> ListAsync(string directory, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var prefix = S3.Prefix + directory;
        string? continuation = null;
        do
        {
            var query = new Dictionary<string, string> { ["list-type"] = "2", ["delimiter"] = "/", ["prefix"] = prefix };
            if (continuation is not null)
            {
                query["continuation-token"] = continuation;
            }

            XDocument page;
            using (var response = await SendAsync(HttpMethod.Get, null, null, SigV4.EmptyPayloadHash, cancellationToken, query))
            {
                page = XDocument.Parse(await EnsureSuccess(response).Content.ReadAsStringAsync(cancellationToken));
            }

            foreach (var contents in page.Descendants(s_s3 + "Contents"))
            {
                var key = (string?)contents.Element(s_s3 + "Key");
                var name = key is not null && key.StartsWith(prefix, StringComparison.Ordinal) ? key[prefix.Length..] : null;
                if (CacheNames.IsFileName(name))
                {
                    yield return new CacheEntry(
                        directory + name, (long?)contents.Element(s_s3 + "Size") ?? 0,
                        (DateTimeOffset?)contents.Element(s_s3 + "LastModified") ?? DateTimeOffset.MinValue);
                }
            }

            continuation = (string?)page.Root?.Element(s_s3 + "NextContinuationToken");
        }
        while (continuation is not null);
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken)
    {
        // S3 answers 204 whether or not the object existed.
        using var response = await SendAsync(HttpMethod.Delete, key, null, SigV4.EmptyPayloadHash, cancellationToken);
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            EnsureSuccess(response);
        }
    }

    private Uri ObjectUrl(string? key) =>
        new($"{S3.Endpoint.TrimEnd('/')}/{SigV4.Encode(S3.Bucket)}/{(key is null ? "" : SigV4.Encode(S3.Prefix + key, keepSlashes: true))}");

    private async Task<HttpResponseMessage> SendAsync(
        HttpMethod method, string? key, HttpContent? content, string payloadHash, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? query = null)
    {
        var url = ObjectUrl(key);
        var canonicalQuery = query is null ? "" : SigV4.CanonicalQuery(query);
        var amzDate = SigV4.AmzDate(clock.GetUtcNow());
        var headers = new Dictionary<string, string>
        {
            ["host"] = SigV4.HostHeader(url),
            ["x-amz-content-sha256"] = payloadHash,
            ["x-amz-date"] = amzDate,
        };
        using var request = new HttpRequestMessage(method, canonicalQuery.Length == 0 ? url : new Uri(url + "?" + canonicalQuery)) { Content = content };
        request.Headers.TryAddWithoutValidation("x-amz-content-sha256", payloadHash);
        request.Headers.TryAddWithoutValidation("x-amz-date", amzDate);
        request.Headers.TryAddWithoutValidation("Authorization",
            SigV4.Authorization(method.Method, url.AbsolutePath, canonicalQuery, headers, payloadHash, amzDate, Credentials));
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }

    private static HttpResponseMessage EnsureSuccess(HttpResponseMessage response) =>
        response.IsSuccessStatusCode
            ? response
            : throw new HttpRequestException($"S3 answered {(int)response.StatusCode} {response.ReasonPhrase}.", null, response.StatusCode);
}
