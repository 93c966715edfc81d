using System.Text.Json.Serialization;

namespace Hydra.Web.Api.Legacy;

/// <summary>
/// The short build summary of Hydra's <c>/api/queue</c> and <c>/api/latestbuilds</c>: a finished build
/// carries <c>buildstatus</c>, a queued one <c>priority</c>.
/// </summary>
internal sealed record LegacyBuildJson(
    long Id,
    string Project,
    string Jobset,
    string Job,
    string System,
    string NixName,
    int Finished,
    long Timestamp,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? BuildStatus,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Priority);
