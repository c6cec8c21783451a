using Microsoft.Extensions.Options;

namespace Athomic.Scheduler.Dashboard;

/// <summary>Checks <see cref="DashboardOptions"/> when the host starts; a bad value fails the start, naming the option.</summary>
internal sealed class DashboardOptionsValidator : IValidateOptions<DashboardOptions>
{
    public ValidateOptionsResult Validate(string? name, DashboardOptions options)
    {
        var errors = new List<string>();
        if (options.PageSize is < 1 or > DashboardOptions.MaxPageSize)
        {
            errors.Add($"Dashboard PageSize must be between 1 and {DashboardOptions.MaxPageSize}; it is {options.PageSize}.");
        }

        if (options.MetricsWindow < TimeSpan.FromMinutes(1) || options.MetricsWindow > TimeSpan.FromHours(1))
        {
            errors.Add($"Dashboard MetricsWindow must be between 00:01:00 and 01:00:00; it is {options.MetricsWindow}.");
        }

        if (string.IsNullOrWhiteSpace(options.Title))
        {
            errors.Add("Dashboard Title must not be empty.");
        }

        if (options.AuthorizationPolicy is not null && string.IsNullOrWhiteSpace(options.AuthorizationPolicy))
        {
            errors.Add("Dashboard AuthorizationPolicy must be null or the name of a policy; it is blank.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
