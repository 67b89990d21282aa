using System.Globalization;
using System.Text;
using Xunit;

namespace TestSupport;

/// <summary>
/// One scrape of a daemon's <c>/metrics</c> over plain HTTP, parsed line by line from the Prometheus text format:
/// <c>name{label="value",…} value</c>, comments skipped, label values unescaped.
/// </summary>
public sealed class MetricsScrape
{
    private MetricsScrape(string text, IReadOnlyList<MetricSample> samples)
    {
        Text = text;
        Samples = samples;
    }

    public string Text { get; }

    public IReadOnlyList<MetricSample> Samples { get; }

    public static async Task<MetricsScrape> GetAsync(Uri metricsAddress)
    {
        using var http = new HttpClient { BaseAddress = metricsAddress };
        using var response = await http.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"/metrics answered {(int)response.StatusCode}: {text}");
        return Parse(text);
    }

    public static MetricsScrape Parse(string text) =>
        new(text, text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Select(ParseLine).ToList());

    /// <summary>The samples of <paramref name="name"/> carrying (at least) <paramref name="labels"/>.</summary>
    public IEnumerable<MetricSample> Find(string name, params (string Name, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value));

    /// <summary>The one sample of <paramref name="name"/> with <paramref name="labels"/>; fails when there is none or several.</summary>
    public double Value(string name, params (string Name, string Value)[] labels)
    {
        var found = Find(name, labels).ToList();
        Assert.True(found.Count == 1, $"expected one sample of {name} {{{string.Join(",", labels.Select(l => $"{l.Name}={l.Value}"))}}}, found {found.Count}:\n{Text}");
        return found[0].Value;
    }

    /// <summary>The value, or 0 when the series is absent (a counter that has not moved).</summary>
    public double ValueOrZero(string name, params (string Name, string Value)[] labels) =>
        Find(name, labels).Sum(s => s.Value);

    private static MetricSample ParseLine(string line)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var brace = line.IndexOf('{');
        var space = line.IndexOf(' ');
        string name;
        int rest;
        if (brace >= 0 && brace < space)
        {
            name = line[..brace];
            rest = ParseLabels(line, brace + 1, labels);
        }
        else
        {
            name = line[..space];
            rest = space;
        }

        var value = line[rest..].Trim().Split(' ')[0];
        return new MetricSample(name, labels, value switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            _ => double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture),
        });
    }

    /// <summary>Reads <c>a="x",b="y"}</c> from <paramref name="start"/>; returns the index after the closing brace.</summary>
    private static int ParseLabels(string line, int start, Dictionary<string, string> labels)
    {
        var i = start;
        while (line[i] != '}')
        {
            var equals = line.IndexOf('=', i);
            var label = line[i..equals];
            i = equals + 2;
            var value = new StringBuilder();
            while (line[i] != '"')
            {
                if (line[i] == '\\')
                {
                    i++;
                    value.Append(line[i] == 'n' ? '\n' : line[i]);
                }
                else
                {
                    value.Append(line[i]);
                }

                i++;
            }

            labels[label] = value.ToString();
            i++;
            if (line[i] == ',')
            {
                i++;
            }
        }

        return i + 1;
    }
}

public sealed record MetricSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);
