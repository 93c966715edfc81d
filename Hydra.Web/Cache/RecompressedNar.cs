namespace Hydra.Web.Cache;

/// <summary>
/// A NAR the cache recompressed at upload (<see cref="NarRecompressor"/>): what the worker sent, and what is stored
/// instead, so the narinfo that follows can be checked against the first and rewritten to the second.
/// </summary>
/// <param name="UploadedFileHash">Nix base32 SHA-256 of the file as uploaded (it was checked against the upload's name).</param>
/// <param name="UploadedFileSize">Bytes uploaded.</param>
/// <param name="NarHash">SHA-256 of the decompressed NAR, <c>sha256:&lt;nix32&gt;</c>, measured while recompressing.</param>
/// <param name="NarSize">Bytes of the decompressed NAR.</param>
/// <param name="StoredKey">Key of the stored file, <c>nar/&lt;file hash&gt;.nar.zst</c>.</param>
/// <param name="StoredFileHash">Nix base32 SHA-256 of the stored file.</param>
/// <param name="StoredFileSize">Bytes of the stored file.</param>
public sealed record RecompressedNar(
    string UploadedFileHash, long UploadedFileSize, string NarHash, long NarSize, string StoredKey, string StoredFileHash, long StoredFileSize);
