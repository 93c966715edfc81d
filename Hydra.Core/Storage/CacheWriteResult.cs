namespace Hydra.Core.Storage;

/// <summary>How writing a stream into the cache ended.</summary>
public enum CacheWriteResult
{
    /// <summary>The file is in place (replacing any earlier one with the same name).</summary>
    Stored,

    /// <summary>The stream was longer than allowed; nothing was written.</summary>
    TooLarge,

    /// <summary>The content's SHA-256 differs from the one its name promises; nothing was written.</summary>
    HashMismatch,
}
