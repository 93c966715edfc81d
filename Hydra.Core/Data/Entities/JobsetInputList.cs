namespace Hydra.Core.Data.Entities;

/// <summary>Replaces a jobset's inputs, shared by the jobset API and declarative specs.</summary>
public static class JobsetInputList
{
    /// <summary>
    /// Makes <paramref name="jobset"/>'s inputs equal <paramref name="desired"/>. Rows are updated in
    /// place, so an input's key (and any stored credential) survives an edit.
    /// </summary>
    public static void Replace(Jobset jobset, IEnumerable<(string Name, string Type, string Value, bool EmailResponsible)> desired)
    {
        var wanted = desired.ToList();
        jobset.Inputs.RemoveAll(i => !wanted.Any(s => s.Name == i.Name));
        foreach (var (name, type, value, emailResponsible) in wanted)
        {
            var row = jobset.Inputs.FirstOrDefault(i => i.Name == name);
            if (row is null)
            {
                jobset.Inputs.Add(new JobsetInput { Name = name, Type = type, Value = value, EmailResponsible = emailResponsible });
                continue;
            }
            row.Type = type;
            row.Value = value;
            row.EmailResponsible = emailResponsible;
        }
    }
}
