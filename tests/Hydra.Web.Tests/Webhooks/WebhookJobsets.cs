using Hydra.Core.Data;
using Hydra.Core.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Web.Tests.Webhooks;

/// <summary>Jobsets pointing at repositories, and what the webhooks did to them.</summary>
internal static class WebhookJobsets
{
    /// <summary>A jobset in <paramref name="project"/> (made when missing) with a git input "src" of <paramref name="gitValue"/>, or a flake.</summary>
    public static async Task<Jobset> AddAsync(HydraDbContext db, string project, string name, string? gitValue = null, string? flake = null,
        short enabled = 1, params (string Name, string Type, string Value)[] inputs)
    {
        var owner = await db.Projects.SingleOrDefaultAsync(p => p.Name == project)
                    ?? new Project { Name = project, DisplayName = project, Owner = "alice", CreatedAt = DateTimeOffset.UtcNow };
        var jobset = new Jobset
        {
            Project = owner, Name = name, Type = (short)(flake is null ? 0 : 1), Flake = flake, Enabled = enabled,
            NixExprInput = "src", NixExprPath = "release.nix", CreatedAt = DateTimeOffset.UtcNow,
        };
        if (gitValue is not null)
        {
            jobset.Inputs.Add(new JobsetInput { Name = "src", Type = "git", Value = gitValue });
        }
        foreach (var (input, type, value) in inputs)
        {
            jobset.Inputs.Add(new JobsetInput { Name = input, Type = type, Value = value });
        }
        db.Add(jobset);
        await db.SaveChangesAsync();
        return jobset;
    }

    /// <summary>The "project:jobset" names in <paramref name="project"/> with a pending trigger.</summary>
    public static async Task<List<string>> TriggeredAsync(HydraDbContext db, string project) =>
        await db.Jobsets.AsNoTracking().Where(j => j.Project!.Name == project && j.TriggerTime != null)
            .OrderBy(j => j.Name).Select(j => project + ":" + j.Name).ToListAsync();
}
