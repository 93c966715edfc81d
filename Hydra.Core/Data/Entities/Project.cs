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
    public DateTimeOffset CreatedAt { get; set; }
    public List<Jobset> Jobsets { get; set; } = [];
}
