namespace Hydra.Web.Api.Jobsets;

/// <summary>One input from a PUT body; <see cref="Secret"/> is null when the stored credential stays as it is.</summary>
internal sealed record JobsetInputSettings(string Name, string Type, string Value, bool EmailResponsible, SecretChange? Secret);
