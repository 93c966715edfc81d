using System.Text.Json.Serialization;

namespace Hydra.Web.Api.Projects;

/// <summary>Hydra's Project JSON: real booleans, jobsets as names, <c>declarative</c> only when set.</summary>
internal sealed record ProjectJson(
    string Name,
    string DisplayName,
    string Description,
    string Homepage,
    string Owner,
    bool Enabled,
    bool Hidden,
    [property: JsonPropertyName("enable_dynamic_run_command")] bool EnableDynamicRunCommand,
    IReadOnlyList<string> Jobsets,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DeclarativeJson? Declarative);
