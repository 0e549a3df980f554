using Bitfuse.Memory;

namespace Bitfuse.Memory.Tests;

public sealed class SmrTests
{
    public static TheoryData<SmrMode> Modes => [SmrMode.Default, SmrMode.Lazy, SmrMode.Deferred];

    [Fact]
    public void Debug_switch_is_on_in_this_test_project() => Assert.True(MemoryDebug.Enabled);

    [Theory]
    [MemberData(nameof(Modes))]
    public void Enter_and_exit_mark_the_calling_thread(SmrMode mode)
    {
        using var smr = new Smr(new SmrOptions { Mode = mode });
        Assert.False(smr.IsInReadSection);
        using (smr.Enter())
        {
            Assert.True(smr.IsInReadSection);
        }
        Assert.False(smr.IsInReadSection);
    }

    [Fact]
    public void Sections_do_not_nest()
    {
        using var smr = new Smr();
        using (smr.Enter())
        {
            var e = Assert.Throws<InvalidOperationException>(() => smr.Enter());
            Assert.Contains("do not nest", e.Message);
            Assert.True(smr.IsInReadSection);
        }
        Assert.False(smr.IsInReadSection);
    }

    [Fact]
    public void Exit_without_enter_throws()
    {
        using var smr = new Smr();
        Assert.Throws<InvalidOperationException>(smr.Exit);
        Assert.Throws<InvalidOperationException>(() => default(ReadScope).Dispose());
        var scope = smr.Enter();
        scope.Dispose();
        Assert.Throws<InvalidOperationException>(scope.Dispose);
    }

    [Fact]
    public void Sections_of_two_instances_are_independent()
    {
        using var a = new Smr();
        using var b = new Smr();
        using (a.Enter())
        {
            Assert.False(b.IsInReadSection);
            using (b.Enter())
            {
                Assert.True(a.IsInReadSection && b.IsInReadSection);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void A_goal_expires_without_readers(SmrMode mode)
    {
        using var smr = new Smr(new SmrOptions { Mode = mode });
        var goal = smr.Advance();
        Assert.True(smr.Poll(goal));
        Assert.True(smr.Poll(goal)); // fast path on rd_seq now
        smr.Synchronize();
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void A_reader_blocks_goals_taken_after_it_entered(SmrMode mode)
    {
        using var smr = new Smr(new SmrOptions { Mode = mode });
        using var reader = HeldReader.Start(smr);
        var goal = smr.Advance();
        Assert.False(smr.Poll(goal));
        Assert.False(smr.Poll(goal));
        reader.Leave();
        Assert.True(smr.Poll(goal));
    }

    [Fact]
    public void A_reader_that_entered_after_the_goal_does_not_block_it()
    {
        using var smr = new Smr();
        var goal = smr.Advance();
        using (smr.Enter())
        {
            // This thread entered at wr_seq >= goal; another thread may poll and see the goal expired.
            var expired = false;
            var t = new Thread(() => expired = smr.Poll(goal));
            t.Start();
            t.Join();
            Assert.True(expired);
        }
    }

    [Fact]
    public void Wait_returns_when_the_reader_leaves()
    {
        using var smr = new Smr();
        using var entered = new ManualResetEventSlim();
        var reader = new Thread(() =>
        {
            using (smr.Enter())
            {
                entered.Set();
                Thread.Sleep(50);
            }
        });
        reader.Start();
        entered.Wait();
        var goal = smr.Advance();
        smr.Wait(goal);
        Assert.True(smr.Poll(goal));
        reader.Join();
    }

    [Fact]
    public void Wait_and_synchronize_inside_own_section_throw()
    {
        using var smr = new Smr(new SmrOptions { DebugChecks = false });
        var goal = smr.Advance();
        using (smr.Enter())
        {
            Assert.Throws<InvalidOperationException>(smr.Synchronize);
            var later = smr.Advance();
            Assert.Throws<InvalidOperationException>(() => smr.Wait(later));
            Assert.True(smr.Poll(goal)); // this goal predates the section
        }
    }

    [Fact]
    public void Debug_mode_forbids_advance_inside_a_section()
    {
        using var smr = new Smr();
        using (smr.Enter())
        {
            var e = Assert.Throws<InvalidOperationException>(() => smr.Advance());
            Assert.Contains("Advance inside a read section", e.Message);
        }
    }

    [Fact]
    public void A_goal_from_the_future_is_rejected()
    {
        using var smr = new Smr();
        var goal = smr.Advance();
        Assert.Throws<ArgumentOutOfRangeException>(() => smr.Poll(goal + 100 * SmrOptions.DefaultIncrement));
    }

    [Fact]
    public void Deferred_mode_advances_without_writing_the_shared_sequence()
    {
        using var smr = new Smr(new SmrOptions { Mode = SmrMode.Deferred, DeferredAdvanceLimit = 1000 });
        var before = smr.WriteSequence;
        var goal = smr.Advance();
        Assert.Equal(before, smr.WriteSequence);
        Assert.Equal(before + SmrOptions.DefaultIncrement, goal);
        Assert.True(smr.Poll(goal));
        Assert.Equal(goal, smr.WriteSequence); // the poll moved wr_seq up to the goal
    }

    [Fact]
    public void Deferred_goal_is_blocked_by_a_reader_that_entered_before_the_poll()
    {
        using var smr = new Smr(new SmrOptions { Mode = SmrMode.Deferred, DeferredAdvanceLimit = 1000 });
        using var reader = HeldReader.Start(smr);
        var goal = smr.Advance();
        Assert.False(smr.Poll(goal));
        reader.Leave();
        Assert.True(smr.Poll(goal));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void Sequences_compare_correctly_across_the_wrap(SmrMode mode)
    {
        using var smr = new Smr(SmrOptions.WrapTest(mode));
        var start = smr.WriteSequence;
        var wrapped = false;
        for (var i = 0; i < 3000; i++)
        {
            var goal = smr.Advance();
            Assert.True(smr.Poll(goal));
            wrapped |= smr.WriteSequence < start;
        }
        Assert.True(wrapped, "the write sequence should have wrapped past long.MaxValue");
        using var reader = HeldReader.Start(smr);
        var blocked = smr.Advance();
        Assert.False(smr.Poll(blocked));
        reader.Leave();
        Assert.True(smr.Poll(blocked));
    }

    [Fact]
    public void Defer_runs_the_action_once_the_goal_expires()
    {
        using var smr = new Smr();
        using var reader = HeldReader.Start(smr);
        var runs = 0;
        smr.Defer(smr.Advance(), () => runs++);
        Assert.False(smr.Poll(smr.WriteSequence));
        Assert.Equal(0, runs);
        Assert.Equal(1, smr.PendingDeferredActions);
        reader.Leave();
        smr.Synchronize();
        Assert.Equal(1, runs);
        Assert.Equal(0, smr.PendingDeferredActions);
        smr.Synchronize();
        Assert.Equal(1, runs);
    }

    [Fact]
    public void Dispose_runs_remaining_deferred_actions()
    {
        var runs = 0;
        var smr = new Smr();
        smr.Defer(smr.Advance(), () => runs++);
        smr.Defer(smr.Advance(), () => runs++);
        smr.Dispose();
        Assert.Equal(2, runs);
    }

    [Fact]
    public void Invalid_options_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => new Smr(new SmrOptions { StartSequence = 2 }));
        Assert.Throws<ArgumentException>(() => new Smr(new SmrOptions { Increment = 3 }));
        Assert.Throws<ArgumentException>(() => new Smr(new SmrOptions { Increment = 0 }));
    }
}
