using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Hydra.Web.Cache;

/// <summary>
/// The token a cache request carries: the password of HTTP Basic (what Nix sends from a netrc file; the user
/// name is not checked) or an <c>Authorization: Bearer</c> token.
/// </summary>
public static class CacheCredentials
{
    /// <summary>The token, or null when the request has none.</summary>
    public static string? Token(HttpRequest request)
    {
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var header) || header.Parameter is null)
        {
            return null;
        }

        if (header.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return header.Parameter.Trim();
        }

        if (!header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var bytes = new byte[header.Parameter.Length];
        if (!Convert.TryFromBase64String(header.Parameter, bytes, out var written))
        {
            return null;
        }

        var credentials = Encoding.UTF8.GetString(bytes, 0, written);
        var colon = credentials.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? null : credentials[(colon + 1)..];
    }

    /// <summary>Whether <paramref name="token"/> is one of <paramref name="tokens"/>, compared in constant time.</summary>
    public static bool IsOneOf(string? token, IEnumerable<string> tokens)
    {
        if (token is null)
        {
            return false;
        }

        var given = Encoding.UTF8.GetBytes(token);
        var found = false;
        foreach (var candidate in tokens)
        {
            found |= CryptographicOperations.FixedTimeEquals(given, Encoding.UTF8.GetBytes(candidate));
        }

        return found;
    }
}
