using System.Globalization;

namespace LeakOperator.TestSupport;

/// <summary>One /metrics scrape, read the way PromQL would: sums over series and quantiles from histogram buckets.</summary>
public sealed class Scrape(string text)
{
    private readonly (string Series, double Value)[] _lines = [.. text.Split('\n')
        .Where(line => line.Length > 0 && line[0] != '#')
        .Select(line => (Series: line[..line.LastIndexOf(' ')], Value: ParseValue(line[(line.LastIndexOf(' ') + 1)..])))];

    /// <summary>The value of one series, written exactly as exposed (<c>name{labels}</c>); null when it is absent.</summary>
    public double? Value(string series)
    {
        foreach (var (name, value) in _lines)
        {
            if (name == series)
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>The sum of every series of <paramref name="metric"/> whose labels contain all of <paramref name="labels"/>.</summary>
    public double Sum(string metric, params string[] labels) =>
        _lines.Where(l => Matches(l.Series, metric, labels)).Sum(l => l.Value);

    /// <summary>The label sets of every series of <paramref name="metric"/>, as "name=\"value\"" lists joined by commas.</summary>
    public IEnumerable<string> Series(string metric) =>
        _lines.Where(l => l.Series.StartsWith(metric + "{", StringComparison.Ordinal)).Select(l => l.Series[(metric.Length + 1)..^1]);

    /// <summary>Cumulative histogram buckets (upper bound, count) of <paramref name="metric"/>, summed over matching series.</summary>
    public SortedDictionary<double, double> Buckets(string metric, params string[] labels)
    {
        var buckets = new SortedDictionary<double, double>();
        foreach (var (series, value) in _lines.Where(l => Matches(l.Series, metric + "_bucket", labels)))
        {
            int at = series.IndexOf("le=\"", StringComparison.Ordinal) + 4;
            string le = series[at..series.IndexOf('"', at)];
            double bound = le == "+Inf" ? double.PositiveInfinity : double.Parse(le, CultureInfo.InvariantCulture);
            buckets[bound] = buckets.GetValueOrDefault(bound) + value;
        }

        return buckets;
    }

    /// <summary>
    /// histogram_quantile(q, increase(metric_bucket[...])) from <paramref name="before"/> to this scrape, over the
    /// series whose labels contain all of <paramref name="labels"/>.
    /// </summary>
    public double QuantileSince(Scrape before, double q, string metric, params string[] labels) =>
        Quantile(q, before.Buckets(metric, labels), Buckets(metric, labels));

    /// <summary>histogram_quantile over the increase between two scrapes: linear inside the bucket, as Prometheus does.</summary>
    private static double Quantile(double q, SortedDictionary<double, double> before, SortedDictionary<double, double> after)
    {
        var increase = after.Select(b => (Bound: b.Key, Count: b.Value - before.GetValueOrDefault(b.Key))).ToList();
        double total = increase.Count == 0 ? 0 : increase[^1].Count;
        if (total <= 0)
        {
            return double.NaN;
        }

        double rank = q * total;
        double lowerBound = 0;
        double lowerCount = 0;
        foreach (var (bound, count) in increase)
        {
            if (count >= rank)
            {
                return double.IsPositiveInfinity(bound) ? lowerBound : lowerBound + ((bound - lowerBound) * (rank - lowerCount) / Math.Max(count - lowerCount, 1e-9));
            }

            (lowerBound, lowerCount) = (bound, count);
        }

        return lowerBound;
    }

    /// <summary>Exposition values, including the spellings Prometheus uses for infinities.</summary>
    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        _ => double.Parse(text, CultureInfo.InvariantCulture),
    };

    private static bool Matches(string series, string metric, string[] labels) =>
        (series == metric || series.StartsWith(metric + "{", StringComparison.Ordinal)) && labels.All(label => series.Contains(label, StringComparison.Ordinal));
}
