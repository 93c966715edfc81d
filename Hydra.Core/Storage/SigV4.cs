using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Hydra.Core.Storage;

/// <summary>
/// AWS Signature Version 4 for S3, as S3-compatible stores (MinIO, Garage, Ceph, R2) check it: a signed
/// <c>Authorization</c> header, or a presigned URL. Only what <see cref="S3CacheStorage"/> sends: path-style
/// keys of plain characters, a few headers.
/// </summary>
public static class SigV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";
    public const string UnsignedPayload = "UNSIGNED-PAYLOAD";
    public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private const string Service = "s3";

    /// <summary>The <c>x-amz-date</c> form of <paramref name="time"/>.</summary>
    public static string AmzDate(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// The <c>Authorization</c> header for a request whose <paramref name="headers"/> (lower-case names, all of them
    /// signed; they must include <c>host</c>, <c>x-amz-date</c> and <c>x-amz-content-sha256</c>) are final.
    /// </summary>
    public static string Authorization(
        string method, string canonicalPath, string canonicalQuery, IReadOnlyDictionary<string, string> headers,
        string payloadHash, string amzDate, S3Credentials credentials)
    {
        var signedHeaders = string.Join(';', headers.Keys.OrderBy(k => k, StringComparer.Ordinal));
        var signature = Signature(method, canonicalPath, canonicalQuery, headers, payloadHash, amzDate, credentials);
        return $"{Algorithm} Credential={credentials.AccessKeyId}/{Scope(amzDate, credentials.Region)}, SignedHeaders={signedHeaders}, Signature={signature}";
    }

    /// <summary>The hex signature of a request (also what a server recomputes to check one).</summary>
    public static string Signature(
        string method, string canonicalPath, string canonicalQuery, IReadOnlyDictionary<string, string> headers,
        string payloadHash, string amzDate, S3Credentials credentials)
    {
        var names = headers.Keys.OrderBy(k => k, StringComparer.Ordinal).ToList();
        var canonicalHeaders = string.Concat(names.Select(n => n + ":" + headers[n].Trim() + "\n"));
        var canonicalRequest = string.Join('\n', method, canonicalPath, canonicalQuery, canonicalHeaders, string.Join(';', names), payloadHash);
        var scope = Scope(amzDate, credentials.Region);
        var stringToSign = string.Join('\n', Algorithm, amzDate, scope, Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))));

        var key = Hmac(Encoding.UTF8.GetBytes("AWS4" + credentials.SecretAccessKey), amzDate[..8]);
        key = Hmac(key, credentials.Region);
        key = Hmac(key, Service);
        key = Hmac(key, "aws4_request");
        return Hex(Hmac(key, stringToSign));
    }

    /// <summary>A presigned GET URL valid for <paramref name="expires"/>, signing only the host header.</summary>
    public static Uri Presign(Uri objectUrl, string amzDate, TimeSpan expires, S3Credentials credentials)
    {
        var query = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["X-Amz-Algorithm"] = Algorithm,
            ["X-Amz-Credential"] = $"{credentials.AccessKeyId}/{Scope(amzDate, credentials.Region)}",
            ["X-Amz-Date"] = amzDate,
            ["X-Amz-Expires"] = ((long)expires.TotalSeconds).ToString(CultureInfo.InvariantCulture),
            ["X-Amz-SignedHeaders"] = "host",
        };
        var canonicalQuery = CanonicalQuery(query);
        var headers = new Dictionary<string, string> { ["host"] = HostHeader(objectUrl) };
        var signature = Signature("GET", objectUrl.AbsolutePath, canonicalQuery, headers, UnsignedPayload, amzDate, credentials);
        return new Uri($"{objectUrl.GetLeftPart(UriPartial.Path)}?{canonicalQuery}&X-Amz-Signature={signature}");
    }

    /// <summary>Query parameters sorted and encoded as SigV4 wants them.</summary>
    public static string CanonicalQuery(IEnumerable<KeyValuePair<string, string>> parameters) =>
        string.Join('&', parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => Encode(p.Key) + "=" + Encode(p.Value)));

    /// <summary>RFC 3986 encoding of everything but unreserved characters (and, for paths, slashes).</summary>
    public static string Encode(string text, bool keepSlashes = false)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            var c = (char)b;
            if (char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '~' || (keepSlashes && c == '/'))
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return builder.ToString();
    }

    /// <summary>The host header as sent: the port only when it is not the scheme's default.</summary>
    public static string HostHeader(Uri url) => url.IsDefaultPort ? url.Host : url.Authority;

    public static string Hex(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    private static string Scope(string amzDate, string region) => $"{amzDate[..8]}/{region}/{Service}/aws4_request";

    private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));
}
