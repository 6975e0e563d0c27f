using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace RealtimeHub.Tests.Bridge;

/// <summary>A logger provider that keeps every entry a node writes at Warning or above.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    /// <summary>Entries of <paramref name="category"/>'s type with event id <paramref name="eventId"/>.</summary>
    public IReadOnlyList<LogEntry> Of<T>(int eventId) =>
        [.. _entries.Where(e => e.Category == typeof(T).FullName && e.EventId == eventId)];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<LogEntry> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                entries.Enqueue(new LogEntry(category, eventId.Id, logLevel, formatter(state, exception), exception));
            }
        }
    }
}

/// <summary>One captured log entry.</summary>
public sealed record LogEntry(string Category, int EventId, LogLevel Level, string Message, Exception? Exception = null);
