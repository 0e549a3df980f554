namespace Bitfuse.Benchmarks.Compare;

/// <summary>
/// A suite of side-by-side cases for <c>compare</c>. Suites are found by reflection: any non-abstract
/// class implementing this interface with a parameterless constructor is a suite.
/// </summary>
public interface ICompareSuite
{
    /// <summary>The name used on the command line (<c>compare memory</c>).</summary>
    string Name { get; }

    /// <summary>One line for <c>compare --help</c>.</summary>
    string Description { get; }

    /// <summary>Runs every case, reporting each through <see cref="CompareContext.Measure(string, Action, string, Action, double)"/> or <see cref="CompareContext.Record"/>.</summary>
    void Run(CompareContext context);
}
