import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { V1Client } from './client.js';
import { V1AirConditioner, V1Refrigerator } from './devices.js';
import { startThinqSimulator, type ThinqSimulator } from '../testing/simulator.js';

describe('v1 device controls (wideq ACDevice / RefrigeratorDevice)', () => {
  let sim: ThinqSimulator;
  let client: V1Client;
  beforeAll(async () => {
    sim = await startThinqSimulator({ mqtt: false });
    client = new V1Client({ gatewayUrl: sim.gatewayUrl });
    await client.completeLogin((await fetch(await client.loginUrl(), { redirect: 'manual' })).headers.get('location') ?? '');
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
  });

  it('controls the air conditioner', async () => {
    const ac = await V1AirConditioner.open(client, 'Living room AC');
    const status = sim.v1.device('sim-ac-0001').status;
    await ac.setCelsius(19);
    expect(status.TempCfg).toBe('19');
    await ac.setFahrenheit(75);
    expect(status.TempCfg).toBe('24');
    await ac.setMode('HEAT');
    await ac.setFanSpeed('HIGH');
    await ac.setHorizontalSwing('2');
    await ac.setVerticalSwing('OFF');
    expect(status).toMatchObject({ OpMode: '4', WindStrength: '6', WDirHStep: '2', WDirVStep: '0' });
    // wideq names: ALL is the model label @100, LEFT_HALF @13.
    await ac.setHorizontalSwing('LEFT_HALF');
    await ac.setVerticalSwing('ALL');
    expect(status).toMatchObject({ WDirHStep: '13', WDirVStep: '100' });
    await expect(ac.setVerticalSwing('LEFT_HALF')).rejects.toThrow(RangeError);
    await ac.setOn(false);
    expect(status.Operation).toBe('0');
    await ac.setOn(true);
    expect(status.Operation).toBe('3');
    await expect(ac.setMode('TURBO')).rejects.toThrow('OpMode: this model does not support @AC_MAIN_OPERATION_MODE_TURBO_W');
    await expect(ac.setCelsius(35)).rejects.toThrow(RangeError);
    await expect(ac.setFahrenheit(100)).rejects.toThrow(RangeError);
    await expect(ac.setCelsius(Number.NaN)).rejects.toThrow(TypeError);
  });

  it('reads AC config and controls, with wideq fallbacks', async () => {
    const ac = await V1AirConditioner.open(client, 'sim-ac-0001');
    expect(await ac.filterState()).toEqual({ FilterUse: '1200', FilterLife: '4000' });
    expect(await ac.energyTarget()).toBe(150);
    expect(await ac.outdoorPower()).toBe(0); // the model has no meter: 9000 → 0
    await expect(ac.power()).rejects.toMatchObject({ name: 'MalformedResponseError' });
    expect(await ac.light()).toBe(true);
    expect(await ac.volume()).toBe(3);
    const controls = sim.v1.device('sim-ac-0001').controls;
    controls.DisplayControl = '1';
    expect(await ac.light()).toBe(false);
    delete controls.DisplayControl;
    delete controls.SpkVolume;
    expect(await ac.light()).toBe(true);
    expect(await ac.volume()).toBe(0);
  });

  it('sets refrigerator temperatures by their model codes', async () => {
    const fridge = await V1Refrigerator.open(client, 'Fridge');
    await fridge.setTempRefrigeratorC(3);
    await fridge.setTempFreezerC(-20);
    expect(sim.v1.device('sim-fridge-0001').status).toMatchObject({ TempRefrigerator: '5', TempFreezer: '7' });
    expect(sim.v1.stats.controls.slice(-2)).toMatchObject([{ value: { RETM: '5' } }, { value: { REFT: '7' } }]);
    await expect(fridge.setTempRefrigeratorC(12)).rejects.toThrow(RangeError);
  });
});
