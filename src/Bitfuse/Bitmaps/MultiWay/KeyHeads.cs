using System.Runtime.CompilerServices;

namespace Bitfuse.Bitmaps.MultiWay;

/// <summary>
/// The k-way merge of bitmaps' keys used by the planner and the union path: each input's next key (its
/// head) is kept in a small array, so finding the smallest key is a tight loop over k integers and only the
/// inputs that hold it touch their bitmaps to move on. An exhausted input's head is <see cref="Exhausted"/>.
/// </summary>
internal static class KeyHeads
{
    /// <summary>The head of an input with no key left: above every key.</summary>
    public const int Exhausted = int.MaxValue;

    /// <summary>The key of <paramref name="input"/>'s container at <paramref name="cursor"/>, or <see cref="Exhausted"/> past its last.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int At(Bitmap input, int cursor) => cursor < input.ContainerCount ? input.KeyAt(cursor) : Exhausted;

    /// <summary>The smallest head, <see cref="Exhausted"/> when every input is.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Smallest(ReadOnlySpan<int> heads)
    {
        var key = Exhausted;
        foreach (var head in heads)
        {
            key = Math.Min(key, head);
        }
        return key;
    }
}
