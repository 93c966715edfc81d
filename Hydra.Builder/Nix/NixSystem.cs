using System.Runtime.InteropServices;

namespace Hydra.Builder.Nix;

/// <summary>Nix system types ("x86_64-linux") for the machine we run on.</summary>
public static class NixSystem
{
    /// <summary>The Nix system string of this machine, from the OS and processor architecture.</summary>
    public static string Current()
    {
        var cpu = RuntimeInformation.OSArchitecture switch
        {
            Architecture.X64 => "x86_64",
            Architecture.Arm64 => "aarch64",
            Architecture.X86 => "i686",
            Architecture.Arm => "armv7l",
            Architecture.RiscV64 => "riscv64",
            Architecture.LoongArch64 => "loongarch64",
            Architecture.Ppc64le => "powerpc64le",
            Architecture.S390x => "s390x",
            var other => other.ToString().ToLowerInvariant(),
        };
        var os = OperatingSystem.IsMacOS() ? "darwin" : OperatingSystem.IsFreeBSD() ? "freebsd" : "linux";
        return $"{cpu}-{os}";
    }
}
