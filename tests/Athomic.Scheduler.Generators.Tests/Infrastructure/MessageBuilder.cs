using System.Buffers;
using MessagePack;

namespace Athomic.Scheduler.Generators.Tests.Infrastructure;

/// <summary>Hand-written MessagePack bytes, one value at a time (<see cref="MessagePackWriter"/> is a ref struct, so no lambdas over it).</summary>
internal sealed class MessageBuilder
{
    private readonly ArrayBufferWriter<byte> _buffer = new();

    private delegate void Writing(ref MessagePackWriter writer);

    public void WriteArrayHeader(int count) => Append((ref MessagePackWriter w) => w.WriteArrayHeader(count));

    public void WriteMapHeader(int count) => Append((ref MessagePackWriter w) => w.WriteMapHeader(count));

    public void WriteNil() => Append((ref MessagePackWriter w) => w.WriteNil());

    public void Write(bool value) => Append((ref MessagePackWriter w) => w.Write(value));

    public void Write(int value) => Append((ref MessagePackWriter w) => w.Write(value));

    public void Write(long value) => Append((ref MessagePackWriter w) => w.Write(value));

    public void Write(ulong value) => Append((ref MessagePackWriter w) => w.Write(value));

    public void Write(double value) => Append((ref MessagePackWriter w) => w.Write(value));

    public void Write(string? value) => Append((ref MessagePackWriter w) => w.Write(value));

    public void Write(byte[] value) => Append((ref MessagePackWriter w) => w.Write(value));

    public void Write(DateTime value) => Append((ref MessagePackWriter w) => w.Write(value));

    public void WriteRaw(params byte[] raw) => _buffer.Write(raw);

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    private void Append(Writing write)
    {
        var writer = new MessagePackWriter(_buffer);
        write(ref writer);
        writer.Flush();
    }
}
