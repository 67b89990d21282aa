using System.Buffers.Binary;
using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace Ams.Daemon.Packages;

/// <summary>
/// Follows a tar archive's 512-byte headers ahead of <see cref="System.Formats.Tar.TarReader"/> and refuses a
/// metadata entry (GNU long name 'L' or long link 'K', PAX header 'x' or 'g') larger than
/// <see cref="PackageLimits.MaxTarMetadataBytes"/> before its data is read. TarReader reads such an entry's data
/// into memory whole: a 300 MiB long name, a few hundred KiB as .tar.gz, drove the daemon past 1.3 GB. It also
/// counts entries, so a million empty headers are refused at <see cref="PackageLimits.MaxEntries"/>.
/// Sizes are read the way TarReader reads them (octal or GNU base-256, a PAX <c>size</c> record overriding the
/// next header), so the scanner stays on the same header boundaries as the reader.
/// </summary>
internal sealed class TarHeaderScanner(string package, PackageLimits limits)
{
    private const int BlockSize = 512;

    // Larger sizes mean the same (the archive cannot hold them) and keep the rounding below from overflowing.
    private const long MaxSize = long.MaxValue / 2;
    private readonly byte[] _header = new byte[BlockSize];
    private int _headerFill;
    private long _dataLeft;
    private byte[]? _pax;
    private int _paxFill;
    private long? _nextSize;
    private int _entries;

    /// <summary>True once an end-of-archive block was seen; TarReader reads no entry after it.</summary>
    public bool Ended { get; private set; }

    /// <summary>Bytes of file data (with padding) up next that the scanner does not need to see.</summary>
    public long SkippableData => _pax is null ? _dataLeft : 0;

    /// <summary>Takes the next bytes of the archive, in order.</summary>
    public void Feed(ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length > 0 && !Ended)
        {
            if (_dataLeft > 0)
            {
                var take = (int)Math.Min(_dataLeft, bytes.Length);
                if (_pax is not null)
                {
                    var useful = Math.Min(take, _pax.Length - _paxFill);
                    bytes[..useful].CopyTo(_pax.AsSpan(_paxFill));
                    _paxFill += useful;
                }

                _dataLeft -= take;
                bytes = bytes[take..];
                if (_dataLeft == 0 && _pax is not null)
                {
                    _nextSize = PaxSize(_pax);
                    _pax = null;
                }

                continue;
            }

            var header = Math.Min(BlockSize - _headerFill, bytes.Length);
            bytes[..header].CopyTo(_header.AsSpan(_headerFill));
            _headerFill += header;
            bytes = bytes[header..];
            if (_headerFill == BlockSize)
            {
                _headerFill = 0;
                OnHeader();
            }
        }
    }

    /// <summary>Records that <paramref name="count"/> bytes of <see cref="SkippableData"/> were stepped over unseen.</summary>
    public void Skip(long count) => _dataLeft -= Math.Min(count, SkippableData);

    /// <summary>Checks every header of an uncompressed tar file by positional reads, stepping over file data.</summary>
    public async Task ScanFileAsync(SafeFileHandle file, long length, CancellationToken cancellationToken)
    {
        var block = new byte[BlockSize];
        long offset = 0;
        while (!Ended && offset < length)
        {
            if (SkippableData > 0)
            {
                var step = Math.Min(SkippableData, length - offset);
                Skip(step);
                offset += step;
                continue;
            }

            var read = await RandomAccess.ReadAsync(file, block, offset, cancellationToken);
            if (read == 0)
            {
                return;
            }

            Feed(block.AsSpan(0, read));
            offset += read;
        }
    }

    private void OnHeader()
    {
        // TarReader ends the archive at a header whose checksum field is empty (the zero blocks at the end).
        if (!_header.AsSpan(148, 8).ContainsAnyExcept((byte)0))
        {
            Ended = true;
            return;
        }

        var type = (char)_header[156];
        var size = Size(_header.AsSpan(124, 12));
        if (type is 'L' or 'K' or 'x' or 'g')
        {
            if (size > limits.MaxTarMetadataBytes)
            {
                throw new PackageException($"{package}: a tar {Describe(type)} entry declares {size} bytes; at most {limits.MaxTarMetadataBytes} are allowed for tar metadata, so the archive is refused before reading it.");
            }

            _pax = type == 'x' ? new byte[size] : null;
            _paxFill = 0;
        }
        else
        {
            if (++_entries > limits.MaxEntries)
            {
                throw new PackageException($"{package} has more than {limits.MaxEntries} entries; that is not an application package.");
            }

            size = _nextSize ?? size;
            _nextSize = null;
        }

        _dataLeft = (size + BlockSize - 1) / BlockSize * BlockSize;
        if (_dataLeft == 0 && _pax is not null)
        {
            _pax = null;
        }
    }

    private static string Describe(char type) => type switch
    {
        'L' => "GNU long-name ('L')",
        'K' => "GNU long-link ('K')",
        'x' => "PAX extended-header ('x')",
        _ => "PAX global-header ('g')",
    };

    /// <summary>An octal field (leading and trailing NULs or spaces ignored) or GNU base-256 (high bit set).</summary>
    private long Size(ReadOnlySpan<byte> field)
    {
        if ((field[0] & 0x80) != 0)
        {
            // Base-256: the rest is a big-endian number; 0xFF marks a negative one, which no size can be.
            if (field[0] != 0x80 || field[1..4].ContainsAnyExcept((byte)0))
            {
                throw Corrupt();
            }

            return (long)Math.Min(BinaryPrimitives.ReadUInt64BigEndian(field[4..]), MaxSize);
        }

        field = field.Trim([(byte)0, (byte)' ']);
        long value = 0;
        foreach (var digit in field)
        {
            if (digit is < (byte)'0' or > (byte)'7' || value > (MaxSize >> 3))
            {
                throw Corrupt();
            }

            value = (value << 3) + (digit - '0');
        }

        return value;
    }

    /// <summary>
    /// The <c>size</c> record of a PAX header, or null. Records are "&lt;length&gt; &lt;key&gt;=&lt;value&gt;\n" and are split
    /// by their length, as TarReader does, since a value (a path) may itself hold a newline.
    /// </summary>
    private long? PaxSize(byte[] data)
    {
        long? size = null;
        var rest = data.AsSpan();
        while (rest.Length > 0)
        {
            var space = rest.IndexOf((byte)' ');
            if (space <= 0 || !int.TryParse(rest[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length <= space || length > rest.Length)
            {
                break;
            }

            var record = rest[(space + 1)..length];
            if (record.StartsWith("size="u8))
            {
                var text = record["size=".Length..].TrimEnd((byte)'\n');
                if (size is not null || !long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                {
                    throw Corrupt();
                }

                size = Math.Min(value, MaxSize);
            }

            rest = rest[length..];
        }

        return size;
    }

    private PackageException Corrupt() => new($"{package}: a tar header has an invalid size field; the archive is corrupt.");
}
