namespace Hydra.Web.Api.Jobsets;

/// <summary>
/// One configured input of a jobset, as Hydra's Jobset JSON lists it. A stored credential is
/// write-only: the JSON only says whether there is one (<c>hassecret</c>).
/// </summary>
internal sealed record JobsetInputJson(string Name, string Type, string Value, bool EmailResponsible, bool HasSecret);
