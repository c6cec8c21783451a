using System.Text;

namespace Athomic.Scheduler.Generators;

/// <summary>A minimal indented writer for generated C#: four spaces per level, <c>\n</c> line ends.</summary>
internal sealed class SourceWriter
{
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
}
