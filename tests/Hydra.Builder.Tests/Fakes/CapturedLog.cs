using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Hydra.Builder.Tests.Fakes;

/// <summary>A logger provider that keeps every formatted message, so tests can check what the worker said.</summary>
internal sealed class CapturedLog : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _messages = new();

    public bool Contains(string text) => _messages.Any(m => m.Contains(text, StringComparison.Ordinal));

    public int Count(string text) => _messages.Count(m => m.Contains(text, StringComparison.Ordinal));

    public ILogger CreateLogger(string categoryName) => new Logger(_messages);

    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentQueue<string> messages) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            messages.Enqueue(formatter(state, exception));
    }
}
