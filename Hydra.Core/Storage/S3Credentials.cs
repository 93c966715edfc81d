namespace Hydra.Core.Storage;

/// <summary>An S3 access key and the region requests are signed for.</summary>
public sealed record S3Credentials(string AccessKeyId, string SecretAccessKey, string Region);
