namespace Athomic.Scheduler;

/// <summary>Rules for task ids and handler names, shared by the scheduler, the stores and the generator.</summary>
public static class TaskIds
{
    /// <summary>The maximum length of a task id or a handler name, in characters.</summary>
    public const int MaxLength = 256;

    /// <summary>Creates a new random task id: a UUID as 32 lowercase hex digits.</summary>
    /// <returns>The id.</returns>
    internal static string NewId() => Guid.NewGuid().ToString("N");

    /// <summary>
    /// Whether <paramref name="value"/> can be a task id or handler name: 1 to <see cref="MaxLength"/> characters,
    /// none of them whitespace, a control character, or one of <c>{ } *</c> (which would break Redis keys,
    /// hash tags or patterns).
    /// </summary>
    /// <param name="value">The candidate.</param>
    /// <returns><see langword="true"/> when it is valid.</returns>
    public static bool IsValid(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxLength)
        {
            return false;
        }

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsWhiteSpace(c) || char.IsControl(c) || c is '{' or '}' or '*')
            {
                return false;
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Throws an <see cref="ArgumentException"/> when <paramref name="taskId"/> is not a valid task id.</summary>
    /// <param name="taskId">The task id.</param>
    /// <param name="paramName">The parameter name for the exception.</param>
    internal static void Validate(string? taskId, string paramName = "taskId")
    {
        if (!IsValid(taskId))
        {
            throw new ArgumentException(
                $"The task id '{taskId}' is invalid: it must be 1 to {MaxLength} characters with no whitespace, control characters, '{{', '}}' or '*'.",
                paramName);
        }
    }

    /// <summary>Throws an <see cref="ArgumentException"/> when <paramref name="handler"/> is not a valid handler name.</summary>
    /// <param name="handler">The handler name.</param>
    /// <param name="paramName">The parameter name for the exception.</param>
    internal static void ValidateHandler(string? handler, string paramName = "handler")
    {
        if (!IsValid(handler))
        {
            throw new ArgumentException(
                $"The handler name '{handler}' is invalid: it must be 1 to {MaxLength} characters with no whitespace, control characters, '{{', '}}' or '*'.",
                paramName);
        }
    }
}
