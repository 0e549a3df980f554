using Bitfuse.Bitmaps;

namespace Bitfuse;

public sealed unsafe partial class Bitmap
{
    /// <summary>A new bitmap: the values in both.</summary>
    public Bitmap And(Bitmap other) => Combine<AndPair>(other);

    /// <summary>A new bitmap: the values in either.</summary>
    public Bitmap Or(Bitmap other) => Combine<OrPair>(other);

    /// <summary>A new bitmap: the values in exactly one.</summary>
    public Bitmap Xor(Bitmap other) => Combine<XorPair>(other);

    /// <summary>A new bitmap: the values in this one but not in <paramref name="other"/>.</summary>
    public Bitmap AndNot(Bitmap other) => Combine<AndNotPair>(other);

    /// <summary>Keeps only the values also in <paramref name="other"/>.</summary>
    public void AndInPlace(Bitmap other) => CombineInPlace<AndPair>(other);

    /// <summary>Adds every value of <paramref name="other"/>.</summary>
    public void OrInPlace(Bitmap other) => CombineInPlace<OrPair>(other);

    /// <summary>Keeps the values in exactly one of the two.</summary>
    public void XorInPlace(Bitmap other) => CombineInPlace<XorPair>(other);

    /// <summary>Removes every value of <paramref name="other"/>.</summary>
    public void AndNotInPlace(Bitmap other) => CombineInPlace<AndNotPair>(other);

    /// <summary>|this ∩ other|, building nothing.</summary>
    public long AndCount(Bitmap other) => WalkShared(other, new SharedCount()).Count;

    /// <summary>|this ∪ other|, building nothing.</summary>
    public long OrCount(Bitmap other) => _count + other._count - AndCount(other);

    /// <summary>|this ⊕ other|, building nothing.</summary>
    public long XorCount(Bitmap other) => _count + other._count - 2 * AndCount(other);

    /// <summary>|this \ other|, building nothing.</summary>
    public long AndNotCount(Bitmap other) => _count - AndCount(other);

    /// <summary>
    /// The Jaccard index |this ∩ other| / |this ∪ other|, building nothing. Two empty bitmaps are equal sets and
    /// score 1 (CRoaring returns NaN there).
    /// </summary>
    public double Jaccard(Bitmap other)
    {
        var and = AndCount(other);
        var or = _count + other._count - and;
        return or == 0 ? 1.0 : (double)and / or;
    }

    /// <summary>True when the two share at least one value.</summary>
    public bool Intersects(Bitmap other) => WalkShared(other, new SharedValue()).Found;

    /// <summary>True when every value of this bitmap is in <paramref name="other"/>.</summary>
    public bool IsSubsetOf(Bitmap other)
    {
        ThrowIfDisposed(other);
        if (_count > other._count || _size > other._size)
        {
            return false;
        }
        var subset = new SubsetWalk(this, other);
        var i = 0;
        var j = 0;
        KeySearch.Walk(_keys.AsSpan(0, _size), ref i, other._keys.AsSpan(0, other._size), ref j, ref subset);
        // A key of this one past the other's last is not in it.
        return subset.Holds && i == _size;
    }

    /// <summary>True when both hold exactly the same values (container kinds may differ).</summary>
    public bool SetEquals(Bitmap other)
    {
        ThrowIfDisposed(other);
        if (_count != other._count || _size != other._size)
        {
            return false;
        }
        for (var i = 0; i < _size; i++)
        {
            if (_keys[i] != other._keys[i] || !ContainerAlgebra.ValueEquals(_containers[i], other._containers[i]))
            {
                return false;
            }
        }
        return true;
    }

