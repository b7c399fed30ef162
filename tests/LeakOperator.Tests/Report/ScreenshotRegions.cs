using StbImageSharp;

namespace LeakOperator.Tests.Report;

/// <summary>A rectangle of a screenshot, in pixels.</summary>
internal readonly record struct Region(int Left, int Top, int Right, int Bottom)
{
    public int Width => Right - Left + 1;

    public int Height => Bottom - Top + 1;

    public bool Near(Region other, int gap) =>
        Left - gap <= other.Right && other.Left - gap <= Right && Top - gap <= other.Bottom && other.Top - gap <= Bottom;

    public Region Union(Region other) =>
        new(Math.Min(Left, other.Left), Math.Min(Top, other.Top), Math.Max(Right, other.Right), Math.Max(Bottom, other.Bottom));
}

/// <summary>Reads a PNG screenshot: where the charts' plot areas are, and which colours are drawn inside them.</summary>
internal sealed class ScreenshotRegions
{
    private readonly ImageResult _image;

    private ScreenshotRegions(ImageResult image) => _image = image;

    public int Width => _image.Width;

    public static ScreenshotRegions Load(string png)
    {
        using var stream = File.OpenRead(png);
        return new ScreenshotRegions(ImageResult.FromStream(stream, ColorComponents.RedGreenBlue));
    }

    /// <summary>
    /// The areas filled with <paramref name="fill"/> (the plot background), at least <paramref name="minSide"/> pixels
    /// each way. Gridlines and the lines drawn on top cut a plot area into cells; cells closer than a few pixels are
    /// one area (charts stand tens of pixels apart, behind their axes and labels).
    /// </summary>
    public IReadOnlyList<Region> AreasFilledWith((byte R, byte G, byte B) fill, int minSide)
    {
        int w = _image.Width, h = _image.Height;
        var seen = new bool[w * h];
        var cells = new List<Region>();
        var stack = new Stack<int>();
        for (int start = 0; start < w * h; start++)
        {
            if (seen[start] || !Is(start, fill, 0))
            {
                continue;
            }

            var cell = new Region(start % w, start / w, start % w, start / w);
            seen[start] = true;
            stack.Push(start);
            while (stack.TryPop(out int at))
            {
                int x = at % w, y = at / w;
                cell = cell.Union(new Region(x, y, x, y));
                foreach (int next in new[] { x > 0 ? at - 1 : -1, x < w - 1 ? at + 1 : -1, y > 0 ? at - w : -1, y < h - 1 ? at + w : -1 })
                {
                    if (next >= 0 && !seen[next] && Is(next, fill, 0))
                    {
                        seen[next] = true;
                        stack.Push(next);
                    }
                }
            }

            cells.Add(cell);
        }

        return [.. Merge(cells, gap: 8).Where(r => r.Width >= minSide && r.Height >= minSide).OrderBy(r => r.Top).ThenBy(r => r.Left)];
    }

    /// <summary>How many pixels inside <paramref name="area"/> are within <paramref name="tolerance"/> of <paramref name="colour"/>.</summary>
    public int Count(Region area, (byte R, byte G, byte B) colour, int tolerance = 24)
    {
        int count = 0;
        for (int y = area.Top; y <= area.Bottom; y++)
        {
            for (int x = area.Left; x <= area.Right; x++)
            {
                if (Is((y * _image.Width) + x, colour, tolerance))
                {
                    count++;
                }
            }
        }

        return count;
    }

    private bool Is(int pixel, (byte R, byte G, byte B) colour, int tolerance)
    {
        var data = _image.Data;
        int i = pixel * 3;
        return Math.Abs(data[i] - colour.R) <= tolerance && Math.Abs(data[i + 1] - colour.G) <= tolerance && Math.Abs(data[i + 2] - colour.B) <= tolerance;
    }

    private static List<Region> Merge(List<Region> cells, int gap)
    {
        var merged = new List<Region>(cells);
        bool changed = true;
        while (changed)
        {
            changed = false;
            for (int i = 0; i < merged.Count && !changed; i++)
            {
                for (int j = i + 1; j < merged.Count; j++)
                {
                    if (merged[i].Near(merged[j], gap))
                    {
                        merged[i] = merged[i].Union(merged[j]);
                        merged.RemoveAt(j);
                        changed = true;
                        break;
                    }
                }
            }
        }

        return merged;
    }
}
