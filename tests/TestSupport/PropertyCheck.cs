using CsCheck;
using Xunit.Sdk;

namespace TestSupport;

/// <summary>
/// Runs a property over cases drawn from a CsCheck generator with one fixed PCG seed, so CI sees the same cases on
/// every run (CsCheck's own <c>Sample</c> draws fresh random seeds after the first) and a failure names its case.
/// </summary>
public static class PropertyCheck
{
    public const ulong Seed = 20261201;

    public static void ForAll<T>(Gen<T> gen, int cases, Action<T> property, Func<T, string>? describe = null)
    {
        ArgumentNullException.ThrowIfNull(gen);
        ArgumentNullException.ThrowIfNull(property);
        var pcg = new PCG(1, Seed);
        for (var i = 0; i < cases; i++)
        {
            var value = gen.Generate(pcg, null, out _);
            try
            {
                property(value);
            }
            catch (Exception ex)
            {
                throw new XunitException($"Case {i} (seed {Seed}) failed for {(describe ?? Describe)(value)}: {ex}");
            }
        }
    }

    public static async Task ForAllAsync<T>(Gen<T> gen, int cases, Func<T, Task> property, Func<T, string>? describe = null)
    {
        ArgumentNullException.ThrowIfNull(gen);
        ArgumentNullException.ThrowIfNull(property);
        var pcg = new PCG(1, Seed);
        for (var i = 0; i < cases; i++)
        {
            var value = gen.Generate(pcg, null, out _);
            try
            {
                await property(value);
            }
            catch (Exception ex)
            {
                throw new XunitException($"Case {i} (seed {Seed}) failed for {(describe ?? Describe)(value)}: {ex}");
            }
        }
    }

    private static string Describe<T>(T value) => value switch
    {
        string text => $"\"{string.Concat(text.Take(300).Select(c => c < ' ' || c > '~' ? $"\\u{(int)c:x4}" : c.ToString()))}\"",
        byte[] bytes => $"{bytes.Length} bytes: {Convert.ToHexString(bytes.AsSpan(0, Math.Min(bytes.Length, 128)))}",
        _ => value?.ToString() ?? "null",
    };
}
