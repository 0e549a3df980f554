using System.Collections.Concurrent;

namespace Bitfuse.Storage.Tests;

/// <summary>
/// The two bugs the use-count protocol had after it shipped, replayed step by step with hooks between
/// the protocol's steps: the original ordering lets a reader into a mapping that is being unmapped,
/// the current one does not. The hook stops a reader that is about to copy from an unmapped base (the
/// copy itself would crash the process) and records the violation.
/// </summary>
public sealed class UseCountRegressionTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private sealed class ReaderOrderingRace
    {
        public readonly ConcurrentDictionary<nint, bool> Unmapped = new();
        public readonly ManualResetEventSlim ReaderPaused = new();
        public readonly ManualResetEventSlim ReleaseReader = new();
        public readonly ManualResetEventSlim ReaderDone = new();
        public volatile bool Armed;
        public volatile bool Violation;
        public int ReaderThread;
        public UseCountOrdering Ordering;

        public void Hook(UseCountStep step, nint address)
        {
            if (!Armed)
            {
                return;
            }
            var firstReaderStep = Ordering == UseCountOrdering.Current ? UseCountStep.ReaderIncremented : UseCountStep.ReaderCheckedFlag;
            switch (step)
            {
                case var s when s == firstReaderStep && Environment.CurrentManagedThreadId == ReaderThread && !ReaderPaused.IsSet:
                    // The reader stops between its two steps and lets the writer run.
                    ReaderPaused.Set();
                    ReleaseReader.Wait(Patience);
                    break;
                case UseCountStep.ReaderWillCopy when Unmapped.ContainsKey(address):
                    Violation = true;
                    throw new InvalidOperationException("the reader was about to copy from an unmapped base");
                case UseCountStep.WriterWaitingForReaders:
                    // The writer is blocked by the reader's count: let the reader go on.
                    ReleaseReader.Set();
                    break;
                case UseCountStep.WriterUnmapped:
                    // The old mapping is gone and the new one is not yet published: let the reader go on
                    // and keep this window open until it has finished.
                    Unmapped[address] = true;
                    ReleaseReader.Set();
                    ReaderDone.Wait(Patience);
                    break;
            }
        }
    }

    private (bool Violation, bool ReadIntact, MappedFileStatistics Stats) ReplayReaderOrdering(UseCountOrdering ordering)
    {
        var race = new ReaderOrderingRace { Ordering = ordering };
        using var file = MappedFile.Create(_dir.File($"race-{ordering}.dat"), new MappedFileOptions
        {
            Strategy = GrowthStrategy.UseCount,
            UseCountOrdering = ordering,
            UseCountHook = race.Hook,
        });
        file.Append(Pages.Make(0));

        var page = new byte[Pages.Size];
        var readIntact = false;
        using var readerMayStart = new ManualResetEventSlim();
        var reader = new Thread(() =>
        {
            readerMayStart.Wait(Patience);
            try
            {
                file.Read(0, page);
                readIntact = Pages.Verify(page, 0);
            }
            catch (InvalidOperationException)
            {
            }
            finally
            {
                race.ReaderDone.Set();
            }
        });
        reader.Start();
        race.ReaderThread = reader.ManagedThreadId;
        race.Armed = true;
        readerMayStart.Set();

        // The writer grows the file once the reader has taken its first step.
        Assert.True(race.ReaderPaused.Wait(Patience), "the reader never reached its first protocol step");
        var writer = new Thread(() => file.Append(Pages.Make(Pages.Size)));
        writer.Start();
        Assert.True(reader.Join(Patience), "the reader did not finish");
        Assert.True(writer.Join(Patience), "the writer did not finish");
        race.Armed = false;

        Assert.Equal(2 * Pages.Size, file.Length);
        var second = new byte[Pages.Size];
        file.Read(Pages.Size, second);
        Assert.True(Pages.Verify(second, Pages.Size));
        return (race.Violation, readIntact, file.Statistics);
    }

    [Fact]
    public void Checking_the_flag_before_incrementing_lets_a_reader_into_an_unmapped_base()
    {
        var (violation, readIntact, _) = ReplayReaderOrdering(UseCountOrdering.Original);
        Assert.True(violation);
        Assert.False(readIntact);
    }

    [Fact]
    public void Incrementing_before_checking_the_flag_sends_the_reader_to_pread()
    {
        var (violation, readIntact, stats) = ReplayReaderOrdering(UseCountOrdering.Current);
        Assert.False(violation);
        Assert.True(readIntact);
        Assert.Equal(1, stats.SystemCallReads);
        Assert.Equal(1, stats.ResizeWaits);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Only_the_thread_that_set_the_flag_may_clear_it(bool originalOrdering)
    {
        var ordering = originalOrdering ? UseCountOrdering.Original : UseCountOrdering.Current;
        var gate = new UseCountGate(ordering);
        using var resizerPaused = new ManualResetEventSlim();
        using var resizerGo = new ManualResetEventSlim();
        gate.Hook = (step, _) =>
        {
            if (step == UseCountStep.WriterDrained)
            {
                // Writer A holds the flag, readers drained, about to unmap: stop here.
                resizerPaused.Set();
                resizerGo.Wait(Patience);
            }
        };
        var resizer = new Thread(() =>
        {
            gate.BeginResize();
            gate.EndResize(setByCaller: true);
        });
        resizer.Start();
        Assert.True(resizerPaused.Wait(Patience));

        // Thread B tries to resize too, fails to set the flag, and runs its end-of-resize path.
        var setByB = gate.TryBeginResize();
        Assert.False(setByB);
        gate.EndResize(setByB);

        // A reader arrives while A is still between drain and unmap.
        var entered = gate.TryEnterReader();
        if (ordering == UseCountOrdering.Original)
        {
            Assert.True(entered);   // the bug: it would read the mapping A is about to unmap
            Assert.False(gate.Resizing);
            gate.ExitReader();
        }
        else
        {
            Assert.False(entered);
            Assert.True(gate.Resizing);
        }

        resizerGo.Set();
        Assert.True(resizer.Join(Patience));
        Assert.False(gate.Resizing);
        Assert.True(gate.TryEnterReader());
        gate.ExitReader();
        Assert.Equal(0, gate.UseCount);
    }

    [Fact]
    public void No_reader_is_inside_while_a_writer_holds_the_drained_gate()
    {
        var gate = new UseCountGate();
        var inside = 0;
        var violations = 0;
        var stop = false;
        var readers = new Thread[2];
        for (var r = 0; r < readers.Length; r++)
        {
            readers[r] = new Thread(() =>
            {
                while (!Volatile.Read(ref stop))
                {
                    if (gate.TryEnterReader())
                    {
                        Interlocked.Increment(ref inside);
                        Thread.SpinWait(20);
                        Interlocked.Decrement(ref inside);
                        gate.ExitReader();
                    }
                }
            });
            readers[r].Start();
        }
        for (var i = 0; i < 2000; i++)
        {
            gate.BeginResize();
            for (var k = 0; k < 50; k++)
            {
                if (Volatile.Read(ref inside) != 0)
                {
                    violations++;
                }
            }
            gate.EndResize(setByCaller: true);
        }
        Volatile.Write(ref stop, true);
        foreach (var t in readers)
        {
            t.Join();
        }
        Assert.Equal(0, violations);
        Assert.Equal(0, gate.UseCount);
    }
}
