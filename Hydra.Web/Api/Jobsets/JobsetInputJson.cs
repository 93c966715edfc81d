namespace Hydra.Web.Api.Jobsets;

/// <summary>One configured input of a jobset, as Hydra's Jobset JSON lists it.</summary>
internal sealed record JobsetInputJson(string Name, string Type, string Value, bool EmailResponsible);
