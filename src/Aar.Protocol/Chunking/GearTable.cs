namespace Aar.Protocol.Chunking;

/// <summary>
/// The 256 random 64-bit values of the gear rolling hash. They are part of the wire contract (they decide where every
/// boundary falls), so they are generated from a fixed seed by SplitMix64 rather than drawn at start, and an index
/// names the algorithm version that uses them.
/// </summary>
internal static class GearTable
{
    public static readonly ulong[] Values = Create(0x6161722d63686e6bUL);

    private static ulong[] Create(ulong seed)
    {
        var values = new ulong[256];
        var state = seed;
        for (var i = 0; i < values.Length; i++)
        {
            state += 0x9E3779B97F4A7C15UL;
            var z = state;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            values[i] = z ^ (z >> 31);
        }

        return values;
    }
}
