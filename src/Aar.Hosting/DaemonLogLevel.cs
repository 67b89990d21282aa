using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;

namespace Aar.Hosting;

/// <summary>The <c>--log-level</c> values both daemons accept: the .NET level names in lower case, and two common short forms.</summary>
public static class DaemonLogLevel
{
    public const string Default = "information";

    /// <summary>For error messages and help: the full names, least severe first.</summary>
    public const string Choices = "trace, debug, information, warning, error or critical";

    public static readonly IReadOnlyList<string> Names = ["trace", "debug", "information", "warning", "error", "critical"];

    public static bool TryParse([NotNullWhen(true)] string? text, out LogLevel level)
    {
        level = text?.ToLowerInvariant() switch
        {
            "trace" => LogLevel.Trace,
            "debug" => LogLevel.Debug,
            "information" or "info" => LogLevel.Information,
            "warning" or "warn" => LogLevel.Warning,
            "error" => LogLevel.Error,
            "critical" => LogLevel.Critical,
            _ => LogLevel.None,
        };
        return level != LogLevel.None;
    }

    /// <summary>A level the validator accepted.</summary>
    public static LogLevel Parse(string text) =>
        TryParse(text, out var level) ? level : throw new ArgumentException(Check(text), nameof(text));

    /// <summary>The option's problem in the validators' style, or null when <paramref name="text"/> is a level.</summary>
    public static string? Check(string? text) =>
        TryParse(text, out _) ? null : $"--log-level '{text}' is unknown: use {Choices}.";
}
