using System.Collections.Generic;
using Athomic.Scheduler;
using MessagePack;

namespace Drawing;

// A union on an interface: written as [key, case] by the case's exact type, nil otherwise.
[Union(0, typeof(Circle))]
[Union(7, typeof(Label))]
public interface IShape
{
}

[MessagePackObject]
public sealed record Circle([property: Key(0)] double Radius) : IShape;

[MessagePackObject]
public sealed class Label : IShape
{
    [Key("text")] public string Text { get; set; } = "";
}

// A union on an abstract class whose case nests it.
[Union(0, typeof(Leaf))]
[Union(1, typeof(Group))]
public abstract class Node
{
}

[MessagePackObject]
public sealed class Leaf : Node
{
    [Key(0)] public IShape? Shape { get; set; }
}

[MessagePackObject]
public sealed class Group : Node
{
    [Key(0)] public List<Node>? Children { get; set; }
}

public static class DrawingHandlers
{
    [ScheduledHandler] public static void Draw(IShape shape) { }
    [ScheduledHandler] public static void Render(Node scene) { }
}
