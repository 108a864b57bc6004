using System.Text;

namespace Webhooks.Core.Storage;

/// <summary>Redis Cluster's hash slots (CRC16/XMODEM of the key's hash tag, mod 16384), to spread shards of an index evenly.</summary>
public static class RedisSlots
{
    public const int Count = 16384;

    public static int Of(string tag)
    {
        var crc = 0;
        foreach (var b in Encoding.UTF8.GetBytes(tag))
        {
            crc ^= b << 8;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            crc &= 0xFFFF;
        }
        return crc % Count;
    }

    /// <summary>
    /// <paramref name="count"/> hash tags starting <paramref name="name"/>, the i-th in the i-th of as many
    /// equal ranges of slots: however a cluster splits its slots into ranges between primaries, the shards
    /// spread over them in proportion.
    /// </summary>
    public static string[] SpreadTags(string name, int count) =>
        [.. Enumerable.Range(0, count).Select(shard => Enumerable.Range(0, int.MaxValue)
            .Select(n => $"{name}{shard}-{n}")
            .First(tag => Of(tag) * count / Count == shard))];
}
