// Inputs for a command's parameters (from its CommandSpec: enum, number range, boolean, string)
// and reading them back as typed values.
import type { CommandParam, CommandSpec } from './api.js';
import { h } from './dom.js';

/** A labelled input for one parameter; `current` (the device's value now) is preselected when allowed. */
export function paramInput(param: CommandParam, id: string, current?: string | number | boolean): { field: HTMLElement } {
  const currentText = current === undefined ? undefined : String(current);
  // A lone `value` parameter (ThinQ properties) is named by its command's legend.
  const name = param.name === 'value' ? 'New value' : param.name;
  const label = param.unit ? `${name} (${param.unit})` : name;
  let control: HTMLElement;
  switch (param.type) {
    case 'enum':
      control = h(
        'select',
        { id, name: param.name, required: param.required !== false },
        ...(param.values ?? []).map((v) => h('option', { value: String(v), selected: currentText !== undefined && String(v).toLowerCase() === currentText.toLowerCase() }, param.valueLabels?.[String(v)] ?? String(v))),
      );
      break;
    case 'number':
      control = h('input', {
        id,
        name: param.name,
        type: 'number',
        inputmode: 'decimal',
        min: param.min,
        max: param.max,
        step: param.step ?? 'any',
        required: param.required !== false,
        value: currentText !== undefined && Number.isFinite(Number(currentText)) ? currentText : param.min,
      });
      break;
    case 'boolean':
      control = h('input', { id, name: param.name, type: 'checkbox', checked: current === true });
      break;
    case 'string':
      control = h('input', { id, name: param.name, type: 'text', required: param.required !== false, autocomplete: 'off' });
      break;
  }
  return { field: h('label', { class: param.type === 'boolean' ? 'control control-inline' : 'control', for: id }, label, control) };
}

/** The params object to send, typed per the spec; throws a RangeError naming a bad param. */
export function commandParams(spec: CommandSpec, form: HTMLFormElement): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const param of spec.params) {
    const element = form.elements.namedItem(param.name);
    if (element instanceof HTMLInputElement && param.type === 'boolean') {
      params[param.name] = element.checked;
      continue;
    }
    if (!(element instanceof HTMLInputElement || element instanceof HTMLSelectElement)) throw new RangeError(`${param.name}: no input for this parameter`);
    params[param.name] = parseParam(param, element.value);
  }
  return params;
}

/** One param's text as the typed value the API expects. */
export function parseParam(param: CommandParam, text: string): unknown {
  switch (param.type) {
    case 'number': {
      const value = Number(text);
      if (text.trim() === '' || !Number.isFinite(value)) throw new RangeError(`${param.name}: enter a number`);
      if (param.min !== undefined && value < param.min) throw new RangeError(`${param.name}: at least ${param.min}`);
      if (param.max !== undefined && value > param.max) throw new RangeError(`${param.name}: at most ${param.max}`);
      return value;
    }
    case 'enum': {
      // Keep the option's own type (some enums are numbers).
      const match = (param.values ?? []).find((v) => String(v) === text);
      if (match === undefined) throw new RangeError(`${param.name}: pick one of the listed values`);
      return match;
    }
    case 'boolean':
      return text === 'true' || text === 'on';
    case 'string':
      return text;
  }
}
