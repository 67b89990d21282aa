using System.Globalization;
using System.Text.Json;

namespace EndToEnd.Tests.Monitoring;

/// <summary>
/// Debian's <c>prometheus</c> as a real child process on a free port of 127.0.0.1, with its own configuration and
/// storage directory, read through its HTTP API (<c>/api/v1/query</c>, <c>/api/v1/rules</c>). Killed on dispose.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    private readonly ServiceProcess _process;
    private readonly HttpClient _http;

    private PrometheusServer(ServiceProcess process, HttpClient http)
    {
        _process = process;
        _http = http;
    }

    public string Log => _process.Log;

    /// <summary>Writes <paramref name="configuration"/> to <c>prometheus.yml</c> in <paramref name="directory"/> and starts Prometheus on it.</summary>
    public static async Task<PrometheusServer> StartAsync(string directory, string configuration)
    {
        Directory.CreateDirectory(directory);
        var config = Path.Combine(directory, "prometheus.yml");
        await File.WriteAllTextAsync(config, configuration);
        var port = Ports.Free();
        var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            var process = await ServiceProcess.StartAsync(
                MonitoringTools.Prometheus,
                [$"--config.file={config}", $"--storage.tsdb.path={Path.Combine(directory, "data")}", $"--web.listen-address=127.0.0.1:{port}"],
                () => IsReadyAsync(http),
                TimeSpan.FromSeconds(30));
            return new PrometheusServer(process, http);
        }
        catch
        {
            http.Dispose();
            throw;
        }
    }

    /// <summary>An instant query at the current time: each series' labels and value.</summary>
    public async Task<IReadOnlyList<PrometheusSample>> QueryAsync(string expression)
    {
        using var data = await GetDataAsync($"/api/v1/query?query={Uri.EscapeDataString(expression)}");
        var result = data.RootElement.GetProperty("data");
        Assert.True(result.GetProperty("resultType").GetString() == "vector", $"{expression} is not an instant vector: {data.RootElement}");
        return result.GetProperty("result").EnumerateArray().Select(series => new PrometheusSample(
            series.GetProperty("metric").EnumerateObject().ToDictionary(l => l.Name, l => l.Value.GetString()!, StringComparer.Ordinal),
            double.Parse(series.GetProperty("value")[1].GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture))).ToList();
    }

    /// <summary>
    /// Queries <paramref name="expression"/> every 250 ms until <paramref name="accept"/> takes the result, for at most
    /// <paramref name="timeout"/>; the failure names what was awaited and what Prometheus last answered.
    /// </summary>
    public async Task<IReadOnlyList<PrometheusSample>> QueryUntilAsync(string expression, Func<IReadOnlyList<PrometheusSample>, bool> accept, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var result = await QueryAsync(expression);
            if (accept(result))
            {
                return result;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited {timeout} for {what}; Prometheus last answered {expression} with [{string.Join(", ", result)}].");
            }

            await Task.Delay(250);
        }
    }

    /// <summary>The loaded alerting and recording rules as <c>/api/v1/rules</c> reports them: group, name, health, last error.</summary>
    public async Task<IReadOnlyList<(string Group, string Name, string Health, string? LastError)>> RulesAsync()
    {
        using var data = await GetDataAsync("/api/v1/rules");
        return data.RootElement.GetProperty("data").GetProperty("groups").EnumerateArray()
            .SelectMany(group => group.GetProperty("rules").EnumerateArray().Select(rule => (
                group.GetProperty("name").GetString()!,
                rule.GetProperty("name").GetString()!,
                rule.GetProperty("health").GetString()!,
                rule.TryGetProperty("lastError", out var error) ? error.GetString() : null)))
            .ToList();
    }

    private async Task<JsonDocument> GetDataAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"prometheus answered {(int)response.StatusCode} to {path}: {body}");
        var document = JsonDocument.Parse(body);
        Assert.True(document.RootElement.GetProperty("status").GetString() == "success", $"prometheus answered {path} with {body}");
        return document;
    }

    private static async Task<bool> IsReadyAsync(HttpClient http)
    {
        try
        {
            using var response = await http.GetAsync("/-/ready");
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _process.DisposeAsync();
    }
}

/// <summary>One series of a query result.</summary>
internal sealed record PrometheusSample(IReadOnlyDictionary<string, string> Labels, double Value)
{
    public override string ToString() =>
        $"{{{string.Join(",", Labels.Select(l => $"{l.Key}=\"{l.Value}\""))}}} {Value.ToString(CultureInfo.InvariantCulture)}";
}
