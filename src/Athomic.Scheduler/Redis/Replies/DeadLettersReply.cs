using StackExchange.Redis;

namespace Athomic.Scheduler.Redis.Replies;

/// <summary>
/// Reads the reply of <c>deadletters.lua</c>: <c>{ total, then per letter: id, record }</c>, newest first (a letter
/// removed between the index and the record is left out, so a page may hold fewer than asked).
/// </summary>
internal static class DeadLettersReply
{
    private const int Total = 0;
    private const int Header = 1;

    private const int Id = 0;
    private const int Record = 1;
    private const int PerLetter = 2;

    public static DeadLetterPage Read(RedisResult result)
    {
        var parts = (RedisResult[])result!;
        var letters = new List<DeadLetter>((parts.Length - Header) / PerLetter);
        for (var p = Header; p + PerLetter <= parts.Length; p += PerLetter)
        {
            letters.Add(DeadLetter.DecodeOrRaw((string)parts[p + Id]!, (byte[])parts[p + Record]!));
        }

        return new DeadLetterPage(letters, (long)parts[Total]);
    }
}
