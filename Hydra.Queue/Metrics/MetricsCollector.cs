using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Hosting;

namespace Hydra.Queue.Metrics;

/// <summary>
/// Listens to the Hydra meters (<see cref="QueueMetrics"/>) and keeps running totals per instrument and label set:
/// counters as sums, histograms as cumulative bucket counts with their sum, in the instrument's advised bucket
/// bounds. <c>GET /metrics</c> writes them out (<see cref="WriteTo"/>). No metrics library is restorable here, and
/// these two kinds are all the queue records.
/// </summary>
public sealed class MetricsCollector : IHostedService, IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<Instrument, InstrumentTotals> _instruments = new();

    public MetricsCollector()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name.StartsWith("Hydra.", StringComparison.Ordinal) && InstrumentTotals.For(instrument) is { } totals)
            {
                _instruments[instrument] = totals;
                listener.EnableMeasurementEvents(instrument, totals);
            }
        };
        _listener.MeasurementsCompleted = (instrument, _) => _instruments.TryRemove(instrument, out var _);
        _listener.SetMeasurementEventCallback<long>((_, value, tags, state) => ((InstrumentTotals)state!).Record(value, tags));
        _listener.SetMeasurementEventCallback<double>((_, value, tags, state) => ((InstrumentTotals)state!).Record(value, tags));
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Create the queue's instruments now, so a scrape shows them (at zero) before the first claim.
        RuntimeHelpers.RunClassConstructor(typeof(QueueMetrics).TypeHandle);
        _listener.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _listener.Dispose();

    /// <summary>Writes every instrument's totals, sorted by name.</summary>
    public void WriteTo(PrometheusWriter writer)
    {
        foreach (var totals in _instruments.Values.OrderBy(t => t.Name, StringComparer.Ordinal))
        {
            totals.WriteTo(writer);
        }
    }
}
