namespace Bitfuse.Bitmaps;

/// <summary>
/// What a kernel does with the values it finds: writes them to its destination, or only counts them. Kernels
/// take it as a struct type argument (<c>where TSink : struct, IValueSink</c>), so <see cref="Writes"/> is a
/// constant in each compiled copy and the count-only copy carries no store and no branch for one: one
/// implementation of each loop serves both "how many" and "which".
/// </summary>
internal interface IValueSink
{
    static abstract bool Writes { get; }
}

/// <summary>Values go to the destination.</summary>
internal readonly struct WriteValues : IValueSink
{
    public static bool Writes => true;
}

/// <summary>Values are only counted; the destination is not touched (and may be null).</summary>
internal readonly struct CountValues : IValueSink
{
    public static bool Writes => false;
}
