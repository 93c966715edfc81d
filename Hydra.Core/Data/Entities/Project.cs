namespace Hydra.Core.Data.Entities;

/// <summary>A project groups jobsets under one owner.</summary>
public sealed class Project
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public required string DisplayName { get; set; }
    public string Description { get; set; } = "";
    public string Homepage { get; set; } = "";
    public required string Owner { get; set; }
    public bool Enabled { get; set; } = true;
    public bool Hidden { get; set; }
    /// <summary>Declarative projects: the spec file's path inside the input; null on an ordinary project.</summary>
    public string? DeclFile { get; set; }
    /// <summary>Declarative projects: the type of the input holding the spec (only "git" for now).</summary>
    public string? DeclType { get; set; }
    /// <summary>Declarative projects: the value of that input, e.g. "https://example.org/repo.git main".</summary>
    public string? DeclValue { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public List<Jobset> Jobsets { get; set; } = [];
}
