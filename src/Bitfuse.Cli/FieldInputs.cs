using Bitfuse.Fields;
using Bitfuse.Isolation;
using Bitfuse.Isolation.Pinning;

namespace Bitfuse.Cli;

/// <summary>
/// The typed-field inputs of <c>bitfuse query</c>: a CSV with typed columns (<c>--csv FILE --int age --set city</c>)
/// or a generated table (<c>--generate ROWS</c>), and the worker pool of <c>--workers N --cpus LIST</c>.
/// </summary>
internal static class FieldInputs
{
    /// <summary>Reads <paramref name="path"/> into fields, or a user error naming the line.</summary>
    public static FieldSet FromCsv(string path, Dictionary<string, FieldKind> columns)
    {
        if (columns.Count == 0)
        {
            throw new UserException("--csv needs at least one typed column: --int NAME, --set NAME, --mutex NAME or --bool NAME");
        }
        if (!File.Exists(path))
        {
            throw new UserException($"no CSV file '{path}'");
        }
        var fields = new FieldSet();
        try
        {
            using var reader = new StreamReader(path);
            CsvImport.Load(reader, fields, columns);
            return fields;
        }
        catch (Exception e) when (e is InvalidDataException or ArgumentException)
        {
            fields.Dispose();
            throw new UserException($"{path}: {e.Message}");
        }
    }

    /// <summary>A pool of <paramref name="workers"/> threads, pinned round-robin to <paramref name="cpus"/> when given; null for one worker and no CPUs.</summary>
    public static QueryWorkerPool? Pool(int workers, string? cpus)
    {
        if (workers < 1)
        {
            throw new UserException("--workers must be 1 or more");
        }
        var set = IsolationArguments.Cpus(cpus);
        if (set is null)
        {
            return workers == 1 ? null : new QueryWorkerPool(workers);
        }
        var list = set.ToArray();
        try
        {
            return new QueryWorkerPool(workers, i => ThreadAffinity.PinCurrentThread(list[i % list.Length]));
        }
        catch (InvalidOperationException e)
        {
            throw new UserException($"--cpus {cpus}: {e.InnerException?.Message ?? e.Message}");
        }
    }
}