    // A new bitmap of the pair operation: one walk over both key lists, shared keys through the container algebra,
    // keys only one side holds cloned when the operation keeps them. An and's arrays come with the first container
    // it holds (sparse intersections are often empty).
    private Bitmap Combine<TPair>(Bitmap other)
        where TPair : struct, IPairOperation
    {
        ThrowIfDisposed(other);
        var result = new Bitmap((TPair.KeepsFirst ? _size : 0) + (TPair.KeepsSecond ? other._size : 0));
        var walk = new CombineWalk<TPair>(this, other, result);
        var i = 0;
        var j = 0;
        KeySearch.Walk(_keys.AsSpan(0, _size), ref i, other._keys.AsSpan(0, other._size), ref j, ref walk);
        walk.FirstOnly(i, _size);
        walk.SecondOnly(j, other._size);
        return result;
    }

    // The pair operation in place: one walk over both key lists. Operations that only shrink this bitmap's keys
    // (and, and-not) compact its own arrays; the others build fresh ones. Shared keys reuse this bitmap's owned
    // payload where the pair allows it.
    private void CombineInPlace<TPair>(Bitmap other)
        where TPair : struct, IPairOperation
    {
        ThrowIfDisposed(other);
        BeginChange();
        if (ReferenceEquals(other, this))
        {
            if (TPair.EmptyWithItself)
            {
                for (var k = 0; k < _size; k++)
                {
                    _containers[k].Free();
                }
                Truncate(0, 0);
            }
            return;
        }
        var walk = TPair.KeepsSecond
            ? new InPlaceWalk<TPair>(this, other, new ushort[_size + other._size], new Container[_size + other._size])
            : new InPlaceWalk<TPair>(this, other, _keys, _containers);
        var i = 0;
        var j = 0;
        KeySearch.Walk(_keys.AsSpan(0, _size), ref i, other._keys.AsSpan(0, other._size), ref j, ref walk);
        walk.FirstOnly(i, _size);
        walk.SecondOnly(j, other._size);
        if (TPair.KeepsSecond)
        {
            _keys = walk.Keys;
            _containers = walk.Containers;
            _size = walk.Written;
            _count = walk.Count;
        }
        else
        {
            Truncate(walk.Written, walk.Count);
        }
    }

    private void Truncate(int size, long count)
    {
        Array.Clear(_containers, size, _size - size);
        _size = size;
        _count = count;
    }

    // Hands the containers both bitmaps hold at a key to the visitor, keys ascending (see KeySearch.Walk), and
    // returns the visitor.
    private TVisitor WalkShared<TVisitor>(Bitmap other, TVisitor visitor)
        where TVisitor : struct, IContainerPairVisitor
    {
        ThrowIfDisposed(other);
        var pairs = new SharedContainers<TVisitor>(this, other, visitor);
        var i = 0;
        var j = 0;
        KeySearch.Walk(_keys.AsSpan(0, _size), ref i, other._keys.AsSpan(0, other._size), ref j, ref pairs);
        return pairs.Visitor;
    }

    // What WalkShared does with the two containers of a shared key; false stops the walk.
    private interface IContainerPairVisitor
    {
        bool Visit(in Container a, in Container b);
    }

    private struct SharedContainers<TVisitor>(Bitmap a, Bitmap b, TVisitor visitor) : IKeyWalkVisitor
        where TVisitor : struct, IContainerPairVisitor
    {
        private readonly Bitmap _a = a;
        private readonly Bitmap _b = b;

        public TVisitor Visitor = visitor;

        public bool Shared(int i, int j) => Visitor.Visit(_a._containers[i], _b._containers[j]);

        public readonly bool FirstOnly(int from, int to) => true;

        public readonly bool SecondOnly(int from, int to) => true;
    }

    // Whether every shared key's container of the first is within the second's; stops at the first key only the
    // first holds.
    private struct SubsetWalk(Bitmap a, Bitmap b) : IKeyWalkVisitor
    {
        public bool Holds = true;

        public bool Shared(int i, int j)
        {
            ref readonly var x = ref a._containers[i];
            ref readonly var y = ref b._containers[j];
            Holds = x.Cardinality <= y.Cardinality && ContainerAlgebra.AndCount(x, y) == x.Cardinality;
            return Holds;
        }

