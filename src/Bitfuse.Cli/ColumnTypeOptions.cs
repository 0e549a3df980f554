using System.CommandLine;
using Bitfuse.Fields;

namespace Bitfuse.Cli;

/// <summary>
/// The typed CSV columns a verb reads a table with (<c>--int age --set city --mutex os --bool churned</c>): one
/// definition for <c>query --csv</c> and <c>db import --csv</c>, so both read a table alike.
/// </summary>
internal sealed class ColumnTypeOptions
{
    private readonly Option<string[]> _ints = new("--int") { Description = "A CSV column that is an int field (bit-sliced). Repeat for each." };
    private readonly Option<string[]> _sets = new("--set") { Description = "A CSV column that is a set field (rows split by '|'). Repeat for each." };
    private readonly Option<string[]> _mutexes = new("--mutex") { Description = "A CSV column that is a mutex field (one row per column). Repeat for each." };
    private readonly Option<string[]> _bools = new("--bool") { Description = "A CSV column that is a bool field (true/false). Repeat for each." };

    /// <summary>Adds the four options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        foreach (var option in new[] { _ints, _sets, _mutexes, _bools })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The typed columns named by the options (empty when none), or a user error when a column is typed twice.</summary>
    public Dictionary<string, FieldKind> Columns(ParseResult parse)
    {
        var columns = new Dictionary<string, FieldKind>(StringComparer.Ordinal);
        foreach (var (option, kind) in new[] { (_ints, FieldKind.Int), (_sets, FieldKind.Set), (_mutexes, FieldKind.Mutex), (_bools, FieldKind.Bool) })
        {
            foreach (var name in parse.GetValue(option) ?? [])
            {
                if (!columns.TryAdd(name, kind))
                {
                    throw new UserException($"column '{name}' is typed twice ({columns[name]} and {kind})");
                }
            }
        }
        return columns;
    }
}
