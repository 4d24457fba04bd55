import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { expect } from 'expect';
import { findGpioBase, physicalPin, pinsFromEnv } from '../../lessons/11-pi-gpio/gpio-base';
import { keyboardWanted, listenToKeyboard } from '../../lessons/11-pi-gpio/keyboard';
import { SimulatedPin, type PinRequest } from '../../lessons/11-pi-gpio/pins';
import { start } from '../../lessons/11-pi-gpio/server';
import { pause } from '../helpers';

/** Makes a fake /sys/class/gpio with the given chips, in a temp folder. */
function fakeSysfs(chips: Record<string, { label: string; base: string }>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'gpio-'));
  roots.push(root);
  writeFileSync(path.join(root, 'export'), '');
  for (const [name, { label, base }] of Object.entries(chips)) {
    mkdirSync(path.join(root, name));
    writeFileSync(path.join(root, name, 'label'), `${label}\n`);
    writeFileSync(path.join(root, name, 'base'), `${base}\n`);
  }
  return root;
}
const roots: string[] = [];
after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

const pi4 = { gpiochip512: { label: 'pinctrl-bcm2711', base: '512' }, gpiochip570: { label: 'raspberrypi-exp-gpio', base: '570' } };
const pi5 = {
  gpiochip512: { label: 'gpio-brcmstb@107d508500', base: '512' },
  gpiochip544: { label: 'gpio-brcmstb@107d517c00', base: '544' },
  gpiochip571: { label: 'pinctrl-rp1', base: '571' },
};
const legacy = { gpiochip0: { label: 'pinctrl-bcm2835', base: '0' }, gpiochip504: { label: 'raspberrypi-exp-gpio', base: '504' } };

describe('11 pi gpio: the sysfs base', () => {
  it('finds 512 on a Pi 4 with a newer kernel', () => {
    expect(findGpioBase(fakeSysfs(pi4), {})).toEqual({ base: 512, from: 'gpiochip512 (pinctrl-bcm2711)' });
  });

  it('finds 571 on a Pi 5 (the RP1 chip, not the others)', () => {
    expect(findGpioBase(fakeSysfs(pi5), {})).toEqual({ base: 571, from: 'gpiochip571 (pinctrl-rp1)' });
  });

  it('finds 0 with an older kernel', () => {
    expect(findGpioBase(fakeSysfs(legacy), {})).toEqual({ base: 0, from: 'gpiochip0 (pinctrl-bcm2835)' });
  });

  it('uses 0 where there is no gpio folder, or no Pi chip in it', () => {
    const missing = path.join(tmpdir(), 'no-such-gpio-folder');
    expect(findGpioBase(missing, {})).toEqual({ base: 0, from: `no ${missing} here` });
    const other = fakeSysfs({ gpiochip0: { label: 'some-other-board', base: '0' } });
    expect(findGpioBase(other, {}).from).toMatch(/^no Raspberry Pi GPIO chip in /);
    const garbled = fakeSysfs({ gpiochip512: { label: 'pinctrl-bcm2711', base: 'lots' } });
    expect(findGpioBase(garbled, {}).base).toBe(0);
  });

  it('lets GPIO_BASE override what it finds', () => {
    expect(findGpioBase(fakeSysfs(pi4), { GPIO_BASE: '600' })).toEqual({ base: 600, from: 'GPIO_BASE' });
    expect(findGpioBase(fakeSysfs(pi4), { GPIO_BASE: '0' })).toEqual({ base: 0, from: 'GPIO_BASE' });
    expect(findGpioBase(fakeSysfs(pi4), { GPIO_BASE: '' }).base).toBe(512); // empty: not set
    for (const bad of ['abc', '-1', '5.5', '1e3']) {
      expect(() => findGpioBase(fakeSysfs(pi4), { GPIO_BASE: bad })).toThrow(`GPIO_BASE must be a whole number, not "${bad}"`);
    }
  });

  it('adds the base to the pin numbers the server asks for', async () => {
    const requests: PinRequest[] = [];
    const lesson = await start({
      port: 0,
      env: {},
      sysfsRoot: fakeSysfs(pi5),
      pinFactory: (request) => {
        requests.push(request);
        return new SimulatedPin(request);
      },
    });
    await lesson.close();
    expect(requests.map(({ pin, sysfs }) => [pin, sysfs])).toEqual(
      expect.arrayContaining([
        [21, 592],
        [17, 588],
      ]),
    );
  });
});

