using System.Text;
using Hydra.Core.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Hydra.Core.Data;

/// <summary>
/// EF Core mapping onto the schema in <c>Data/Migrations/*.sql</c>. The SQL files own the schema;
/// this context only maps it (snake_case names), so hot paths can use plain SQL on the same tables.
/// </summary>
public sealed class HydraDbContext(DbContextOptions<HydraDbContext> options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();
    public DbSet<Project> Projects => Set<Project>();
    public DbSet<Jobset> Jobsets => Set<Jobset>();
    public DbSet<JobsetInput> JobsetInputs => Set<JobsetInput>();
    public DbSet<InputSecret> InputSecrets => Set<InputSecret>();
    public DbSet<Evaluation> Evaluations => Set<Evaluation>();
    public DbSet<EvaluationInput> EvaluationInputs => Set<EvaluationInput>();
    public DbSet<EvaluationError> EvaluationErrors => Set<EvaluationError>();
    public DbSet<EvaluationMember> EvaluationMembers => Set<EvaluationMember>();
    public DbSet<Build> Builds => Set<Build>();
    public DbSet<BuildOutput> BuildOutputs => Set<BuildOutput>();
    public DbSet<BuildProduct> BuildProducts => Set<BuildProduct>();
    public DbSet<BuildMetric> BuildMetrics => Set<BuildMetric>();
    public DbSet<BuildStep> BuildSteps => Set<BuildStep>();
    public DbSet<Step> Steps => Set<Step>();
    public DbSet<StepDependency> StepDependencies => Set<StepDependency>();
    public DbSet<StepAttempt> StepAttempts => Set<StepAttempt>();
    public DbSet<Worker> Workers => Set<Worker>();
    public DbSet<AggregateConstituent> AggregateConstituents => Set<AggregateConstituent>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Project>().HasMany(p => p.Jobsets).WithOne(j => j.Project).HasForeignKey(j => j.ProjectId);
        modelBuilder.Entity<Jobset>().HasMany(j => j.Inputs).WithOne().HasForeignKey(i => i.JobsetId);
        modelBuilder.Entity<JobsetInput>().HasKey(i => new { i.JobsetId, i.Name });
        modelBuilder.Entity<InputSecret>().HasKey(s => new { s.JobsetId, s.InputName });
        modelBuilder.Entity<Evaluation>().HasMany(e => e.Inputs).WithOne().HasForeignKey(i => i.EvaluationId);
        modelBuilder.Entity<Evaluation>().HasMany(e => e.Errors).WithOne().HasForeignKey(i => i.EvaluationId);
        modelBuilder.Entity<EvaluationInput>().HasKey(i => new { i.EvaluationId, i.Name });
        modelBuilder.Entity<EvaluationError>().HasKey(i => new { i.EvaluationId, i.Job });
        modelBuilder.Entity<EvaluationMember>().HasKey(m => new { m.EvaluationId, m.BuildId });
        modelBuilder.Entity<Build>().HasMany(b => b.Outputs).WithOne().HasForeignKey(o => o.BuildId);
        modelBuilder.Entity<BuildOutput>().HasKey(o => new { o.BuildId, o.Name });
        modelBuilder.Entity<BuildProduct>().HasKey(p => new { p.BuildId, p.ProductNr });
        modelBuilder.Entity<BuildMetric>().HasKey(m => new { m.BuildId, m.Name });
        modelBuilder.Entity<BuildStep>().HasKey(s => new { s.BuildId, s.StepId });
        modelBuilder.Entity<StepDependency>().HasKey(d => new { d.StepId, d.DependsOnId });
        modelBuilder.Entity<AggregateConstituent>().HasKey(a => new { a.AggregateId, a.ConstituentId });

        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            entity.SetTableName(ToSnakeCase(entity.ClrType.Name) + "s");
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(ToSnakeCase(property.Name));
            }
        }
        modelBuilder.Entity<StepDependency>().ToTable("step_dependencies");
    }

    /// <summary>"EvalStartedAt" becomes "eval_started_at".</summary>
    public static string ToSnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0)
                {
                    builder.Append('_');
                }
                builder.Append(char.ToLowerInvariant(c));
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }
}
