using System.Buffers;
using MessagePack;

namespace Athomic.Scheduler.Tests.Infrastructure;

/// <summary>Writes MessagePack bytes by hand, for tests that build stored records (valid, damaged or hostile).</summary>
public static class Packed
{
    public delegate void Writes(ref MessagePackWriter writer);

    public static byte[] Pack(Writes write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
