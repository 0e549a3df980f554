using Bitfuse.Bitmaps;

namespace Bitfuse;

public sealed unsafe partial class Bitmap
{
    /// <summary>A new bitmap: the values in both.</summary>
    public Bitmap And(Bitmap other)
    {
        ThrowIfDisposed(other);
        var result = new Bitmap(Math.Min(_size, other._size));
        var i = 0;
        var j = 0;
        while (i < _size && j < other._size)
        {
            var ka = _keys[i];
            var kb = other._keys[j];
            if (ka == kb)
            {
                result.AppendContainer(ka, ContainerAlgebra.And(_containers[i], other._containers[j]));
                i++;
                j++;
            }
            else if (ka < kb)
            {
                i = KeySearch.Advance(_keys.AsSpan(0, _size), i, kb);
            }
            else
            {
                j = KeySearch.Advance(other._keys.AsSpan(0, other._size), j, ka);
            }
        }
        return result;
    }

    /// <summary>A new bitmap: the values in either.</summary>
    public Bitmap Or(Bitmap other) => Merge(other, MergeOp.Or);

    /// <summary>A new bitmap: the values in exactly one.</summary>
    public Bitmap Xor(Bitmap other) => Merge(other, MergeOp.Xor);

    /// <summary>A new bitmap: the values in this one but not in <paramref name="other"/>.</summary>
    public Bitmap AndNot(Bitmap other)
    {
        ThrowIfDisposed(other);
        var result = new Bitmap(_size);
        var j = 0;
        for (var i = 0; i < _size; i++)
        {
            var ka = _keys[i];
            j = KeySearch.Advance(other._keys.AsSpan(0, other._size), j, ka);
            if (j < other._size && other._keys[j] == ka)
            {
                result.AppendContainer(ka, ContainerAlgebra.AndNot(_containers[i], other._containers[j]));
            }
            else
            {
                result.AppendContainer(ka, _containers[i].Clone());
            }
        }
        return result;
    }

    /// <summary>Keeps only the values also in <paramref name="other"/>.</summary>
    public void AndInPlace(Bitmap other) => FilterInPlace(other, removeMatches: false);

    /// <summary>Adds every value of <paramref name="other"/>.</summary>
    public void OrInPlace(Bitmap other) => MergeInPlace(other, MergeOp.Or);

    /// <summary>Keeps the values in exactly one of the two.</summary>
    public void XorInPlace(Bitmap other) => MergeInPlace(other, MergeOp.Xor);

    /// <summary>Removes every value of <paramref name="other"/>.</summary>
    public void AndNotInPlace(Bitmap other) => FilterInPlace(other, removeMatches: true);

    // In-place and (removeMatches false) and and-not (true): both only shrink this bitmap's own keys, so they
    // walk them once, reuse owned bitset and array payloads where the other side is a bitset, and compact.
    private void FilterInPlace(Bitmap other, bool removeMatches)
    {
        ThrowIfDisposed(other);
        BeginChange();
        var write = 0;
        var j = 0;
        long count = 0;
        for (var i = 0; i < _size; i++)
        {
            var ka = _keys[i];
            j = KeySearch.Advance(other._keys.AsSpan(0, other._size), j, ka);
            ref var c = ref _containers[i];
            if (j < other._size && other._keys[j] == ka)
            {
                ref readonly var b = ref other._containers[j];
                if (c.Owned && c.Kind == ContainerKind.Bitset && b.Kind == ContainerKind.Bitset)
                {
                    c.Cardinality = removeMatches
                        ? BitsetContainer.AndNot(c.Words, b.Words, c.Words)
                        : BitsetContainer.And(c.Words, b.Words, c.Words);
                    ContainerAlgebra.Normalize(ref c, considerRuns: false);
                }
                else if (c.Owned && c.Kind == ContainerKind.Array && b.Kind == ContainerKind.Bitset)
                {
                    c.Length = c.Cardinality = removeMatches
                        ? BitsetContainer.FilterOut(b.Words, c.Values, c.Length, c.Values)
                        : BitsetContainer.FilterIn(b.Words, c.Values, c.Length, c.Values);
                    ContainerAlgebra.Normalize(ref c, considerRuns: false);
                }
                else
                {
                    var r = removeMatches ? ContainerAlgebra.AndNot(c, b) : ContainerAlgebra.And(c, b);
                    c.Free();
                    c = r;
                }
            }
            else if (!removeMatches)
            {
                c.Free();
            }
            if (c.Cardinality != 0)
            {
                _keys[write] = ka;
                _containers[write] = c;
                count += c.Cardinality;
                write++;
            }
        }
        Truncate(write, count);
    }

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
        var j = 0;
        for (var i = 0; i < _size; i++)
        {
            var ka = _keys[i];
            j = KeySearch.Advance(other._keys.AsSpan(0, other._size), j, ka);
            if (j == other._size || other._keys[j] != ka)
            {
                return false;
            }
            ref readonly var a = ref _containers[i];
            ref readonly var b = ref other._containers[j];
            if (a.Cardinality > b.Cardinality || ContainerAlgebra.AndCount(a, b) != a.Cardinality)
            {
                return false;
            }
        }
        return true;
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

