using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Architecture.Tests;

/// <summary>
/// Every log event of a daemon has a name of its own, which its log lines print and operators grep for
/// (docs/operations.md, "Logs"). The names are checked per daemon rather than per category: a grep for an event runs
/// over the whole journal of a service, so two categories sharing one name would already mix two events.
/// </summary>
public sealed partial class LogEventTests
{
    private const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;

    public static TheoryData<string, string[]> Daemons => new()
    {
        { "aar", [OurAssemblies.HostingKit, OurAssemblies.Server] },
        { "ams", [OurAssemblies.HostingKit, OurAssemblies.Daemon] },
    };

    [Theory]
    [MemberData(nameof(Daemons))]
    public void Each_event_name_occurs_once_in_a_daemon(string daemon, string[] assemblies)
    {
        var events = EventsOf(assemblies);
        var duplicates = events.GroupBy(e => e.Name, StringComparer.Ordinal).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => e.Where))}").ToList();

        // Reflection that found nothing would pass vacuously: both daemons log far more than this.
        Assert.True(events.Count >= 15, $"{daemon}: only {events.Count} [LoggerMessage] methods found");
        Assert.True(duplicates.Count == 0, $"{daemon} has event names used twice:\n  " + string.Join("\n  ", duplicates));
    }

    [Fact]
    public void Event_names_are_two_or_more_words_and_ids_are_left_to_the_generator()
    {
        var events = EventsOf([.. OurAssemblies.All.Keys]);
        // One word (Failed, Created) says nothing without its class, which the log line does not show.
        var vague = events.Where(e => !PascalCaseWords().IsMatch(e.Name)).Select(e => $"{e.Name} ({e.Where})").ToList();
        // An explicit EventId could repeat another event's; left out, the generator derives it from the unique name.
        var numbered = events.Where(e => e.ExplicitId).Select(e => $"{e.Name} ({e.Where})").ToList();

        Assert.True(vague.Count == 0, "Event names that are not two or more PascalCase words:\n  " + string.Join("\n  ", vague));
        Assert.True(numbered.Count == 0, "Events with an explicit EventId:\n  " + string.Join("\n  ", numbered));
    }

    [Fact]
    public void Nothing_logs_around_LoggerMessage()
    {
        // logger.LogInformation(…) and friends log without an event name; the line would show a bare 0.
        var dependencies = OurAssemblies.Model.Types.SelectMany(type => type.Dependencies).ToList();
        var callers = dependencies
            .Where(d => d.Target.FullName == typeof(LoggerExtensions).FullName)
            .Select(d => TypeNames.Readable(d.Origin))
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();

        // The model does see calls into the logging library: the generated [LoggerMessage] code uses LoggerMessage.Define.
        Assert.Contains(dependencies, d => d.Target.FullName == typeof(LoggerMessage).FullName);
        Assert.True(callers.Count == 0, "Types that call LoggerExtensions (LogInformation, LogWarning, …) instead of a [LoggerMessage] method:\n  " + string.Join("\n  ", callers));
    }

    private static List<(string Name, string Where, bool ExplicitId)> EventsOf(IEnumerable<string> assemblies) =>
    [
        .. from name in assemblies
           from type in OurAssemblies.All[name].GetTypes()
           from method in type.GetMethods(Everything)
           let attribute = method.GetCustomAttribute<LoggerMessageAttribute>()
           where attribute is not null
           select (attribute.EventName ?? method.Name, $"{type.FullName}.{method.Name}", attribute.EventId != -1),
    ];

    [GeneratedRegex("^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+$")]
    private static partial Regex PascalCaseWords();
}
