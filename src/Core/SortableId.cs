using System.Security.Cryptography;

namespace Webhooks.Core;

/// <summary>
/// Prefixed ids that sort by creation time: 48 bits of milliseconds, 80 random bits, Crockford base32. Within a process they
/// also sort in the order they were made: one made in the same millisecond as the last is the last plus one, so two records of
/// one millisecond (audit entries) list in their order, not by chance.
/// </summary>
public static class SortableId
{
    private const string Alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
    private static readonly Lock Gate = new();
    private static UInt128 _last;

    public static string New(string prefix)
    {
        Span<byte> bytes = stackalloc byte[16];
        var ms = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        for (var i = 5; i >= 0; i--, ms >>= 8)
        {
            bytes[i] = (byte)ms;
        }
        RandomNumberGenerator.Fill(bytes[6..]);
        var value = new UInt128(System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes), System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
        lock (Gate)
        {
            // Same millisecond (or the clock stepped back): after the last one.
            if (value >> 80 <= _last >> 80)
            {
                value = _last + 1;
            }
            _last = value;
        }
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes, (ulong)(value >> 64));
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], (ulong)value);
        return Format(prefix, bytes);
    }

    /// <summary>A stable id for something that already has a unique Guid (a bus message id).</summary>
    public static string FromGuid(string prefix, Guid guid)
    {
        Span<byte> bytes = stackalloc byte[16];
        guid.TryWriteBytes(bytes, bigEndian: true, out _);
        return Format(prefix, bytes);
    }

    private static string Format(string prefix, ReadOnlySpan<byte> bytes)
    {
        // 128 bits in 26 characters of 5 bits, the first holding the top 3 bits.
        Span<char> chars = stackalloc char[26];
        var hi = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes);
        var lo = System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        var value = new UInt128(hi, lo);
        for (var i = 25; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(value & 31)];
            value >>= 5;
        }
        return string.Concat(prefix, "_", chars);
    }
}
