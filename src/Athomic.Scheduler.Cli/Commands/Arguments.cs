using System.CommandLine;
using Athomic.Scheduler.Operations;

namespace Athomic.Scheduler.Cli.Commands;

/// <summary>Arguments and options several commands share.</summary>
internal static class Arguments
{
    /// <summary>A task id (or dead letter id, or recurring schedule id): checked before Redis is asked.</summary>
    public static Argument<string> Id(string description) => Name("ID", "task id", description);

    /// <summary>A handler name: checked before Redis is asked (the rules of a task id).</summary>
    public static Argument<string> Handler(string description) => Name("HANDLER", "handler name", description);

    private static Argument<string> Name(string name, string what, string description)
    {
        var argument = new Argument<string>(name) { Description = description };
        argument.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (value is not null && !TaskIds.IsValid(value))
            {
                result.AddError($"'{value}' is not a valid {what} (1-{TaskIds.MaxLength} characters without whitespace, control characters, '{{', '}}' or '*').");
            }
        });
        return argument;
    }

    /// <summary>The page size of a list.</summary>
    public static Option<int> Limit()
    {
        var limit = new Option<int>("--limit", "-n")
        {
            Description = $"How many to show (1-{TaskQuery.MaxLimit})",
            HelpName = "n",
            DefaultValueFactory = _ => 20,
        };
        limit.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<int>();
            if (value is < 1 or > TaskQuery.MaxLimit)
            {
                result.AddError($"--limit must be between 1 and {TaskQuery.MaxLimit}.");
            }
        });
        return limit;
    }
}
