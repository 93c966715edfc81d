namespace Hydra.Builder.Execution;

/// <summary>The last few log lines of a step, for the error message of a failure report. Thread-safe.</summary>
public sealed class LogTail(int capacity = 20)
{
    private readonly Queue<string> _lines = new(capacity);
    private readonly Lock _gate = new();

    public void Add(string line)
    {
        lock (_gate)
        {
            if (_lines.Count == capacity)
            {
                _lines.Dequeue();
            }

            _lines.Enqueue(line);
        }
    }

    public override string ToString()
    {
        lock (_gate)
        {
            return string.Join('\n', _lines);
        }
    }
}