        public bool FirstOnly(int from, int to)
        {
            Holds = false;
            return false;
        }

        public readonly bool SecondOnly(int from, int to) => true;
    }

    // A pairwise operation: the containers of a key both hold, and which of the keys only one side holds it keeps.
    private interface IPairOperation
    {
        /// <summary>Keys only the first bitmap holds stay in the answer (or, xor, and-not).</summary>
        static abstract bool KeepsFirst { get; }

        /// <summary>Keys only the second bitmap holds join the answer (or, xor).</summary>
        static abstract bool KeepsSecond { get; }

        /// <summary>The answer of a bitmap with itself is empty (xor, and-not); otherwise it is the bitmap.</summary>
        static abstract bool EmptyWithItself { get; }

        static abstract Container Combine(in Container a, in Container b);

        /// <summary>Changes <paramref name="a"/> (owned by the bitmap changed in place) where it can reuse its payload; false when it cannot.</summary>
        static abstract bool TryInPlace(ref Container a, in Container b);
    }

    private readonly struct AndPair : IPairOperation
    {
        public static bool KeepsFirst => false;

        public static bool KeepsSecond => false;

        public static bool EmptyWithItself => false;

        public static Container Combine(in Container a, in Container b) => ContainerAlgebra.And(a, b);

        public static bool TryInPlace(ref Container a, in Container b) => FilterInPlace(ref a, b, removeMatches: false);
    }

    private readonly struct AndNotPair : IPairOperation
    {
        public static bool KeepsFirst => true;

        public static bool KeepsSecond => false;

        public static bool EmptyWithItself => true;

        public static Container Combine(in Container a, in Container b) => ContainerAlgebra.AndNot(a, b);

        public static bool TryInPlace(ref Container a, in Container b) => FilterInPlace(ref a, b, removeMatches: true);
    }

    private readonly struct OrPair : IPairOperation
    {
        public static bool KeepsFirst => true;

        public static bool KeepsSecond => true;

        public static bool EmptyWithItself => false;

        public static Container Combine(in Container a, in Container b) => ContainerAlgebra.Or(a, b);

        public static bool TryInPlace(ref Container a, in Container b) => MergeInPlace(ref a, b, flip: false);
    }

    private readonly struct XorPair : IPairOperation
    {
        public static bool KeepsFirst => true;

        public static bool KeepsSecond => true;

        public static bool EmptyWithItself => true;

        public static Container Combine(in Container a, in Container b) => ContainerAlgebra.Xor(a, b);

        public static bool TryInPlace(ref Container a, in Container b) => MergeInPlace(ref a, b, flip: true);
    }

    // Or (flip false) and xor (true) of an owned bitset by a bitset or an array, in its own payload.
    private static bool MergeInPlace(ref Container a, in Container b, bool flip)
    {
        if (!a.Owned || a.Kind != ContainerKind.Bitset || b.Kind == ContainerKind.Run)
        {
            return false;
        }
        if (b.Kind == ContainerKind.Bitset)
        {
            a.Cardinality = flip ? BitsetContainer.Xor(a.Words, b.Words, a.Words) : BitsetContainer.Or(a.Words, b.Words, a.Words);
        }
        else
        {
            a.Cardinality += flip ? ContainerAlgebra.FlipValues(a.Words, b.Values, b.Length) : ContainerAlgebra.AddValues(a.Words, b.Values, b.Length);
        }
        ContainerAlgebra.Normalize(ref a, considerRuns: false);
        return true;
    }

    // And (removeMatches false) and and-not (true) of an owned bitset or array by a bitset, in its own payload.
    private static bool FilterInPlace(ref Container a, in Container b, bool removeMatches)
    {
        if (!a.Owned || b.Kind != ContainerKind.Bitset || a.Kind == ContainerKind.Run)
        {
            return false;
        }
        if (a.Kind == ContainerKind.Bitset)
        {
            a.Cardinality = removeMatches
                ? BitsetContainer.AndNot(a.Words, b.Words, a.Words)
                : BitsetContainer.And(a.Words, b.Words, a.Words);
        }
        else
        {
            a.Length = a.Cardinality = removeMatches
                ? BitsetContainer.FilterOut(b.Words, a.Values, a.Length, a.Values)
                : BitsetContainer.FilterIn(b.Words, a.Values, a.Length, a.Values);
        }
        ContainerAlgebra.Normalize(ref a, considerRuns: false);
        return true;
    }

