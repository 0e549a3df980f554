namespace Bitfuse.Benchmarks.Compare;

/// <summary>
/// One baseline of a case: its name in the JSON and the forms it can take (for CRoaring, say, the plain
/// chain, lazy OR with repair and <c>or_many</c>). Every form is timed in the same interleaved rounds and
/// the row keeps the fastest, so a baseline is always as strong as the best way we know to call it.
/// </summary>
/// <param name="Name">The baseline's name in the JSON (<c>croaring</c>, <c>read-limit</c>, ...).</param>
/// <param name="Forms">Each form's name and call.</param>
/// <param name="Note">What the baseline is, for the row's note; the chosen form is appended.</param>
public sealed record CompareBaseline(string Name, IReadOnlyList<(string Form, Action Run)> Forms, string? Note = null)
{
    /// <summary>A baseline with a single form.</summary>
    public static CompareBaseline Of(string name, Action run, string? note = null) => new(name, [(name, run)], note);
}
