using System.Reflection;
using Bitfuse.Bitmaps;

namespace Bitfuse.Tests.Bitmaps;

/// <summary>A disposed bitmap refuses every use, and an enumeration notices a change instead of reading freed memory.</summary>
public sealed class BitmapSafetyTests
{
    private static Bitmap Sample()
    {
        var bitmap = Bitmap.FromValues([1u, 5u, 70_000u]);
        bitmap.AddRange(1_000_000, 1_010_000);
        return bitmap;
    }

    public static TheoryData<string> Uses() => [.. DisposedUses.Keys];

    private static readonly Dictionary<string, Action<Bitmap, Bitmap>> DisposedUses = new()
    {
        ["Count"] = (b, o) => _ = b.Count,
        ["IsEmpty"] = (b, o) => _ = b.IsEmpty,
        ["Contains"] = (b, o) => b.Contains(5),
        ["Min"] = (b, o) => _ = b.Min,
        ["Max"] = (b, o) => _ = b.Max,
        ["Rank"] = (b, o) => b.Rank(5),
        ["Select"] = (b, o) => b.Select(0),
        ["CopyTo"] = (b, o) => b.CopyTo(new uint[16]),
        ["ToArray"] = (b, o) => b.ToArray(),
        ["Clone"] = (b, o) => b.Clone(),
        ["Not"] = (b, o) => b.Not(0, 10),
        ["GetStatistics"] = (b, o) => b.GetStatistics(),
        ["GetEnumerator"] = (b, o) => b.GetEnumerator(),
        ["foreach"] = (b, o) =>
        {
            foreach (var v in (IEnumerable<uint>)b)
            {
                _ = v;
            }
        },
        ["SerializedSize"] = (b, o) => b.SerializedSize(),
        ["Serialize"] = (b, o) => b.Serialize(),
        ["Add"] = (b, o) => b.Add(9),
        ["Remove"] = (b, o) => b.Remove(5),
        ["AddMany"] = (b, o) => b.AddMany([9u]),
        ["AddRange"] = (b, o) => b.AddRange(0, 10),
        ["RemoveRange"] = (b, o) => b.RemoveRange(0, 10),
        ["FlipRange"] = (b, o) => b.FlipRange(0, 10),
        ["Optimize"] = (b, o) => b.Optimize(),
        ["And (this disposed)"] = (b, live) => b.And(live),
        ["And (other disposed)"] = (b, live) => live.And(b),
        ["Or"] = (b, live) => live.Or(b),
        ["Xor"] = (b, live) => b.Xor(live),
        ["AndNot"] = (b, live) => live.AndNot(b),
        ["AndCount"] = (b, live) => live.AndCount(b),
        ["OrCount"] = (b, live) => b.OrCount(live),
        ["XorCount"] = (b, live) => live.XorCount(b),
        ["AndNotCount"] = (b, live) => b.AndNotCount(live),
        ["Intersects"] = (b, live) => live.Intersects(b),
        ["IsSubsetOf"] = (b, live) => b.IsSubsetOf(live),
        ["SetEquals"] = (b, live) => live.SetEquals(b),
        ["AndInPlace (other disposed)"] = (b, live) => live.Clone().AndInPlace(b),
        ["OrInPlace"] = (b, live) => b.OrInPlace(live),
        ["XorInPlace (other disposed)"] = (b, live) => live.Clone().XorInPlace(b),
        ["AndNotInPlace"] = (b, live) => b.AndNotInPlace(live),
        ["Equals"] = (b, live) => live.Equals(b),
        ["GetHashCode"] = (b, o) => b.GetHashCode(),
        ["=="] = (b, live) => _ = b == live,
        ["operator &"] = (b, live) => _ = live & b,
        ["operator -"] = (b, live) => _ = b - live,
        ["IsSupersetOf"] = (b, live) => live.IsSupersetOf(b),
        ["IsProperSubsetOf"] = (b, live) => b.IsProperSubsetOf(live),
        ["IsProperSupersetOf"] = (b, live) => live.IsProperSupersetOf(b),
        ["Overlaps (sequence)"] = (b, o) => b.Overlaps([1u, 5u]),
        ["SetEquals (sequence)"] = (b, o) => b.SetEquals([1u, 5u]),
        ["NextValue"] = (b, o) => b.NextValue(0),
        ["PreviousValue"] = (b, o) => b.PreviousValue(uint.MaxValue),
        ["NextAbsentValue"] = (b, o) => b.NextAbsentValue(0),
        ["RangeCount"] = (b, o) => b.RangeCount(0, 10),
        ["ContainsRange"] = (b, o) => b.ContainsRange(0, 10),
        ["IntersectsRange"] = (b, o) => b.IntersectsRange(0, 10),
        ["TrySelect"] = (b, o) => b.TrySelect(0, out _),
        ["Rank (many)"] = (b, o) => b.Rank([1u], new long[1]),
        ["RemoveMany"] = (b, o) => b.RemoveMany([5u]),
        ["ContainsMany"] = (b, o) => b.ContainsMany([5u], new bool[1]),
        ["AddOffset"] = (b, o) => b.AddOffset(3),
        ["Jaccard"] = (b, live) => live.Jaccard(b),
        ["GetReader"] = (b, o) => b.GetReader(),
        ["ForEach"] = (b, o) => b.ForEach(_ => { }),
        ["query over it"] = (b, live) => new QueryEngine().Compile("a | b").Count(new BitmapSet { ["a"] = live, ["b"] = b }),
    };

