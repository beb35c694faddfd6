// The time-series chart of one metric, drawn with uPlot (bundled into app.js).
import uPlot from 'uplot';
import { timeLabels } from './format.js';

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

/** The time axis' font; its labels are measured with it. */
const AXIS_FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
/** Space between two neighbouring time labels (CSS px). */
const LABEL_GAP = 16;
/** Width of the widest label the time axis can draw ("00:00:00"), measured once. */
let widestLabel = 0;
function labelWidth(): number {
  if (widestLabel === 0) {
    const context = document.createElement('canvas').getContext('2d');
    if (context) context.font = AXIS_FONT;
    widestLabel = Math.ceil(context?.measureText('00:00:00').width ?? 60);
  }
  return widestLabel;
}

/**
 * Where the labels of the last draw went, in CSS px of the plot: [left, right, text] per label
 * (on the element as data-x-labels, for tests and tools).
 */
function labelBoxes(plot: uPlot, splits: readonly number[], labels: readonly string[]): Array<[number, number, string]> {
  const context = plot.ctx;
  context.save();
  context.font = AXIS_FONT;
  const boxes = splits.map((s, i): [number, number, string] => {
    const text = labels[i] ?? '';
    const width = Math.max(...text.split('\n').map((line) => context.measureText(line).width));
    const x = plot.valToPos(s, 'x') + plot.bbox.left / devicePixelRatio;
    return [Math.round((x - width / 2) * 10) / 10, Math.round((x + width / 2) * 10) / 10, text];
  });
  context.restore();
  return boxes;
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
    const axis = { stroke: text, font: AXIS_FONT, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    // Ticks at least one widest label plus a gap apart, so labels never overlap at any width.
    let drawn: { splits: number[]; labels: string[] } = { splits: [], labels: [] };
    const timeAxis: uPlot.Axis = {
      ...axis,
      space: () => labelWidth() + LABEL_GAP,
      size: 48,
      values: (_plot, splits, _axis, _space, increment) => {
        const labels = timeLabels(splits, increment);
        drawn = { splits, labels };
        return labels;
      },
    };
    const opts: uPlot.Options = {
      width: this.#width(),
      height: 280,
      scales: { x: { time: true, range: singlePointRange } },
      // Ticks fall on UTC minutes, hours and days, like the labels and every other time on the page.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      axes: [timeAxis, { ...axis, size: 60 }],
      hooks: {
        draw: [
          (plot) => {
            container.dataset['xLabels'] = JSON.stringify(labelBoxes(plot, drawn.splits, drawn.labels));
          },
        ],
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
