namespace Athomic.Scheduler.InMemory;

/// <summary>A sorted set of ids by score (ties by insertion order), like a Redis zset. Not thread-safe.</summary>
internal sealed class ScoredSet
{
    private readonly SortedSet<(long Score, long Seq, string Id)> _order = new();
    private readonly Dictionary<string, (long Score, long Seq)> _index = new(StringComparer.Ordinal);
    private long _seq;

    public int Count => _index.Count;

    public void Set(string id, long score)
    {
        Remove(id);
        var seq = _seq++;
        _index[id] = (score, seq);
        _order.Add((score, seq, id));
    }

    public bool Remove(string id)
    {
        if (!_index.Remove(id, out var entry))
        {
            return false;
        }

        _order.Remove((entry.Score, entry.Seq, id));
        return true;
    }

    public bool TryGetScore(string id, out long score)
    {
        var found = _index.TryGetValue(id, out var entry);
        score = entry.Score;
        return found;
    }

    public bool TryPeek(out string id, out long score)
    {
        if (_order.Count == 0)
        {
            id = string.Empty;
            score = 0;
            return false;
        }

        var min = _order.Min;
        id = min.Id;
        score = min.Score;
        return true;
    }

    /// <summary>
    /// The entries with a score of at least <paramref name="fromScore"/> in ascending (score, id) order, ids by their
    /// UTF-8 bytes (a Redis sorted set's order; ties are sorted per score as they are enumerated).
    /// </summary>
    public IEnumerable<(string Id, long Score)> From(long fromScore)
    {
        if (_order.Count == 0 || _order.Max.Score < fromScore)
        {
            yield break;
        }

        var ties = new List<string>();
        long current = 0;
        foreach (var (score, _, id) in _order.GetViewBetween((fromScore, long.MinValue, string.Empty), _order.Max))
        {
            if (ties.Count > 0 && score != current)
            {
                foreach (var tie in Sorted(ties))
                {
                    yield return (tie, current);
                }

                ties.Clear();
            }

            current = score;
            ties.Add(id);
        }

        foreach (var tie in Sorted(ties))
        {
            yield return (tie, current);
        }

        static List<string> Sorted(List<string> ids)
        {
            ids.Sort(Storage.TaskPosition.CompareIds);
            return ids;
        }
    }

    public IEnumerable<(string Id, long Score)> Lowest(int count)
    {
        foreach (var (score, _, id) in _order)
        {
            if (count-- <= 0)
            {
                yield break;
            }

            yield return (id, score);
        }
    }
}
