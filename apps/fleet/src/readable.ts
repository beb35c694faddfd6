// Names and values in words for people (API answers, live events, the dashboard). ThinQ metrics and
// values go through @x/thinq's display layer (`airConJobMode.currentJobMode` → "Mode",
// `@AC_MAIN_OPERATION_MODE_COOL_W` → "Cool"); ComAp and Device Cloud already name their values for
// people, so theirs are shown as they are. The raw metric and value stay beside the words.
import { displayProperty, displayValue } from '@x/thinq';
import type { Device, LastValue, Reading, ReadingValue, Vendor } from './model.js';

/** The vendor of a fleet device id (`<vendor>:<vendorId>`). */
function vendorOf(deviceId: string): string {
  return deviceId.slice(0, deviceId.indexOf(':'));
}

/** A metric's name in words; undefined when the metric already is its name. */
export function metricLabel(vendor: string, metric: string): string | undefined {
  if (vendor !== 'thinq' || metric === '') return undefined;
  // A v1 model's value name (`TempCur`, `Remain_Time_M`) has no dot; Connect's are resource.property.
  const words = displayProperty(metric);
  return words === metric ? undefined : words;
}

/** A value in words; undefined when the page's own formatting (number + unit) says it as well. */
export function valueText(vendor: string, metric: string, value: ReadingValue, unit: string | null): string | undefined {
  if (vendor !== 'thinq') return undefined;
  if (typeof value === 'number') {
    // Temperatures get their degree sign; other numbers are formatted by the page.
    const text = displayValue(value, { property: metric, ...(unit === 'C' || unit === 'F' ? { unit } : {}) });
    return text === String(value) ? undefined : text;
  }
  return displayValue(value, { property: metric });
}

function lastValueWithText(vendor: Vendor, metric: string, last: LastValue): LastValue {
  const text = valueText(vendor, metric, last.value, last.unit);
  return text === undefined ? last : { ...last, text };
}

/** The device with `labels` (metric → words) and each last value's `text`, where words differ from the raw form. */
export function readableDevice(device: Device): Device {
  if (device.vendor !== 'thinq') return device;
  const labels: Record<string, string> = {};
  const lastValues: Record<string, LastValue> = {};
  for (const [metric, last] of Object.entries(device.lastValues)) {
    const label = metricLabel(device.vendor, metric);
    if (label !== undefined) labels[metric] = label;
    lastValues[metric] = lastValueWithText(device.vendor, metric, last);
  }
  for (const command of device.commands) {
    const label = metricLabel(device.vendor, command.name);
    if (label !== undefined) labels[command.name] ??= label;
  }
  return { ...device, labels, lastValues };
}

/** A reading event with its `label` and `text` in words, where they differ from the raw form. */
export function readableReading(reading: Reading): Reading {
  const vendor = vendorOf(reading.deviceId);
  const label = metricLabel(vendor, reading.metric);
  const text = valueText(vendor, reading.metric, reading.value, reading.unit);
  if (label === undefined && text === undefined) return reading;
  return { ...reading, ...(label === undefined ? {} : { label }), ...(text === undefined ? {} : { text }) };
}
