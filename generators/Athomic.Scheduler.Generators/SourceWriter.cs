using System;
using System.IO;
using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace Athomic.Scheduler.Generators;

/// <summary>A minimal indented writer for generated C#: four spaces per level, <c>\n</c> line ends.</summary>
internal sealed class SourceWriter
{
    // Roslyn keeps a text of at least this many characters in chunks (LargeText) when it reads it from a TextReader.
    private const int LargeTextChars = 40 * 1024;

    private readonly StringBuilder _builder = new();
    private int _indent;

    public void WriteLine(string line)
    {
        if (line.Length > 0)
        {
            _builder.Append(' ', _indent * 4);
        }

        _builder.Append(line).Append('\n');
    }

    public void WriteLine() => _builder.Append('\n');

    public void Indent() => _indent++;

    public void Unindent() => _indent--;

    public void OpenBlock(string header)
    {
        WriteLine(header);
        WriteLine("{");
        _indent++;
    }

    public void CloseBlock(string closer = "}")
    {
        _indent--;
        WriteLine(closer);
    }

    public override string ToString() => _builder.ToString();

    /// <summary>
    /// The text as UTF-8 source. A large text is read from the builder in chunks: no string of the whole file, which
    /// would land on the large object heap and cost the compiler a full (gen 2) collection in the middle of a build.
    /// </summary>
    public SourceText ToSourceText() => _builder.Length < LargeTextChars
        ? SourceText.From(_builder.ToString(), Encoding.UTF8)
        : SourceText.From(new BuilderReader(_builder), _builder.Length, Encoding.UTF8);

    /// <summary>Reads a <see cref="StringBuilder"/> without copying it into one string.</summary>
    private sealed class BuilderReader(StringBuilder builder) : TextReader
    {
        private int _position;

        public override int Peek() => _position < builder.Length ? builder[_position] : -1;

        public override int Read() => _position < builder.Length ? builder[_position++] : -1;

        public override int Read(char[] buffer, int index, int count)
        {
            var read = Math.Min(count, builder.Length - _position);
            builder.CopyTo(_position, buffer, index, read);
            _position += read;
            return read;
        }
    }
}
