namespace Hydra.Web.Api.Jobs;

/// <summary>A shields.io endpoint badge (https://shields.io/endpoint), camelCase as shields.io reads it.</summary>
internal sealed record ShieldJson(int SchemaVersion, string Label, string Color, string Message);
