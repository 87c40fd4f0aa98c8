/**
 * A small SVG bar chart: one bar per item, optionally split in two stacked parts (e.g. show
 * and idle). Each bar has a <title> with its figures, and the chart is a labelled image whose
 * bars are listed for screen readers. No chart library: a few rectangles do.
 */
export interface Bar {
  label: string;
  value: number;
  /** The part of `value` drawn in the second colour (e.g. idle); at most `value`. */
  part?: number;
}

export function BarChart({
  title,
  bars,
  format,
  partLabel,
  valueLabel = 'total',
  height = 140,
  maxValue,
}: {
  title: string;
  bars: readonly Bar[];
  format(value: number): string;
  valueLabel?: string;
  partLabel?: string;
  height?: number;
  /** The top of the scale (e.g. 1 for shares); the largest value by default. */
  maxValue?: number;
}) {
  const width = Math.max(240, bars.length * 22);
  const top = Math.max(maxValue ?? 0, ...bars.map((bar) => bar.value), 0);
  const plot = height - 18;
  const slot = width / Math.max(1, bars.length);
  const barWidth = Math.max(2, Math.min(28, slot * 0.7));
  const scale = (value: number) => (top === 0 ? 0 : (value / top) * plot);
  const labelEvery = Math.max(1, Math.ceil(bars.length / 12));
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      {bars.length === 0 ? (
        <p className="muted">Nothing to show yet.</p>
      ) : (
        <svg
          role="img"
          aria-label={`${title}: ${bars.length} bars, highest ${format(top)}`}
          viewBox={`0 0 ${width} ${height}`}
          width="100%"
          height={height}
          preserveAspectRatio="none"
        >
          {bars.map((bar, index) => {
            const x = index * slot + (slot - barWidth) / 2;
            const whole = scale(bar.value);
            const part = scale(Math.min(bar.part ?? 0, bar.value));
            const text = `${bar.label}: ${format(bar.value)} ${valueLabel}${
              partLabel !== undefined && bar.part !== undefined
                ? `, ${format(bar.part)} ${partLabel}`
                : ''
            }`;
            return (
              <g key={`${bar.label}-${index}`} data-testid="bar" aria-label={text}>
                <title>{text}</title>
                <rect
                  className="chart-bar"
                  x={x}
                  y={plot - whole}
                  width={barWidth}
                  height={whole}
                />
                {part > 0 && (
                  <rect
                    className="chart-bar-part"
                    x={x}
                    y={plot - part}
                    width={barWidth}
                    height={part}
                  />
                )}
                {index % labelEvery === 0 && (
                  <text
                    className="chart-label"
                    x={x + barWidth / 2}
                    y={height - 4}
                    textAnchor="middle"
                  >
                    {bar.label}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
      )}
      {partLabel !== undefined && bars.length > 0 && (
        <div className="chart-legend muted">
          <span className="chart-key chart-key-whole" /> {valueLabel}{' '}
          <span className="chart-key chart-key-part" /> {partLabel}
        </div>
      )}
    </figure>
  );
}
