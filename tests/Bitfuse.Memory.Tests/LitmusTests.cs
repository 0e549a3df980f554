using Bitfuse.Memory;

namespace Bitfuse.Memory.Tests;

/// <summary>
/// Store-buffering litmus test of the entry fence. Writer: publish (flag = 1), Advance, Poll. Reader: Enter, read
/// flag. Forbidden: the poll says the goal expired (no reader could still hold the old value) while the reader,
/// still inside its section, read flag = 0. Without the fence after the entry store (Default, Deferred) or the
/// poller's process-wide barrier (Lazy), the reader's store can sit in its store buffer past its load.
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
        var flag = 0;
        var go = 0;
        var writerDone = 0;
        var readerDone = 0;
        var forbidden = 0;
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
            Volatile.Write(ref flag, 1);
            var goal = smr.Advance();
            var expired = smr.Poll(goal);
            Volatile.Write(ref writerDone, i);
            // Wait for the reader to leave before judging, so sawOld[i] is final.
            var spinner = new SpinWait();
            while (Volatile.Read(ref readerDone) != i)
            {
                spinner.SpinOnce(sleep1Threshold: -1);
            }
            if (expired && sawOld[i])
            {
                forbidden++;
            }
        }
        reader.Join();
        Assert.Equal(0, forbidden);
    }
}
