// The time-series chart of one metric, drawn with uPlot (bundled into app.js).
import uPlot from 'uplot';

export interface ChartPoint {
  /** Milliseconds since the epoch. */
  readonly time: number;
  readonly value: number;
}

export interface ChartOptions {
  readonly label: string;
  readonly unit?: string | undefined;
}

/** Sorted [seconds[], values[]] columns as uPlot wants them; duplicate timestamps keep the last value. */
export function toColumns(points: readonly ChartPoint[]): [number[], number[]] {
  const sorted = [...points].filter((p) => Number.isFinite(p.time) && Number.isFinite(p.value)).sort((a, b) => a.time - b.time);
  const xs: number[] = [];
  const ys: number[] = [];
  for (const point of sorted) {
    const x = point.time / 1000;
    if (xs.length > 0 && xs[xs.length - 1] === x) {
      ys[ys.length - 1] = point.value;
    } else {
      xs.push(x);
      ys.push(point.value);
    }
  }
  return [xs, ys];
}

/**
 * uPlot widens the time axis of a single reading to about 1000 days; show the few minutes around
 * it instead.
 */
function singlePointRange(plot: uPlot, min: number, max: number): uPlot.Range.MinMax {
  const xs = plot.data[0];
  const only = xs.length === 1 ? xs[0] : undefined;
  return only === undefined ? [min, max] : [only - 300, only + 60];
}

function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value === '' ? fallback : value;
}

/** A live chart in `container`; call `setPoints` to redraw, `destroy` when the view closes. */
export class TimeSeriesChart {
  readonly #container: HTMLElement;
  readonly #plot: uPlot;
  readonly #resize: ResizeObserver;

  constructor(container: HTMLElement, points: readonly ChartPoint[], options: ChartOptions) {
    this.#container = container;
    const seriesLabel = options.unit ? `${options.label} (${options.unit})` : options.label;
    const text = cssVar('--text', '#1b2430');
    const grid = cssVar('--border', '#d5dbe2');
    const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const opts: uPlot.Options = {
      width: this.#width(),
      height: 280,
      scales: { x: { time: true, range: singlePointRange } },
      axes: [axis, { ...axis, size: 60 }],
      hooks: {
        // The time span shown, on the element (for tests and tools).
        setScale: [
          (plot, key) => {
            const { min, max } = plot.scales.x ?? {};
            if (key === 'x' && typeof min === 'number' && typeof max === 'number') {
              container.dataset['xFrom'] = new Date(min * 1000).toISOString();
              container.dataset['xTo'] = new Date(max * 1000).toISOString();
            }
          },
        ],
      },
      series: [{ label: 'Time' }, { label: seriesLabel, stroke: cssVar('--accent', '#1f5fbf'), width: 2, points: { show: true, size: 5 } }],
    };
    this.#plot = new uPlot(opts, toColumns(points), container);
    this.#resize = new ResizeObserver(() => {
      this.#plot.setSize({ width: this.#width(), height: 280 });
    });
    this.#resize.observe(container);
  }

  /** Number of points drawn (for tests and the accessible summary). */
  get pointCount(): number {
    return this.#plot.data[0].length;
  }

  setPoints(points: readonly ChartPoint[]): void {
    this.#plot.setData(toColumns(points));
  }

  destroy(): void {
    this.#resize.disconnect();
    this.#plot.destroy();
  }

  #width(): number {
    return Math.max(240, Math.floor(this.#container.clientWidth || 600));
  }
}
