using System.Text.Json.Serialization;

namespace Hydra.Web.Api.Jobsets;

/// <summary>Hydra's Jobset JSON: times as Unix seconds, strings default to "", <c>enabled</c> as 0-3.</summary>
internal sealed record JobsetJson(
    string Name,
    string Project,
    string Description,
    string NixExprInput,
    string NixExprPath,
    string ErrorMsg,
    long? ErrorTime,
    long? LastCheckedTime,
    long? TriggerTime,
    long? StartTime,
    int Enabled,
    bool Visible,
    bool Hidden,
    bool EnableEmail,
    [property: JsonPropertyName("enable_dynamic_run_command")] bool EnableDynamicRunCommand,
    string EmailOverride,
    int KeepNr,
    int CheckInterval,
    int SchedulingShares,
    string FetchErrorMsg,
    int Type,
    string Flake,
    IReadOnlyDictionary<string, JobsetInputJson> Inputs);