    [Theory]
    [MemberData(nameof(Uses))]
    public void Every_use_of_a_disposed_bitmap_throws_object_disposed(string use)
    {
        var disposed = Sample();
        disposed.Dispose();
        using var live = Sample();

        Assert.Throws<ObjectDisposedException>(() => DisposedUses[use](disposed, live));
        Assert.Equal(10_003, live.Count);
    }

    [Fact]
    public void Dispose_twice_and_ToString_after_dispose_do_not_throw()
    {
        var bitmap = Sample();
        bitmap.Dispose();
        bitmap.Dispose();
        Assert.Equal("Bitmap (disposed)", bitmap.ToString());
    }

    public static TheoryData<string> Changes() => [.. ChangesWhileEnumerating.Keys];

    private static readonly Dictionary<string, Action<Bitmap>> ChangesWhileEnumerating = new()
    {
        ["Add"] = b => b.Add(2),
        ["Add of a present value"] = b => b.Add(5),
        ["Remove"] = b => b.Remove(70_000),
        ["AddMany"] = b => b.AddMany([3u, 4u]),
        ["AddRange"] = b => b.AddRange(2_000_000, 2_000_010),
        ["RemoveRange"] = b => b.RemoveRange(1_000_000, 1_005_000),
        ["FlipRange"] = b => b.FlipRange(0, 100),
        ["Optimize"] = b => b.Optimize(),
        ["AndInPlace"] = b =>
        {
            using var other = Bitmap.FromValues([5u]);
            b.AndInPlace(other);
        },
        ["RemoveMany"] = b => b.RemoveMany([70_000u]),
        ["OrInPlace"] = b =>
        {
            using var other = Bitmap.FromValues([6u]);
            b.OrInPlace(other);
        },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void A_change_during_enumeration_throws_on_the_next_step(string change)
    {
        using var bitmap = Sample();
        var enumerator = bitmap.GetEnumerator();
        Assert.True(enumerator.MoveNext());
        Assert.Equal(1u, enumerator.Current);

        ChangesWhileEnumerating[change](bitmap);

        var error = Record.Exception(() => enumerator.MoveNext());
        Assert.IsType<InvalidOperationException>(error);
        Assert.Contains("changed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Disposing_during_enumeration_throws_object_disposed_on_the_next_step()
    {
        var bitmap = Sample();
        var enumerator = bitmap.GetEnumerator();
        Assert.True(enumerator.MoveNext());
        bitmap.Dispose();
        var error = Record.Exception(() => enumerator.MoveNext());
        Assert.IsType<ObjectDisposedException>(error);
    }

    [Fact]
    public void Reading_does_not_disturb_an_enumeration_and_a_new_enumerator_sees_the_change()
    {
        using var bitmap = Sample();
        var seen = new List<uint>();
        foreach (var v in bitmap)
        {
            seen.Add(v);
            _ = bitmap.Contains(v);
            _ = bitmap.Count;
        }
        Assert.Equal(bitmap.ToArray(), seen);
        bitmap.Add(2);
        Assert.Equal(2u, bitmap.Skip(1).First());
    }

    [Fact]
    public void A_bitmap_dropped_undisposed_is_released_by_its_guard_and_a_reused_guard_keeps_its_new_owner()
    {
        // The first bitmap is disposed, so its guard goes back to this thread's pool and the second bitmap takes
        // it; the third is dropped undisposed. After a collection the third's containers are freed and the second
        // still reads.
        var (kept, droppedContainers) = KeptAndDropped();
        Assert.All(droppedContainers, c => Assert.NotEqual(0, c.Cardinality));
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using (kept)
        {
            Assert.Equal(70_000, kept.Count);
        }
        Assert.All(droppedContainers, c => Assert.Equal(0, c.Cardinality));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static (Bitmap Kept, ArraySegment<Container> DroppedContainers) KeptAndDropped()
    {
        Bitmap.FromValues([1, 2, 3]).Dispose();
        var kept = Bitmap.FromValues([.. Enumerable.Range(0, 70_000).Select(v => (uint)v)]);
        var dropped = Bitmap.FromValues([5, 100_000]);
        var containers = (Container[])typeof(Bitmap).GetField("_containers", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(dropped)!;
        // The array itself (release empties its entries in place); it may have spare room beyond the two containers.
        return (kept, new ArraySegment<Container>(containers, 0, dropped.ContainerCount));
    }
}
