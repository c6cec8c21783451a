using Athomic.Scheduler.Execution;
using Athomic.Scheduler.Extensibility;
using Athomic.Scheduler.Flow;
using Athomic.Scheduler.Operations;
using Athomic.Scheduler.Redis;
using Athomic.Scheduler.Redis.Replies;
using StackExchange.Redis;

namespace Athomic.Scheduler.Tests.Store;

/// <summary>
/// The script reply readers (<c>Redis/Replies</c>) as <see cref="EmbeddedScript"/> runs them: what each reads, and a
/// reply a reader cannot read (another script version, a bug) fails with a <see cref="ScriptReplyException"/> that names
/// the script and shows the reply, never with an <see cref="InvalidCastException"/> or a silently wrong value.
/// </summary>
public sealed class ScriptReplyTests
{
    private static readonly EmbeddedScript Cancel = EmbeddedScript.Load("cancel");

    [Fact]
    public void A_flag_is_1_or_0()
    {
        Assert.True(Read(Int(1), Scalar.Flag));
        Assert.False(Read(Int(0), Scalar.Flag));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(-1)]
    public void A_flag_out_of_range_names_the_script_and_the_value(long value)
    {
        var error = Assert.Throws<ScriptReplyException>(() => Read(Int(value), Scalar.Flag));

        Assert.Equal("cancel.lua", error.Script);
        Assert.Contains("cancel.lua", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{value} is not 0 or 1", error.Message, StringComparison.Ordinal);
        Assert.IsType<FormatException>(error.InnerException);
    }

    [Fact]
    public void A_string_where_an_integer_is_expected_is_a_reply_error_not_a_cast_error()
    {
        var error = Assert.Throws<ScriptReplyException>(() => Read(Str("OK"), Scalar.Flag));

        Assert.Contains("BulkString \"OK\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_ended_claim_is_1_or_2_and_a_lost_one_0()
    {
        Assert.False(Read(Int(0), Scalar.Ended));
        Assert.True(Read(Int(1), Scalar.Ended));
        Assert.True(Read(Int(2), Scalar.Ended)); // ended, and a version held back behind it became pending
        Assert.Throws<ScriptReplyException>(() => Read(Int(3), Scalar.Ended));
    }

    [Fact]
    public void A_status_must_be_a_value_of_its_enum()
    {
        Assert.Equal(RunNowStatus.NotFound, Read(Int(3), Scalar.Status<RunNowStatus>));
        Assert.Equal(RecurringAddStatus.Deferred, Read(Int(5), Scalar.Status<RecurringAddStatus>));

        var error = Assert.Throws<ScriptReplyException>(() => Read(Int(7), Scalar.Status<RunNowStatus>));
        Assert.Contains("7 is not a RunNowStatus", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_count_is_not_negative()
    {
        Assert.Equal(3, Read(Int(3), Scalar.SmallCount));
        Assert.Throws<ScriptReplyException>(() => Read(Int(-1), Scalar.Count));
    }

    [Fact]
    public void Schedule_statuses_are_written_in_place_and_an_unknown_status_is_refused()
    {
        var statuses = new ScheduleStatus[3];

        Assert.Equal(2, Read(Arr(Int(1), Int(4)), (statuses, 1), ScheduleReply.Read));
        Assert.Equal([default, ScheduleStatus.Scheduled, ScheduleStatus.RescheduledAfterRun], statuses);

        Assert.Contains("9 is not a ScheduleStatus", Assert.Throws<ScriptReplyException>(() => Read(Arr(Int(9)), (statuses, 0), ScheduleReply.Read)).Message, StringComparison.Ordinal);
        Assert.Throws<ScriptReplyException>(() => Read(Arr(Int(1), Int(1)), (statuses, 2), ScheduleReply.Read)); // more statuses than tasks sent
        Assert.Contains("a nil is not an array", Assert.Throws<ScriptReplyException>(() => Read(RedisResult.Create(RedisValue.Null), (statuses, 0), ScheduleReply.Read)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_claim_reply_shorter_than_its_header_or_not_an_array_is_a_reply_error()
    {
        Assert.Contains("fewer than the 5 of the header", Assert.Throws<ScriptReplyException>(() => Read(Arr(Int(1), Int(2)), ClaimReply.Read)).Message, StringComparison.Ordinal);
        Assert.Contains("a Integer is not an array", Assert.Throws<ScriptReplyException>(() => Read(Int(1), ClaimReply.Read)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unpark_reply_ends_with_the_last_key_claimed()
    {
        // now, next, chained, token base, waiting, then one task (id, score, envelope, expired), then the last key.
        var reply = Arr(Int(1_000), Int(-1), Int(0), Int(41), Int(2), Str("t1"), Int(900), Str("e"), Int(0), Str("key-7"));

        var batch = Read(reply, (string?)"key-1", UnparkReply.Read);

        Assert.Equal("t1", Assert.Single(batch.Tasks).TaskId);
        Assert.Equal(42, batch.Tasks[0].Token);
        Assert.Equal(("key-7", 1_000L, 2L), (batch.LastKey, batch.NowMilliseconds, batch.Waiting));
        Assert.Equal("key-1", Read(Arr(Int(1_000), Int(-1), Int(0), Int(41), Int(0)), (string?)"key-1", UnparkReply.Read).LastKey);
    }

    [Fact]
    public void A_promotion_reply_is_one_result()
    {
        var result = Read(Arr(Int(5_000), Int(250), Int(3), Int(1), Int(4)), PromoteReply.Read);

        Assert.Equal(new PromotionResult(3, TimeSpan.FromMilliseconds(250), 5_000, 1, 4), result);
        Assert.Null(Read(Arr(Int(5_000), Int(-1), Int(0), Int(0), Int(0)), PromoteReply.Read).NextDueIn);
    }

    [Fact]
    public void A_consumer_name_reply_says_who_holds_the_name_and_for_how_long()
    {
        Assert.Equal((true, null, null), Read(Arr(Int(1)), StreamNameReply.Read));
        Assert.Equal((false, "other", TimeSpan.FromSeconds(5)), Read(Arr(Int(0), Str("other"), Int(5_000)), StreamNameReply.Read));
        Assert.Equal((false, "other", null), Read(Arr(Int(0), Str("other"), Int(-1)), StreamNameReply.Read));
        Assert.Throws<ScriptReplyException>(() => Read(Arr(Int(0)), StreamNameReply.Read)); // no holder
    }

    [Fact]
    public void A_keep_alive_reply_lists_the_lost_and_the_gone_entries()
    {
        var (lost, gone) = Read(Arr(Arr(Str("1-0")), Arr()), StreamKeepAliveReply.Read);

        Assert.Equal(["1-0"], lost);
        Assert.Empty(gone);
        Assert.Contains("item 0 is a nil", Assert.Throws<ScriptReplyException>(() => Read(Arr(Arr(RedisResult.Create(RedisValue.Null)), Arr()), StreamKeepAliveReply.Read)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_list_of_names_holds_strings_only()
    {
        Assert.Equal(["a", "b"], Read(Arr(Str("a"), Str("b")), Lists.Strings));
        Assert.Empty(Read(Arr(), Lists.Strings));
        Assert.Throws<ScriptReplyException>(() => Read(Arr(Int(1)), Lists.Strings));
    }

    [Fact]
    public void Flow_grants_are_one_per_request()
    {
        var grants = Read(Arr(Int(1), Int(0), Int(0), Int(1_500), Int(-1), Int(0)), 3, FlowAcquireReply.Read);

        Assert.Equal([new FlowGrant(true, false, 0), new FlowGrant(false, false, 1_500), new FlowGrant(false, true, 0)], grants);
        Assert.Contains("1 grants for 2 requests", Assert.Throws<ScriptReplyException>(() => Read(Arr(Int(1), Int(0)), 2, FlowAcquireReply.Read)).Message, StringComparison.Ordinal);
        Assert.Contains("2 is not a grant status", Assert.Throws<ScriptReplyException>(() => Read(Arr(Int(2), Int(0)), 1, FlowAcquireReply.Read)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lost_flow_slots_are_positions_in_what_was_sent()
    {
        string[] sent = ["a", "b", "c"];

        Assert.Equal(["c", "a"], Read(Arr(Int(2), Int(0)), (IReadOnlyList<string>)sent, FlowExtendReply.Read));
        Assert.Empty(Read(Arr(), (IReadOnlyList<string>)sent, FlowExtendReply.Read));
        Assert.Contains("3 is not the position of a slot sent", Assert.Throws<ScriptReplyException>(() => Read(Arr(Int(3)), (IReadOnlyList<string>)sent, FlowExtendReply.Read)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_flow_description_has_one_state_per_handler()
    {
        IReadOnlyList<(string Name, HandlerFlowSpec? Spec, bool Paused)> handlers = [("h1", null, true), ("h2", null, false)];

        var states = Read(Arr(Int(2), Int(0), Int(0), Int(7)), handlers, FlowDescribeReply.Read);

        Assert.Equal([new FlowState("h1", null, 2, 0, true), new FlowState("h2", null, 0, 7, false)], states);
        Assert.Throws<ScriptReplyException>(() => Read(Arr(Int(2), Int(0)), handlers, FlowDescribeReply.Read));
    }

    [Fact]
    public void Waiting_counts_are_one_per_handler()
    {
        Assert.Equal([3L, 0L], Read(Arr(Int(3), Int(0)), 2, Lists.Counts));
        Assert.Throws<ScriptReplyException>(() => Read(Arr(Int(3)), 2, Lists.Counts));
    }

    [Fact]
    public void A_reply_is_shown_short()
    {
        Assert.Equal("[1, BulkString \"a\", [nil, []]]", ScriptReplyException.Describe(Arr(Int(1), Str("a"), Arr(RedisResult.Create(RedisValue.Null), Arr()))));
        Assert.EndsWith("…", ScriptReplyException.Describe(Arr([.. Enumerable.Range(0, 200).Select(i => Int(i))])), StringComparison.Ordinal);
    }

    private static T Read<T>(RedisResult reply, Func<RedisResult, T> read) => Cancel.Read(reply, read, static (r, f) => f(r));

    private static T Read<TState, T>(RedisResult reply, TState state, Func<RedisResult, TState, T> read) => Cancel.Read(reply, state, read);

    private static RedisResult Int(long value) => RedisResult.Create(value);

    private static RedisResult Str(string value) => RedisResult.Create((RedisValue)value);

    private static RedisResult Arr(params RedisResult[] items) => RedisResult.Create(items);
}
