import { isFailedRequestError as isFailedRequest, isInvalidRequestError as isInvalidRequest } from '../errors.js';
import type { ModelInfo } from '../model.js';
import { AC_HORIZONTAL_SWING, AC_VERTICAL_SWING } from '../status.js';
import type { V1Client } from './client.js';
import type { V1Device } from './device-list.js';
import type { CallOptions } from '@x/http-core';

function codeFor(model: ModelInfo, key: string, label: string): string {
  const code = model.enumValue(key, label);
  if (code === undefined) throw new RangeError(`${key}: this model does not support ${label}`);
  return code;
}

/** The model label of a swing step given by wideq name (`ALL` → `@100`) or by number (`2` → `@2`). */
function swingLabel(table: Readonly<Record<string, string>>, step: string): string {
  if (typeof step !== 'string' || step === '') throw new TypeError('step must be a non-empty string');
  const label = Object.hasOwn(table, step) ? table[step] : undefined;
  return label ?? `@${step}`;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Air-conditioner controls and reads of wideq's `ACDevice`, on a v1 client. */
export class V1AirConditioner {
  constructor(
    readonly client: V1Client,
    readonly device: V1Device,
    readonly model: ModelInfo,
  ) {}

  /** Finds the device (by id or alias) and loads its model. */
  static async open(client: V1Client, deviceId: string, options?: CallOptions): Promise<V1AirConditioner> {
    const device = await client.device(deviceId, options);
    return new V1AirConditioner(client, device, await client.modelInfo(device, options));
  }

  #set(key: string, value: unknown, options: CallOptions | undefined): Promise<void> {
    return this.client.setControl(this.device.deviceId, key, value, options);
  }

  /** Target temperature in °C (`TempCfg`), within the model's range. */
  async setCelsius(celsius: number, options?: CallOptions): Promise<void> {
    const v = this.model.hasValue('TempCfg') ? this.model.value('TempCfg') : undefined;
    if (typeof celsius !== 'number' || !Number.isFinite(celsius)) throw new TypeError('celsius must be a finite number');
    if (v?.type === 'range' && (celsius < v.min || celsius > v.max)) throw new RangeError(`celsius: must be in ${v.min}..${v.max}`);
    await this.#set('TempCfg', celsius, options);
  }

  /** Target temperature in °F, converted with the model's `TempFahToCel` table (as wideq does). */
  async setFahrenheit(fahrenheit: number, options?: CallOptions): Promise<void> {
    const table = this.model.hasValue('TempFahToCel') ? this.model.value('TempFahToCel') : undefined;
    const c = table?.type === 'enum' ? table.options[String(fahrenheit)] : undefined;
    if (c === undefined) throw new RangeError(`fahrenheit: ${fahrenheit} is not in this model's conversion table`);
    await this.setCelsius(Number(c), options);
  }

  /** Operation mode by name: `COOL`, `DRY`, `FAN`, `AI`, `HEAT`, `AIRCLEAN`, `ENERGY_SAVING`… */
  async setMode(mode: string, options?: CallOptions): Promise<void> {
    await this.#set('OpMode', codeFor(this.model, 'OpMode', `@AC_MAIN_OPERATION_MODE_${mode}_W`), options);
  }

  /** Fan speed by name: `LOW`, `MID`, `HIGH`, `AUTO`… */
  async setFanSpeed(speed: string, options?: CallOptions): Promise<void> {
    await this.#set('WindStrength', codeFor(this.model, 'WindStrength', `@AC_MAIN_WIND_STRENGTH_${speed}_W`), options);
  }

  /** Horizontal swing by wideq name: `OFF`, `ONE`…`FIVE`, `LEFT_HALF`, `RIGHT_HALF`, `ALL` (or a step number such as `2`). */
  async setHorizontalSwing(step: string, options?: CallOptions): Promise<void> {
    await this.#set('WDirHStep', codeFor(this.model, 'WDirHStep', swingLabel(AC_HORIZONTAL_SWING, step)), options);
  }

  /** Vertical swing by wideq name: `OFF`, `ONE`…`SIX`, `ALL` (or a step number such as `2`). */
  async setVerticalSwing(step: string, options?: CallOptions): Promise<void> {
    await this.#set('WDirVStep', codeFor(this.model, 'WDirVStep', swingLabel(AC_VERTICAL_SWING, step)), options);
  }

  /** Power: on uses `ALL_ON` when the model has it, else `RIGHT_ON` (wideq `set_on`). */
  async setOn(on: boolean, options?: CallOptions): Promise<void> {
    const label = !on
      ? '@AC_MAIN_OPERATION_OFF_W'
      : this.model.enumValue('Operation', '@AC_MAIN_OPERATION_ALL_ON_W') !== undefined
        ? '@AC_MAIN_OPERATION_ALL_ON_W'
        : '@AC_MAIN_OPERATION_RIGHT_ON_W';
    await this.#set('Operation', codeFor(this.model, 'Operation', label), options);
  }

  /** `Config` `Filter` (filter use and life). */
  filterState(options?: CallOptions): Promise<unknown> {
    return this.client.getConfig(this.device.deviceId, 'Filter', options);
  }

  /** Energy target (`EnergyDesiredValue`). */
  async energyTarget(options?: CallOptions): Promise<number> {
    const v = await this.client.getConfig(this.device.deviceId, 'EnergyDesiredValue', options);
    return Number(isRecord(v) ? v.EnergyDesiredValue : v);
  }

  async #power(key: 'OutTotalInstantPower' | 'InOutInstantPower', options: CallOptions | undefined): Promise<number> {
    try {
      const v = await this.client.getConfig(this.device.deviceId, key, options);
      return Number(isRecord(v) ? v[key] : v);
    } catch (err) {
      // Models without a power meter reject the key: wideq reports 0.
      if (isInvalidRequest(err)) return 0;
      throw err;
    }
  }

  /** Outdoor unit instant power in W (0 when the model has no meter). */
  outdoorPower(options?: CallOptions): Promise<number> {
    return this.#power('OutTotalInstantPower', options);
  }

  /** Indoor + outdoor instant power in W (0 when the model has no meter). */
  power(options?: CallOptions): Promise<number> {
    return this.#power('InOutInstantPower', options);
  }

  /** Display light: `DisplayControl` `"0"` means on; assumed on when the model refuses (wideq). */
  async light(options?: CallOptions): Promise<boolean> {
    try {
      return (await this.client.getControl(this.device.deviceId, 'DisplayControl', options)) === '0';
    } catch (err) {
      if (isFailedRequest(err)) return true;
      throw err;
    }
  }

  /** Speaker volume (`SpkVolume`), 0 when the model refuses. */
  async volume(options?: CallOptions): Promise<number> {
    try {
      return Number(await this.client.getControl(this.device.deviceId, 'SpkVolume', options));
    } catch (err) {
      if (isFailedRequest(err)) return 0;
      throw err;
    }
  }
}

/** Refrigerator temperature controls of wideq's `RefrigeratorDevice`. */
export class V1Refrigerator {
  constructor(
    readonly client: V1Client,
    readonly device: V1Device,
    readonly model: ModelInfo,
  ) {}

  /** Looks the device up and loads its model info (two calls); throws what `device()` and `modelInfo()` throw. */
  static async open(client: V1Client, deviceId: string, options?: CallOptions): Promise<V1Refrigerator> {
    const device = await client.device(deviceId, options);
    return new V1Refrigerator(client, device, await client.modelInfo(device, options));
  }

  /** Fridge temperature in °C: sent as `RETM` with the model's code for that temperature. */
  async setTempRefrigeratorC(celsius: number, options?: CallOptions): Promise<void> {
    await this.client.setControl(this.device.deviceId, 'RETM', codeFor(this.model, 'TempRefrigerator', String(celsius)), options);
  }

  /** Freezer temperature in °C: sent as `REFT`. */
  async setTempFreezerC(celsius: number, options?: CallOptions): Promise<void> {
    await this.client.setControl(this.device.deviceId, 'REFT', codeFor(this.model, 'TempFreezer', String(celsius)), options);
  }
}
