namespace Hydra.Builder.Nix.Serve;

/// <summary>
/// Constants of <c>nix-store --serve</c> (the protocol Hydra's queue runner and <c>nix-copy-closure</c> speak),
/// checked against Nix 2.8, which answers version 2.7. We speak 2.6: path infos then carry the NAR hash,
/// content address and signatures (from minor 4 on), and 2.8 reads nothing more for the commands we send.
/// </summary>
public static class ServeProtocol
{
    public const ulong ClientMagic = 0x390c9deb;
    public const ulong ServerMagic = 0x5452eecb;
    public const ulong ClientVersion = 0x206;

    /// <summary>Minor versions before this do not send NAR hashes in path infos.</summary>
    public const int MinServerMinor = 4;

    public const ulong QueryValidPaths = 1;
    public const ulong QueryPathInfos = 2;
    public const ulong DumpStorePath = 3;
    public const ulong BuildPaths = 6;

    public static int Major(ulong version) => (int)(version >> 8);

    public static int Minor(ulong version) => (int)(version & 0xff);
}
