namespace Hydra.Web.Cache;

/// <summary>A private project's cache readers, bound from <c>Hydra:Cache:Projects:&lt;project&gt;</c>.</summary>
public sealed class CacheProjectAccess
{
    /// <summary>Tokens that may read this project's paths (netrc password or bearer token).</summary>
    public List<string> ReadTokens { get; set; } = [];
}
