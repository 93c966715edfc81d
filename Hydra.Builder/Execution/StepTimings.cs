using System.Globalization;
using System.Text;

namespace Hydra.Builder.Execution;

/// <summary>
/// How long each phase of one step took, for the Debug log: where a step's time goes is the first question
/// when the farm is slower than plain Nix.
/// </summary>
internal sealed class StepTimings(TimeProvider timeProvider)
{
    private readonly long _started = timeProvider.GetTimestamp();
    private readonly List<(string Phase, long At)> _marks = [];
    private readonly Lock _gate = new();

    /// <summary>Ends the phase running until now and names it.</summary>
    public void Mark(string phase)
    {
        lock (_gate)
        {
            _marks.Add((phase, timeProvider.GetTimestamp()));
        }
    }

    /// <summary>Milliseconds since the step was claimed.</summary>
    public double TotalMilliseconds => timeProvider.GetElapsedTime(_started).TotalMilliseconds;

    /// <summary>"fetch 1.2 ms, build 20.5 ms, ...": each phase's own duration, in order.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        var previous = _started;
        lock (_gate)
        {
            foreach (var (phase, at) in _marks)
            {
                if (text.Length > 0)
                {
                    text.Append(", ");
                }

                text.Append(CultureInfo.InvariantCulture, $"{phase} {timeProvider.GetElapsedTime(previous, at).TotalMilliseconds:F1} ms");
                previous = at;
            }
        }

        return text.ToString();
    }
}
