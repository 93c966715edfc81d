using System.Text.Json;
using System.Text.Json.Serialization;
using Hydra.Builder.Configuration;
using Hydra.Core.Protocol;

namespace Hydra.Builder.Transport;

/// <summary>Source-generated JSON for the worker protocol (web defaults: camelCase) and the config file.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, ReadCommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true)]
[JsonSerializable(typeof(WorkerInfo))]
[JsonSerializable(typeof(ClaimRequest))]
[JsonSerializable(typeof(ClaimResponse))]
[JsonSerializable(typeof(HeartbeatRequest))]
[JsonSerializable(typeof(HeartbeatResponse))]
[JsonSerializable(typeof(FinishRequest))]
[JsonSerializable(typeof(ReleaseResponse))]
[JsonSerializable(typeof(BuilderConfigFile))]
internal sealed partial class BuilderJsonContext : JsonSerializerContext;
