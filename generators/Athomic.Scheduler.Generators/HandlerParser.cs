using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using Athomic.Scheduler.Generators.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Athomic.Scheduler.Generators;

/// <summary>Turns one <c>[ScheduledHandler]</c> method into a <see cref="ParseResult"/>: a symbol-free model and its diagnostics.</summary>
internal static class HandlerParser
{
    private const string TaskContextName = "Athomic.Scheduler.Execution.TaskContext";

    private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    public static ParseResult Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not IMethodSymbol method || context.Attributes.Length == 0)
        {
            return new ParseResult(null, EquatableArray<DiagnosticInfo>.Empty);
        }

        var diagnostics = new List<DiagnosticInfo>();
        var display = Naming.QualifiedName(method.ContainingType) + "." + (method.Name.Length > 0 ? method.Name : "<lambda>");
        var methodLocation = LocationInfo.From(IdentifierLocation(context.TargetNode));

        if (NotOrdinaryKind(method) is { } kind)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotAnOrdinaryMethod, methodLocation, display, kind));
            return new ParseResult(null, new EquatableArray<DiagnosticInfo>(diagnostics));
        }

        CheckDeclaration(method, display, methodLocation, diagnostics);
        var returnKind = CheckReturn(method, display, methodLocation, diagnostics);
        var parameters = CheckParameters(method, display, diagnostics, cancellationToken, out var payload, out var payloadLocation, out var shapes);
        var attribute = ReadAttribute(context.Attributes[0], method, display, methodLocation, diagnostics, cancellationToken, out var nameLocation);
        var payloadDisplay = payload?.ToDisplayString();
        var recurring = RecurringParser.Parse(method, display, attribute.Name, payloadDisplay, methodLocation, diagnostics, cancellationToken, out var recurringLocation);
        var warnings = new List<DiagnosticInfo>();
        var flow = FlowParser.Parse(
            context.Attributes[0],
            context.Attributes[0].ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax,
            display,
            payload,
            shapes,
            methodLocation,
            payloadLocation,
            diagnostics,
            warnings);

        if (diagnostics.Count > 0)
        {
            diagnostics.AddRange(warnings);
            return new ParseResult(null, new EquatableArray<DiagnosticInfo>(diagnostics));
        }

        var spec = new HandlerSpec(
            attribute.Name,
            display,
            method.ContainingType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            Naming.EscapeIdentifier(method.Name),
            Naming.ScheduleName(method.Name),
            method.IsStatic,
            IsPublic(method),
            returnKind,
            parameters,
            payload?.ToDisplayString(TypeFormat),
            payloadDisplay,
            attribute.MaxAttempts,
            DocComments.Summary(context.TargetNode),
            recurring,
            shapes,
            flow);
        return new ParseResult(new ParsedHandler(spec, nameLocation, methodLocation, payloadLocation, recurringLocation), new EquatableArray<DiagnosticInfo>(warnings));
    }

    private static string? NotOrdinaryKind(IMethodSymbol method) => method.MethodKind switch
    {
        MethodKind.Ordinary => null,
        MethodKind.LocalFunction => "a local function",
        MethodKind.AnonymousFunction => "a lambda",
        MethodKind.PropertyGet or MethodKind.PropertySet => "a property accessor",
        MethodKind.EventAdd or MethodKind.EventRemove or MethodKind.EventRaise => "an event accessor",
        MethodKind.UserDefinedOperator or MethodKind.Conversion => "an operator",
        MethodKind.ExplicitInterfaceImplementation => "an explicit interface implementation",
        _ => "not an ordinary method",
    };

    private static void CheckDeclaration(IMethodSymbol method, string display, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        var type = method.ContainingType;
        if (method.TypeParameters.Length > 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericHandler, location, display));
        }

        for (var outer = type; outer is not null; outer = outer.ContainingType)
        {
            if (outer.TypeParameters.Length > 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.HandlerInGenericType, location, display, outer.ToDisplayString()));
                break;
            }
        }

        if (method.IsAbstract || type.TypeKind == TypeKind.Interface)
        {
            var what = type.TypeKind == TypeKind.Interface ? "an interface method" : "abstract";
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.AbstractHandler, location, display, what));
            return;
        }

        if (Inaccessible(method) is { } inaccessible)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InaccessibleHandler, location, display, inaccessible.Symbol, inaccessible.Why));
        }

        if (method.IsStatic)
        {
            return;
        }

        if (type.IsStatic)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InstanceHandlerInStaticClass, location, display, type.ToDisplayString()));
        }
        else if (type.TypeKind == TypeKind.Struct || type.IsAbstract)
        {
            var what = type.TypeKind == TypeKind.Struct ? "a struct" : "an abstract class";
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InstanceHandlerInUncreatableType, location, display, type.ToDisplayString(), what));
        }
    }

    private static (string Symbol, string Why)? Inaccessible(IMethodSymbol method)
    {
        for (ISymbol? symbol = method; symbol is IMethodSymbol or INamedTypeSymbol; symbol = symbol.ContainingType)
        {
            var why = symbol.DeclaredAccessibility switch
            {
                Accessibility.Private => "private",
                Accessibility.Protected => "protected",
                Accessibility.ProtectedAndInternal => "private protected",
                _ => symbol is INamedTypeSymbol { IsFileLocal: true } ? "file-local" : null,
            };
            if (why is not null)
            {
                var name = symbol is INamedTypeSymbol type ? type.ToDisplayString() : symbol.Name;
                return (name, why);
            }
        }

        return null;
    }

    private static bool IsPublic(IMethodSymbol method)
    {
        for (ISymbol? symbol = method; symbol is IMethodSymbol or INamedTypeSymbol; symbol = symbol.ContainingType)
        {
            if (symbol.DeclaredAccessibility != Accessibility.Public)
            {
                return false;
            }
        }

        return true;
    }

    private static HandlerReturnKind CheckReturn(IMethodSymbol method, string display, LocationInfo? location, List<DiagnosticInfo> diagnostics)
    {
        if (method.ReturnsVoid)
        {
            if (method.IsAsync)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.AsyncVoidHandler, location, display));
            }

            return HandlerReturnKind.Void;
        }

        if (!method.ReturnsByRef && !method.ReturnsByRefReadonly && method.ReturnType is INamedTypeSymbol { Arity: 0 } type)
        {
            if (Symbols.HasFullName(type, "System.Threading.Tasks.Task"))
            {
                return HandlerReturnKind.Task;
            }

            if (Symbols.HasFullName(type, "System.Threading.Tasks.ValueTask"))
            {
                return HandlerReturnKind.ValueTask;
            }
        }

        if (method.ReturnType.TypeKind != TypeKind.Error)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnsupportedReturnType, location, display, method.ReturnType.ToDisplayString()));
        }

        return HandlerReturnKind.Void;
    }

    private static EquatableArray<HandlerParameterKind> CheckParameters(
        IMethodSymbol method,
        string display,
        List<DiagnosticInfo> diagnostics,
        CancellationToken cancellationToken,
        out ITypeSymbol? payloadType,
        out LocationInfo? payloadLocation,
        out PayloadShapes? shapes)
    {
        payloadType = null;
        payloadLocation = null;
        shapes = null;
        var kinds = new HandlerParameterKind[method.Parameters.Length];
        var seen = new Dictionary<HandlerParameterKind, IParameterSymbol>();
        for (var i = 0; i < kinds.Length; i++)
        {
            var parameter = method.Parameters[i];
            var syntax = parameter.DeclaringSyntaxReferences.Length > 0 ? parameter.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) as ParameterSyntax : null;
            var location = LocationInfo.From(syntax);
            if (parameter.RefKind != RefKind.None)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ByRefParameter, location, display, parameter.Name, RefKindText(parameter.RefKind)));
                continue;
            }

            if (parameter.Type.TypeKind is TypeKind.Pointer or TypeKind.FunctionPointer)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PointerParameter, location, display, parameter.Name, parameter.Type.ToDisplayString()));
                continue;
            }

            var kind = KindOf(parameter.Type);
            kinds[i] = kind;
            if (seen.TryGetValue(kind, out var first))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TooManyParameters, location, display, KindText(kind), first.Name, parameter.Name));
                continue;
            }

            seen.Add(kind, parameter);
            if (kind != HandlerParameterKind.Payload)
            {
                continue;
            }

            payloadType = parameter.Type;
            payloadLocation = syntax?.Type is { } typeSyntax ? LocationInfo.From(typeSyntax) : location;
            if (PayloadTypeChecker.FindProblem(parameter.Type) is { } problem)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnserializablePayload, payloadLocation, parameter.Type.ToDisplayString(), display, problem));
                continue;
            }

            shapes = PayloadShapeParser.Parse(parameter.Type);
            foreach (var violation in shapes.RuleViolations)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MessagePackRule, payloadLocation, parameter.Type.ToDisplayString(), display, violation));
            }
        }

        return new EquatableArray<HandlerParameterKind>(kinds);
    }

    private static HandlerParameterKind KindOf(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol named)
        {
            if (Symbols.HasFullName(named, "System.Threading.CancellationToken"))
            {
                return HandlerParameterKind.CancellationToken;
            }

            if (Symbols.HasFullName(named, TaskContextName))
            {
                return HandlerParameterKind.Context;
            }
        }

        return HandlerParameterKind.Payload;
    }

    private static (string Name, int MaxAttempts) ReadAttribute(
        AttributeData attribute,
        IMethodSymbol method,
        string display,
        LocationInfo? methodLocation,
        List<DiagnosticInfo> diagnostics,
        CancellationToken cancellationToken,
        out LocationInfo? nameLocation)
    {
        var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax;
        string? explicitName = null;
        if (attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string name)
        {
            explicitName = name;
        }

        nameLocation = explicitName is not null ? LocationInfo.From(Symbols.PositionalArgument(syntax)?.Expression) ?? methodLocation : methodLocation;
        var handlerName = explicitName ?? Naming.DefaultHandlerName(method);
        if (Naming.HandlerNameProblem(handlerName) is { } problem)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidHandlerName, nameLocation, handlerName, display, problem));
        }

        var maxAttempts = 0;
        foreach (var argument in attribute.NamedArguments)
        {
            if (argument.Key == "MaxAttempts" && argument.Value.Value is int value)
            {
                maxAttempts = value;
            }
        }

        if (maxAttempts < 0)
        {
            var location = LocationInfo.From(Symbols.NamedArgument(syntax, "MaxAttempts")) ?? methodLocation;
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidMaxAttempts, location, display, maxAttempts.ToString(CultureInfo.InvariantCulture)));
        }

        return (handlerName, maxAttempts);
    }

    private static Location IdentifierLocation(SyntaxNode node) => node switch
    {
        MethodDeclarationSyntax method => method.Identifier.GetLocation(),
        LocalFunctionStatementSyntax local => local.Identifier.GetLocation(),
        OperatorDeclarationSyntax op => op.OperatorToken.GetLocation(),
        ConversionOperatorDeclarationSyntax conversion => conversion.Type.GetLocation(),
        AccessorDeclarationSyntax accessor => accessor.Keyword.GetLocation(),
        _ => node.GetLocation(),
    };

    private static string KindText(HandlerParameterKind kind) => kind switch
    {
        HandlerParameterKind.CancellationToken => "CancellationToken",
        HandlerParameterKind.Context => "TaskContext",
        _ => "payload",
    };

    private static string RefKindText(RefKind kind) => kind switch
    {
        RefKind.Ref => "ref",
        RefKind.Out => "out",
        RefKind.In => "in",
        _ => "ref readonly",
    };
}