    private enum MergeOp
    {
        Or,
        Xor,
    }

    private Bitmap Merge(Bitmap other, MergeOp op)
    {
        ThrowIfDisposed(other);
        var result = new Bitmap(_size + other._size);
        var i = 0;
        var j = 0;
        while (i < _size || j < other._size)
        {
            if (j == other._size || (i < _size && _keys[i] < other._keys[j]))
            {
                result.AppendContainer(_keys[i], _containers[i].Clone());
                i++;
            }
            else if (i == _size || other._keys[j] < _keys[i])
            {
                result.AppendContainer(other._keys[j], other._containers[j].Clone());
                j++;
            }
            else
            {
                var c = op == MergeOp.Or
                    ? ContainerAlgebra.Or(_containers[i], other._containers[j])
                    : ContainerAlgebra.Xor(_containers[i], other._containers[j]);
                result.AppendContainer(_keys[i], c);
                i++;
                j++;
            }
        }
        return result;
    }

    private void MergeInPlace(Bitmap other, MergeOp op)
    {
        ThrowIfDisposed(other);
        BeginChange();
        if (ReferenceEquals(other, this))
        {
            if (op == MergeOp.Xor)
            {
                for (var k = 0; k < _size; k++)
                {
                    _containers[k].Free();
                }
                Truncate(0, 0);
            }
            return;
        }
        // Merge into fresh arrays: keys from both sides, containers updated or cloned.
        var keys = new ushort[_size + other._size];
        var containers = new Container[_size + other._size];
        var n = 0;
        long count = 0;
        var i = 0;
        var j = 0;
        while (i < _size || j < other._size)
        {
            ushort key;
            Container c;
            if (j == other._size || (i < _size && _keys[i] < other._keys[j]))
            {
                key = _keys[i];
                c = _containers[i];
                i++;
            }
            else if (i == _size || other._keys[j] < _keys[i])
            {
                key = other._keys[j];
                c = other._containers[j].Clone();
                j++;
            }
            else
            {
                key = _keys[i];
                c = _containers[i];
                ref readonly var b = ref other._containers[j];
                if (c.Owned && c.Kind == ContainerKind.Bitset && b.Kind == ContainerKind.Bitset)
                {
                    c.Cardinality = op == MergeOp.Or
                        ? BitsetContainer.Or(c.Words, b.Words, c.Words)
                        : BitsetContainer.Xor(c.Words, b.Words, c.Words);
                    ContainerAlgebra.Normalize(ref c, considerRuns: false);
                }
                else if (c.Owned && c.Kind == ContainerKind.Bitset && b.Kind == ContainerKind.Array)
                {
                    c.Cardinality += op == MergeOp.Or
                        ? ContainerAlgebra.AddValues(c.Words, b.Values, b.Length)
                        : ContainerAlgebra.FlipValues(c.Words, b.Values, b.Length);
                    ContainerAlgebra.Normalize(ref c, considerRuns: false);
                }
                else
                {
                    var r = op == MergeOp.Or ? ContainerAlgebra.Or(c, b) : ContainerAlgebra.Xor(c, b);
                    c.Free();
                    c = r;
                }
                i++;
                j++;
            }
            if (c.Cardinality != 0)
            {
                keys[n] = key;
                containers[n] = c;
                count += c.Cardinality;
                n++;
            }
        }
        _keys = keys;
        _containers = containers;
        _size = n;
        _count = count;
    }

    private void Truncate(int size, long count)
    {
        Array.Clear(_containers, size, _size - size);
        _size = size;
        _count = count;
    }

    // Hands the containers both bitmaps hold at a key to the visitor, keys ascending (see KeySearch.Shared), and
    // returns the visitor.
    private TVisitor WalkShared<TVisitor>(Bitmap other, TVisitor visitor)
        where TVisitor : struct, IContainerPairVisitor
    {
        ThrowIfDisposed(other);
        var pairs = new SharedContainers<TVisitor>(this, other, visitor);
        var i = 0;
        var j = 0;
        KeySearch.Shared(_keys.AsSpan(0, _size), ref i, other._keys.AsSpan(0, other._size), ref j, ref pairs);
        return pairs.Visitor;
    }

    // What WalkShared does with the two containers of a shared key; false stops the walk.
    private interface IContainerPairVisitor
    {
        bool Visit(in Container a, in Container b);
    }

    private struct SharedContainers<TVisitor>(Bitmap a, Bitmap b, TVisitor visitor) : ISharedKeyVisitor
        where TVisitor : struct, IContainerPairVisitor
    {
        private readonly Bitmap _a = a;
        private readonly Bitmap _b = b;

        public TVisitor Visitor = visitor;

        public bool Visit(int i, int j) => Visitor.Visit(_a._containers[i], _b._containers[j]);
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