    // Builds the answer of a pair operation as a new bitmap, key by key.
    private struct CombineWalk<TPair>(Bitmap a, Bitmap b, Bitmap result) : IKeyWalkVisitor
        where TPair : struct, IPairOperation
    {
        public readonly bool Shared(int i, int j)
        {
            var c = TPair.Combine(a._containers[i], b._containers[j]);
            if (c.Cardinality != 0 && result._keys.Length == 0)
            {
                // Only an and starts without arrays: it holds at most the keys both have left.
                var bound = Math.Min(a._size - i, b._size - j);
                result._keys = new ushort[bound];
                result._containers = new Container[bound];
            }
            result.AppendContainer(a._keys[i], c);
            return true;
        }

        public readonly bool FirstOnly(int from, int to)
        {
            if (TPair.KeepsFirst)
            {
                for (var k = from; k < to; k++)
                {
                    result.AppendContainer(a._keys[k], a._containers[k].Clone());
                }
            }
            return true;
        }

        public readonly bool SecondOnly(int from, int to)
        {
            if (TPair.KeepsSecond)
            {
                for (var k = from; k < to; k++)
                {
                    result.AppendContainer(b._keys[k], b._containers[k].Clone());
                }
            }
            return true;
        }
    }

    // Writes the answer of a pair operation into keys/containers: the first bitmap's own arrays (operations that
    // only drop its keys, so a write never passes the read) or fresh ones. The first bitmap's containers move
    // over (changed in place where the pair allows), the second's are cloned, dropped ones are freed.
    private struct InPlaceWalk<TPair>(Bitmap a, Bitmap b, ushort[] keys, Container[] containers) : IKeyWalkVisitor
        where TPair : struct, IPairOperation
    {
        public readonly ushort[] Keys = keys;
        public readonly Container[] Containers = containers;
        public int Written;
        public long Count;

        public bool Shared(int i, int j)
        {
            ref var c = ref a._containers[i];
            ref readonly var other = ref b._containers[j];
            if (!TPair.TryInPlace(ref c, other))
            {
                var r = TPair.Combine(c, other);
                c.Free();
                c = r;
            }
            Keep(a._keys[i], c);
            return true;
        }

        public bool FirstOnly(int from, int to)
        {
            for (var k = from; k < to; k++)
            {
                if (TPair.KeepsFirst)
                {
                    Keep(a._keys[k], a._containers[k]);
                }
                else
                {
                    a._containers[k].Free();
                }
            }
            return true;
        }

        public bool SecondOnly(int from, int to)
        {
            if (TPair.KeepsSecond)
            {
                for (var k = from; k < to; k++)
                {
                    Keep(b._keys[k], b._containers[k].Clone());
                }
            }
            return true;
        }

        private void Keep(ushort key, Container c)
        {
            if (c.Cardinality != 0)
            {
                Keys[Written] = key;
                Containers[Written] = c;
                Count += c.Cardinality;
                Written++;
            }
        }
    }

    // |a ∩ b| summed over the shared keys.
    private struct SharedCount : IContainerPairVisitor
    {
        public long Count;

        public bool Visit(in Container a, in Container b)
        {
            Count += ContainerAlgebra.AndCount(a, b);
            return true;
        }
    }

    // Whether a shared key has a value in both; stops at the first.
    private struct SharedValue : IContainerPairVisitor
    {
        public bool Found;

        public bool Visit(in Container a, in Container b)
        {
            Found = ContainerAlgebra.Intersects(a, b);
            return !Found;
        }
    }
}
