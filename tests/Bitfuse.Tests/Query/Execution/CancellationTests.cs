namespace Bitfuse.Tests.Query.Execution;

/// <summary>
/// <see cref="QueryRunOptions.Cancellation"/>: the per-key planner stops before its next key once the token is
/// cancelled and throws, so no partial answer comes back; a token that is never cancelled changes nothing.
/// </summary>
public class CancellationTests
{
    // A general shape (not a direct pair, and, or union), so every run goes through the per-key planner.
    private const string Text = "(a ^ b) | (c & !a)";

    [Fact]
    public void A_cancelled_token_stops_every_mode_before_the_first_key()
    {
        using var inputs = Inputs();
        var query = new QueryEngine().Compile(Text);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var options = new QueryRunOptions { Cancellation = cancelled.Token };
        var seen = 0;

        Assert.ThrowsAny<OperationCanceledException>(() => query.Count(inputs, options));
        Assert.ThrowsAny<OperationCanceledException>(() => query.Evaluate(inputs, options));
        Assert.ThrowsAny<OperationCanceledException>(() => query.ForEach(inputs, _ => seen++, options));
        Assert.ThrowsAny<OperationCanceledException>(() => query.Count(inputs, options with { DegreeOfParallelism = 2 }));
        Assert.Equal(0, seen);
    }

    [Fact]
    public void Cancelling_during_a_run_stops_it_at_the_next_key()
    {
        using var inputs = Inputs();
        var query = new QueryEngine().Compile(Text);
        using var source = new CancellationTokenSource();
        var values = new List<uint>();

        // The first value cancels: the rest of that key's values still stream, the next key never starts.
        Assert.ThrowsAny<OperationCanceledException>(() => query.ForEach(inputs, v =>
        {
            values.Add(v);
            source.Cancel();
        }, new QueryRunOptions { Cancellation = source.Token }));

        Assert.NotEmpty(values);
        Assert.All(values, v => Assert.Equal(values[0] >> 16, v >> 16));
        var complete = new List<uint>();
        query.ForEach(inputs, complete.Add);
        Assert.True(complete.Count > values.Count, "the uncancelled run reads more keys than the cancelled one");
    }

    [Fact]
    public void A_time_limit_stops_a_run_past_it_and_a_generous_one_changes_nothing()
    {
        using var inputs = Inputs();
        var query = new QueryEngine().Compile(Text);
        var expected = query.Count(inputs);
        var seen = 0;

        // A limit already passed stops every mode at its first key.
        var spent = new QueryRunOptions { TimeLimit = TimeSpan.Zero };
        Assert.ThrowsAny<OperationCanceledException>(() => query.Count(inputs, spent));
        Assert.ThrowsAny<OperationCanceledException>(() => query.ForEach(inputs, _ => seen++, spent));
        Assert.ThrowsAny<OperationCanceledException>(() => query.Count(inputs, spent with { DegreeOfParallelism = 2 }));
        Assert.Equal(0, seen);

        // The first value sleeps past the limit: that key's values still stream, the next key never starts.
        var values = new List<uint>();
        Assert.ThrowsAny<OperationCanceledException>(() => query.ForEach(inputs, v =>
        {
            if (values.Count == 0)
            {
                Thread.Sleep(50);
            }
            values.Add(v);
        }, new QueryRunOptions { TimeLimit = TimeSpan.FromMilliseconds(10) }));
        Assert.All(values, v => Assert.Equal(values[0] >> 16, v >> 16));

        Assert.Equal(expected, query.Count(inputs, new QueryRunOptions { TimeLimit = TimeSpan.FromHours(1) }));
    }

    [Fact]
    public void A_token_that_is_never_cancelled_gives_the_same_answer()
    {
        using var inputs = Inputs();
        var query = new QueryEngine().Compile(Text);
        using var source = new CancellationTokenSource();
        var options = new QueryRunOptions { Cancellation = source.Token };

        var model = new HashSet<uint>(Values(0, 3));
        model.SymmetricExceptWith(Values(1, 5));
        model.UnionWith(Values(2, 7).Except(Values(0, 3)));
        Assert.Equal(model.Count, query.Count(inputs, options));
        using var answer = query.Evaluate(inputs, options);
        Assert.Equal(model.Order(), answer.ToArray());
    }

    private static BitmapSet Inputs()
    {
        var set = new BitmapSet();
        set.Add("a", Bitmap.FromValues(Values(0, 3)));
        set.Add("b", Bitmap.FromValues(Values(1, 5)));
        set.Add("c", Bitmap.FromValues(Values(2, 7)));
        return set;
    }

    // Values spread over 40 keys, so a run visits many keys.
    private static uint[] Values(int offset, int step)
    {
        var values = new List<uint>();
        for (uint key = 0; key < 40; key++)
        {
            for (var low = offset; low < 65536; low += step * 97)
            {
                values.Add((key << 16) | (uint)low);
            }
        }
        return [.. values];
    }
}
