namespace Bitfuse.Memory;

/// <summary>
/// An open read section of an <see cref="Smr"/>; disposing it leaves the section. Use with <c>using</c> so an
/// exception cannot leave a section open. Dispose exactly once, on the thread that entered.
/// </summary>
public readonly struct ReadScope : IDisposable
{
    private readonly SmrReader? _reader;

    internal ReadScope(SmrReader reader) => _reader = reader;

    /// <summary>Leaves the read section.</summary>
    /// <exception cref="InvalidOperationException">The scope was not created by <see cref="Smr.Enter"/>, or it was already left.</exception>
    public void Dispose()
    {
        if (_reader is null)
        {
            throw new InvalidOperationException("Exit without Enter: this ReadScope was not created by Smr.Enter.");
        }
        _reader.Owner.Exit(_reader);
    }
}
