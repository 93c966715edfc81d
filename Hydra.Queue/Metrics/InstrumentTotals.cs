using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text;

namespace Hydra.Queue.Metrics;

/// <summary>The running totals of one counter or histogram, one series per label set.</summary>
internal sealed class InstrumentTotals
{
    private readonly ConcurrentDictionary<string, Series> _series = new(StringComparer.Ordinal);
    private readonly double[]? _bounds;
    private readonly string _description;

    private InstrumentTotals(string name, string description, double[]? bounds)
    {
        Name = name;
        _description = description;
        _bounds = bounds;
        // An instrument without labels shows zero until its first measurement.
        _series[""] = new Series("", bounds);
    }

    /// <summary>The Prometheus name: counters end in <c>_total</c>, histograms in seconds in <c>_seconds</c>.</summary>
    public string Name { get; }

    /// <summary>Totals for a counter or a histogram; null for kinds the queue does not use.</summary>
    public static InstrumentTotals? For(Instrument instrument) => instrument switch
    {
        Counter<long> or Counter<double> => new InstrumentTotals(instrument.Name + "_total", instrument.Description ?? "", null),
        Histogram<double> histogram => new InstrumentTotals(
            instrument.Name + (instrument.Unit == "s" ? "_seconds" : ""), instrument.Description ?? "",
            histogram.Advice?.HistogramBucketBoundaries?.ToArray() ?? [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]),
        _ => null,
    };

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = Labels(tags);
        var series = _series.GetOrAdd(labels, static (key, bounds) => new Series(key, bounds), _bounds);
        series.Add(value);
    }

    public void WriteTo(PrometheusWriter writer)
    {
        writer.Family(Name, _bounds is null ? "counter" : "histogram", _description);
        foreach (var series in _series.Values.OrderBy(s => s.Labels, StringComparer.Ordinal))
        {
            series.WriteTo(writer, Name, _bounds);
        }
    }

    private static string Labels(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.IsEmpty)
        {
            return "";
        }
        var pairs = new List<(string, string)>(tags.Length);
        foreach (var tag in tags)
        {
            pairs.Add((tag.Key, Convert.ToString(tag.Value, System.Globalization.CultureInfo.InvariantCulture) ?? ""));
        }
        pairs.Sort((a, b) => string.CompareOrdinal(a.Item1, b.Item1));
        var text = new StringBuilder();
        foreach (var (key, value) in pairs)
        {
            text.Append(text.Length == 0 ? "" : ",").Append(key).Append("=\"").Append(PrometheusWriter.Escape(value)).Append('"');
        }
        return text.ToString();
    }

    /// <summary>One label set: a sum and a count, and per-bucket counts for a histogram. Guarded by its own lock.</summary>
    private sealed class Series(string labels, double[]? bounds)
    {
        private readonly Lock _lock = new();
        private readonly long[] _buckets = new long[(bounds?.Length ?? 0) + 1];
        private double _sum;
        private long _count;

        public string Labels { get; } = labels;

        public void Add(double value)
        {
            lock (_lock)
            {
                _sum += value;
                _count++;
                if (bounds is not null)
                {
                    var index = Array.BinarySearch(bounds, value);
                    _buckets[index >= 0 ? index : ~index]++;
                }
            }
        }

        public void WriteTo(PrometheusWriter writer, string name, double[]? bounds)
        {
            double sum;
            long count;
            long[] buckets;
            lock (_lock)
            {
                sum = _sum;
                count = _count;
                buckets = (long[])_buckets.Clone();
            }
            if (bounds is null)
            {
                writer.Sample(name, Labels, sum);
                return;
            }
            long cumulative = 0;
            for (var i = 0; i < bounds.Length; i++)
            {
                cumulative += buckets[i];
                writer.Sample(name + "_bucket", PrometheusWriter.Join(Labels, $"le=\"{PrometheusWriter.Number(bounds[i])}\""), cumulative);
            }
            writer.Sample(name + "_bucket", PrometheusWriter.Join(Labels, "le=\"+Inf\""), count);
            writer.Sample(name + "_sum", Labels, sum);
            writer.Sample(name + "_count", Labels, count);
        }
    }
}
