using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Aar.Protocol.Certificates;

namespace Aar.Server.Tests.Access;

/// <summary>
/// Sends one request over real mutual TLS with the request target exactly as given, byte for byte. HttpClient (through
/// <see cref="Uri"/>) removes dot segments and may re-encode a path, so the spellings an attacker would send never
/// reach the server that way. HTTP/1.1 is a request line on the TLS stream; HTTP/2 is the connection preface and one
/// HEADERS (+ DATA) frame with literal HPACK fields, which is all a server needs to route a request.
/// </summary>
internal static class RawHttps
{
    public static async Task<int> SendAsync(Uri server, string serverFingerprint, X509Certificate2 certificate, bool http2, string method, string target, string? jsonBody)
    {
        Assert.True(Fingerprint.TryParse(serverFingerprint, out var pin));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(server.Host, server.Port);
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "localhost",
            ClientCertificates = [certificate],
            RemoteCertificateValidationCallback = PinnedServerCertificate.Validator(pin),
            ApplicationProtocols = [http2 ? SslApplicationProtocol.Http2 : SslApplicationProtocol.Http11],
        });
        Assert.Equal(http2 ? SslApplicationProtocol.Http2 : SslApplicationProtocol.Http11, tls.NegotiatedApplicationProtocol);
        var body = jsonBody is null ? [] : Encoding.UTF8.GetBytes(jsonBody);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        return http2
            ? await Http2Async(tls, server.Authority, method, target, body, timeout.Token)
            : await Http11Async(tls, server.Authority, method, target, body, timeout.Token);
    }

    private static async Task<int> Http11Async(SslStream tls, string authority, string method, string target, byte[] body, CancellationToken cancellationToken)
    {
        var head = $"{method} {target} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nContent-Length: {body.Length}\r\n"
            + (body.Length > 0 ? "Content-Type: application/json\r\n" : "") + "\r\n";
        await tls.WriteAsync(Encoding.ASCII.GetBytes(head), cancellationToken);
        await tls.WriteAsync(body, cancellationToken);
        await tls.FlushAsync(cancellationToken);
        var response = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        while ((read = await tls.ReadAsync(buffer, cancellationToken)) > 0)
        {
            response.Write(buffer, 0, read);
        }

        // "HTTP/1.1 404 Not Found"
        var statusLine = Encoding.ASCII.GetString(response.ToArray()).Split("\r\n")[0];
        return int.Parse(statusLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<int> Http2Async(SslStream tls, string authority, string method, string target, byte[] body, CancellationToken cancellationToken)
    {
        await tls.WriteAsync("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray(), cancellationToken);
        await WriteFrameAsync(tls, type: 0x4, flags: 0, stream: 0, [], cancellationToken);
        var block = new MemoryStream();
        foreach (var (name, value) in new[] { (":method", method), (":scheme", "https"), (":authority", authority), (":path", target), ("content-length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture)) })
        {
            // Literal header field without indexing, new name, no Huffman coding (RFC 7541 §6.2.2).
            block.WriteByte(0);
            WriteString(block, name);
            WriteString(block, value);
        }

        const byte EndStream = 0x1, EndHeaders = 0x4;
        await WriteFrameAsync(tls, type: 0x1, flags: (byte)(EndHeaders | (body.Length == 0 ? EndStream : 0)), stream: 1, block.ToArray(), cancellationToken);
        if (body.Length > 0)
        {
            await WriteFrameAsync(tls, type: 0x0, flags: EndStream, stream: 1, body, cancellationToken);
        }

        var header = new byte[9];
        while (true)
        {
            await tls.ReadExactlyAsync(header, cancellationToken);
            var length = (header[0] << 16) | (header[1] << 8) | header[2];
            var (type, flags, stream) = (header[3], header[4], BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(5)) & 0x7fffffff);
            var payload = new byte[length];
            await tls.ReadExactlyAsync(payload, cancellationToken);
            if (type == 0x4 && (flags & 0x1) == 0)
            {
                await WriteFrameAsync(tls, type: 0x4, flags: 0x1, stream: 0, [], cancellationToken);
            }
            else if (type == 0x7)
            {
                throw new InvalidOperationException($"The server closed the HTTP/2 connection (GOAWAY, error {BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(4))}).");
            }
            else if (type == 0x3 && stream == 1)
            {
                throw new InvalidOperationException($"The server reset the stream (RST_STREAM, error {BinaryPrimitives.ReadInt32BigEndian(payload)}).");
            }
            else if (type == 0x1 && stream == 1)
            {
                return StatusOf(payload);
            }
        }
    }

    /// <summary>
    /// The :status field, which a server sends first: an indexed static entry (8-14 are 200, 204, 206, 304, 400, 404
    /// and 500) or a literal whose name is static entry 8 and whose value is three plain digits.
    /// </summary>
    private static int StatusOf(byte[] block)
    {
        int[] indexed = [200, 204, 206, 304, 400, 404, 500];
        var first = block[0];
        if ((first & 0x80) != 0)
        {
            return indexed[(first & 0x7f) - 8];
        }

        var nameIndex = (first & 0xc0) == 0x40 ? first & 0x3f : first & 0x0f;
        Assert.Equal(8, nameIndex);
        Assert.Equal(3, block[1]);
        return int.Parse(Encoding.ASCII.GetString(block, 2, 3), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void WriteString(MemoryStream block, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        // The length as a 7-bit prefix integer (RFC 7541 §5.1), Huffman bit clear.
        if (bytes.Length < 127)
        {
            block.WriteByte((byte)bytes.Length);
        }
        else
        {
            block.WriteByte(127);
            var rest = bytes.Length - 127;
            for (; rest >= 128; rest >>= 7)
            {
                block.WriteByte((byte)((rest & 0x7f) | 0x80));
            }

            block.WriteByte((byte)rest);
        }

        block.Write(bytes);
    }

    private static async Task WriteFrameAsync(SslStream tls, byte type, byte flags, int stream, byte[] payload, CancellationToken cancellationToken)
    {
        var header = new byte[9];
        (header[0], header[1], header[2]) = ((byte)(payload.Length >> 16), (byte)(payload.Length >> 8), (byte)payload.Length);
        (header[3], header[4]) = (type, flags);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(5), stream);
        await tls.WriteAsync(header, cancellationToken);
        await tls.WriteAsync(payload, cancellationToken);
        await tls.FlushAsync(cancellationToken);
    }
}
