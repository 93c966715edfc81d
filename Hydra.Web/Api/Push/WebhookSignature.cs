using System.Security.Cryptography;
using System.Text;

namespace Hydra.Web.Api.Push;

/// <summary>Checks that a webhook request comes from the forge: constant-time comparisons only.</summary>
internal static class WebhookSignature
{
    /// <summary>
    /// GitHub (<c>sha256=HEX</c>) and Gitea (<c>HEX</c>): HMAC-SHA256 of the raw body with the secret. A header
    /// that is not hex of the right length fails like a wrong one.
    /// </summary>
    public static bool HmacMatches(string secret, byte[] body, string? header, string prefix)
    {
        if (header is null || !header.StartsWith(prefix, StringComparison.Ordinal) || header.Length != prefix.Length + 64)
        {
            return false;
        }
        byte[] given;
        try
        {
            given = Convert.FromHexString(header.AsSpan(prefix.Length));
        }
        catch (FormatException)
        {
            return false;
        }
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    /// <summary>GitLab sends the secret itself; comparing hashes keeps the time independent of the length too.</summary>
    public static bool TokenMatches(string secret, string? header) =>
        header is not null && CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(secret)), SHA256.HashData(Encoding.UTF8.GetBytes(header)));
}
