using Bitfuse.Memory;

namespace Bitfuse.Memory.Tests;

/// <summary>
/// Store-buffering litmus test of the entry fence. Writer: publish (flag = 1), Advance, Poll. Reader: Enter, read
/// flag. Forbidden: the poll says the goal expired (no reader could still hold the old value) while the reader,
/// still inside its section, read flag = 0. Without the fence after the entry store (Default, Deferred) or the
/// poller's process-wide barrier (Lazy), the reader's store can sit in its store buffer past its load.
/// <para>
/// The racy rounds let the hardware choose the interleaving. The forced rounds make the reader read flag before
/// the writer publishes, with the reader still inside while the writer polls: the protocol must answer "not
/// expired" every time, and with the entry store withheld (<see cref="SmrOptions.EntryStoreWithheld"/>, the
/// effect of a missing fence made certain) the same judge must see the forbidden outcome in every round.
/// </para>
/// </summary>
public sealed class LitmusTests
{
    [Theory]
    [InlineData(SmrMode.Default, 20_000)]
    [InlineData(SmrMode.Lazy, 3_000)]
    [InlineData(SmrMode.Deferred, 20_000)]
    public void Entry_store_is_ordered_before_reads_inside_the_section(SmrMode mode, int iterations)
    {
        using var smr = new Smr(new SmrOptions { Mode = mode, DeferredAdvanceLimit = 4 });
        var (forbidden, _) = Run(smr, iterations, forced: false);
        Assert.Equal(0, forbidden);
    }

    [Theory]
    [InlineData(SmrMode.Default)]
    [InlineData(SmrMode.Lazy)]
    [InlineData(SmrMode.Deferred)]
    public void Forced_interleaving_never_reaches_the_forbidden_outcome(SmrMode mode)
    {
        using var smr = new Smr(new SmrOptions { Mode = mode, DeferredAdvanceLimit = 4 });
        var (forbidden, sawOld) = Run(smr, 200, forced: true);
        Assert.Equal(200, sawOld);
        Assert.Equal(0, forbidden);
    }

    [Theory]
    [InlineData(SmrMode.Default)]
    [InlineData(SmrMode.Lazy)]
    [InlineData(SmrMode.Deferred)]
    public void Without_the_entry_store_the_forced_interleaving_is_caught(SmrMode mode)
    {
        using var smr = new Smr(new SmrOptions { Mode = mode, DeferredAdvanceLimit = 4, EntryStoreWithheld = true });
        var (forbidden, sawOld) = Run(smr, 200, forced: true);
        Assert.Equal(200, sawOld);
        Assert.Equal(200, forbidden);
    }

    // Runs the rounds and returns how many reached the forbidden outcome and in how many the reader saw flag = 0.
    // Forced: the reader signals after its read and the writer publishes only then.
    private static (int Forbidden, int SawOld) Run(Smr smr, int iterations, bool forced)
    {
        var flag = 0;
        var go = 0;
        var readerRead = 0;
        var writerDone = 0;
        var readerDone = 0;
        var forbidden = 0;
        var old = 0;
        var sawOld = new bool[iterations + 1];

        var reader = new Thread(() =>
        {
            var spinner = new SpinWait();
            for (var i = 1; i <= iterations; i++)
            {
                while (Volatile.Read(ref go) != i)
                {
                    spinner.SpinOnce(sleep1Threshold: -1);
                }
                using (smr.Enter())
                {
                    sawOld[i] = Volatile.Read(ref flag) == 0;
                    Volatile.Write(ref readerRead, i);
                    while (Volatile.Read(ref writerDone) != i)
                    {
                        spinner.SpinOnce(sleep1Threshold: -1);
                    }
                }
                Volatile.Write(ref readerDone, i);
            }
        });
        reader.Start();
        for (var i = 1; i <= iterations; i++)
        {
            Volatile.Write(ref flag, 0);
            Volatile.Write(ref go, i);
            var spinner = new SpinWait();
            if (forced)
            {
                while (Volatile.Read(ref readerRead) != i)
                {
                    spinner.SpinOnce(sleep1Threshold: -1);
                }
            }
            Volatile.Write(ref flag, 1);
            var goal = smr.Advance();
            var expired = smr.Poll(goal);
            Volatile.Write(ref writerDone, i);
            // Wait for the reader to leave before judging, so sawOld[i] is final.
            while (Volatile.Read(ref readerDone) != i)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }
            old += sawOld[i] ? 1 : 0;
            if (expired && sawOld[i])
            {
                forbidden++;
            }
        }
        reader.Join();
        return (forbidden, old);
    }
}
