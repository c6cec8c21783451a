using System.CommandLine;

namespace Athomic.Scheduler.Cli.Commands;

/// <summary>Arguments and options several commands share.</summary>
internal static class Arguments
{
    /// <summary>A task id (or dead letter id, or recurring schedule id): checked before Redis is asked.</summary>
    public static Argument<string> Id(string description)
    {
        var id = new Argument<string>("ID") { Description = description };
        id.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (value is not null && !TaskIds.IsValid(value))
            {
                result.AddError($"'{value}' is not a valid task id (1-{TaskIds.MaxLength} characters without whitespace, control characters, '{{', '}}' or '*').");
            }
        });
        return id;
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
