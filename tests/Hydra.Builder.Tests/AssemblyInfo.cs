// The builder drives Nix, so its tests (real Nix, Unix file modes) run where Nix runs.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
