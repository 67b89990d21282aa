using Aar.Cli.Common;
using Aar.Protocol.Certificates;

namespace Aar.Cli.Trust;

/// <summary>Reads the PEM for <c>aar trust add</c> from a file or standard input, bounded in size.</summary>
internal static class CertificateInput
{
    public static async Task<(string? Pem, string? Error)> ReadAsync(string? path, CliConsole console, CancellationToken cancellationToken)
    {
        if (path is null or "-")
        {
            if (!console.InputRedirected)
            {
                return (null, "No certificate given: pass a file (aar trust add client.crt) or pipe one in (cat client.crt | aar trust add).");
            }

            return (await ReadBoundedAsync(console.In, cancellationToken), null);
        }

        try
        {
            if (new FileInfo(path).Length > PemCertificateReader.MaximumLength)
            {
                return (null, $"{path} is larger than {PemCertificateReader.MaximumLength} bytes, too large for a certificate; is it the right file?");
            }

            using var reader = new StreamReader(path);
            return (await ReadBoundedAsync(reader, cancellationToken), null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return (null, $"Cannot read {path} ({ex.Message.TrimEnd('.')}); check the path and its permissions.");
        }
    }

    /// <summary>Reads at most one character past the limit, so a huge input is refused without being held in memory.</summary>
    private static async Task<string> ReadBoundedAsync(TextReader reader, CancellationToken cancellationToken)
    {
        var buffer = new char[PemCertificateReader.MaximumLength + 1];
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await reader.ReadAsync(buffer.AsMemory(total), cancellationToken);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return new string(buffer, 0, total);
    }
}
