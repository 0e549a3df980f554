using Bitfuse.Benchmarks.Compare;
using Microsoft.Data.Sqlite;

namespace Bitfuse.Benchmarks.Suites;

/// <summary>
/// <c>commit-durable-N</c>: one thread making acknowledged durable commits of N values each, against SQLite as its
/// users run it for durable small transactions: WAL journal, <c>synchronous=FULL</c> (the WAL is synced at every
/// commit), a <c>(name, value)</c> primary key table <c>WITHOUT ROWID</c>, one prepared insert per value inside an
/// explicit transaction. Both sides append new rows in the same pattern (increasing ids, every other one, over eight
/// names), and both files live in the same folder on the same disk. The answers (what each side holds) are checked.
/// </summary>
public static class DatabaseCommitBench
{
    private const int Names = 8;

    /// <summary>Runs the three sizes.</summary>
    public static void Run(CompareContext context, DatabaseFixture fixture)
    {
        foreach (var size in new[] { 1, 100, 10_000 })
        {
            var folder = Path.Combine(fixture.Root, $"commit-{size}");
            Directory.CreateDirectory(folder);
            using var subject = new BitfuseSide(Path.Combine(folder, "bitfuse.bfdb"), size);
            using var sqlite = new SqliteSide(Path.Combine(folder, "sqlite.db"), size);
            for (var i = 0; i < 3; i++)
            {
                subject.Commit();
                sqlite.Commit();
            }
            subject.Check();
            sqlite.Check();
            using var floor = File.OpenHandle(Path.Combine(folder, "sync-floor"), FileMode.Create, FileAccess.ReadWrite);
            var record = new byte[Math.Min(4 * size + 64, 1 << 16)];
            var step = new byte[1 << 20];
            long floorAt = 0;
            long floorEnd = 0;
            void SyncFloor()
            {
                // What any durable commit pays at least on this disk: append a record of about the same size, sync.
                // The file runs ahead with written zeros in 1 MiB steps, as the database's log does, so the floor
                // has no more file-size changes to sync than the database.
                while (floorAt + record.Length > floorEnd)
                {
                    RandomAccess.Write(floor, step, floorEnd);
                    floorEnd += step.Length;
                }
                RandomAccess.Write(floor, record, floorAt);
                floorAt += record.Length;
                RandomAccess.FlushToDisk(floor);
            }
            context.Measure($"commit-durable-{size}", subject.Commit, [("sqlite", sqlite.Commit), ("sync-floor", SyncFloor)],
                note: $"ns per acknowledged durable commit of {size} values (inverse: commits per second); bitfuse: a write transaction, log write + fdatasync; sqlite: WAL, synchronous=FULL, WITHOUT ROWID primary key (name, value); sync-floor: a bare append + fsync of a similar record into a file preallocated with zeros like the log, the least a durable commit costs here");
            subject.Check();
            sqlite.Check();
        }
    }

    /// <summary>The values of commit <paramref name="commit"/>: <paramref name="size"/> new ids, every other one, after the previous commit's.</summary>
    private static void Values(long commit, int size, uint[] into)
    {
        var start = commit * size * 2L;
        for (var i = 0; i < size; i++)
        {
            into[i] = (uint)((start + (2L * i)) % uint.MaxValue);
        }
    }

    private sealed class BitfuseSide : IDisposable
    {
        private readonly Database _db;
        private readonly int _size;
        private readonly uint[] _values;
        private long _commits;

        public BitfuseSide(string path, int size)
        {
            _db = Database.Open(path);
            _size = size;
            _values = new uint[size];
        }

        public void Commit()
        {
            Values(_commits, _size, _values);
            using var tx = _db.BeginWrite();
            tx.Add($"n{_commits % Names}", _values);
            tx.Commit();
            _commits++;
        }

        public void Check()
        {
            using var snapshot = _db.Snapshot();
            var held = snapshot.Names.Sum(n => snapshot[n].Count);
            if (held != _commits * _size || snapshot.Lsn != _commits)
            {
                throw new InvalidOperationException($"bitfuse holds {held} values after {snapshot.Lsn} commits; {_commits * _size} were committed in {_commits}");
            }
        }

        public void Dispose() => _db.Dispose();
    }

    private sealed class SqliteSide : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _insert;
        private readonly SqliteParameter _name;
        private readonly SqliteParameter _value;
        private readonly int _size;
        private readonly uint[] _values;
        private long _commits;

        public SqliteSide(string path, int size)
        {
            _size = size;
            _values = new uint[size];
            _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
            _connection.Open();
            Execute("PRAGMA journal_mode=WAL");
            Execute("PRAGMA synchronous=FULL");
            Execute("CREATE TABLE bits (name TEXT NOT NULL, value INTEGER NOT NULL, PRIMARY KEY (name, value)) WITHOUT ROWID");
            _insert = _connection.CreateCommand();
            _insert.CommandText = "INSERT INTO bits (name, value) VALUES ($name, $value)";
            _name = _insert.Parameters.Add("$name", SqliteType.Text);
            _value = _insert.Parameters.Add("$value", SqliteType.Integer);
            _insert.Prepare();
        }

        public void Commit()
        {
            Values(_commits, _size, _values);
            using var tx = _connection.BeginTransaction();
            _insert.Transaction = tx;
            _name.Value = $"n{_commits % Names}";
            foreach (var v in _values)
            {
                _value.Value = (long)v;
                _insert.ExecuteNonQuery();
            }
            tx.Commit();
            _commits++;
        }

        public void Check()
        {
            using var count = _connection.CreateCommand();
            count.CommandText = "SELECT COUNT(*) FROM bits";
            var held = (long)count.ExecuteScalar()!;
            using var mode = _connection.CreateCommand();
            mode.CommandText = "PRAGMA journal_mode";
            var journal = (string)mode.ExecuteScalar()!;
            using var sync = _connection.CreateCommand();
            sync.CommandText = "PRAGMA synchronous";
            var synchronous = (long)sync.ExecuteScalar()!;
            if (held != _commits * _size || journal != "wal" || synchronous != 2)
            {
                throw new InvalidOperationException($"sqlite holds {held} rows after {_commits} commits of {_size} (journal {journal}, synchronous {synchronous})");
            }
        }

        public void Dispose()
        {
            _insert.Dispose();
            _connection.Dispose();
        }

        private void Execute(string sql)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }
    }
}
