using Athomic.Scheduler.Operations;
using StackExchange.Redis;

namespace Athomic.Scheduler.Redis.Replies;

/// <summary>
/// Reads the reply of <c>deadletters.lua</c>: <c>{ total, then per letter: id, record }</c>, newest first (a letter
/// removed between the index and the record is left out, so a page may hold fewer than asked). The id is the letter's
/// key (<see cref="DeadLetter.TaskIdOfKey"/>).
/// </summary>
internal static class DeadLettersReply
{
    private const int Total = 0, Header = 1;
    private const int Id = 0, Record = 1, PerLetter = 2;

    public static DeadLetterPage Read(RedisResult result)
    {
        var reply = new FlatReply(result, Header, PerLetter);
        var letters = new DeadLetter[reply.Count];
        for (var i = 0; i < letters.Length; i++)
        {
            letters[i] = DeadLetter.DecodeOrRaw(DeadLetter.TaskIdOfKey((string)reply[i, Id]!), (byte[])reply[i, Record]!);
        }

        return new DeadLetterPage(letters, (long)reply[Total]);
    }
}