describe('11 pi gpio: pin numbers', () => {
  it('reads SENSOR_PIN and LED_PIN, defaulting to 21 and 17', () => {
    expect(pinsFromEnv({})).toMatchObject({ sensor: 21, led: 17 });
    expect(pinsFromEnv({ SENSOR_PIN: '4', LED_PIN: '' })).toMatchObject({ sensor: 4, led: 17 });
    for (const bad of ['28', '-1', '4.5', 'GPIO4', ' ']) {
      expect(() => pinsFromEnv({ SENSOR_PIN: bad })).toThrow(/^SENSOR_PIN must be a GPIO number from 0 to 27/);
    }
    expect(() => pinsFromEnv({ SENSOR_PIN: '17' })).toThrow('SENSOR_PIN and LED_PIN must be different pins, not both 17');
  });

  it('knows the physical pin of each GPIO', () => {
    expect([physicalPin(17), physicalPin(21), physicalPin(2), physicalPin(27)]).toEqual([11, 40, 3, 13]);
  });
});

describe('11 pi gpio: simulated pins', () => {
  const request = (direction: 'in' | 'out', debounceMs = 0): PinRequest => ({ pin: 21, sysfs: 21, direction, debounceMs });

  it('calls watchers with the settled level, the debounce time after a change', async () => {
    const pin = new SimulatedPin(request('in', 20));
    const heard: number[] = [];
    pin.watch((err, value) => heard.push(value));
    pin.simulate(1);
    pin.simulate(0);
    pin.simulate(1);
    expect(pin.read()).toBe(1); // the level itself changes at once
    await pause(10);
    expect(heard).toEqual([]);
    await pause(30);
    expect(heard).toEqual([1]);
  });

  it('is not kept quiet by a flood of changes: it reports at most the debounce time after the first', async () => {
    const pin = new SimulatedPin(request('in', 20));
    const heard: number[] = [];
    pin.watch(() => heard.push(Date.now()));
    const began = Date.now();
    let level: 0 | 1 = 0;
    const flood = setInterval(() => pin.simulate((level = level === 1 ? 0 : 1)), 2); // faster than the debounce
    try {
      while (heard.length < 3 && Date.now() - began < 2000) await pause(5);
    } finally {
      clearInterval(flood);
    }
    // A restarted wait would report nothing until the flood ends; this one reports all along.
    expect(heard.length).toBe(3);
    const gaps = heard.map((at, i) => at - (heard[i - 1] ?? began));
    for (const gap of gaps) expect(gap).toBeLessThan(20 + 500); // the debounce, and a margin: timers fire late on a busy machine
    pin.release();
  });

  it('refuses writes to an input, and any use once released', () => {
    const input = new SimulatedPin(request('in'));
    expect(() => input.write(1)).toThrow(expect.objectContaining({ code: 'EPERM' }));
    const output = new SimulatedPin(request('out'));
    output.write(1);
    expect(output.read()).toBe(1);
    output.release();
    expect(() => output.read()).toThrow('released');
    expect(() => output.write(0)).toThrow('released');
  });

  it('stops calling watchers when released, even mid-debounce', async () => {
    const pin = new SimulatedPin(request('in', 5));
    const heard: number[] = [];
    pin.watch((err, value) => heard.push(value));
    pin.simulate(1);
    pin.release();
    pin.simulate(0);
    await pause(20);
    expect(heard).toEqual([]);
    expect([pin.watching, pin.released]).toEqual([false, true]);
  });
});

describe('11 pi gpio: the keyboard', () => {
  it('is not read when the tests load the lesson', () => {
    expect(keyboardWanted()).toBe(false);
  });

  it('hands over each line typed, until stopped', () => {
    const input = new PassThrough();
    const lines: string[] = [];
    const stop = listenToKeyboard((line) => lines.push(line), input as unknown as NodeJS.ReadStream);
    input.write('\n');
    input.write('s\r\n');
    input.write('a\nb\n');
    stop();
    input.write('\n');
    expect(lines).toEqual(['', 's', 'a', 'b']);
  });
});
