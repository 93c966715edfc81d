namespace Hydra.Web.Gc;

/// <summary>
/// What a collection deletes (or, for a dry run, would delete): narinfos of store paths nothing keeps and NAR files no
/// remaining narinfo names, with the bytes that frees. <see cref="Roots"/> counts the store paths the database keeps,
/// <see cref="Live"/> the narinfos kept through their closure.
/// </summary>
public sealed record GcReport(
    bool DryRun,
    int Roots,
    int Live,
    int Young,
    IReadOnlyList<string> NarInfos,
    IReadOnlyList<string> Nars,
    long BytesFreed);
