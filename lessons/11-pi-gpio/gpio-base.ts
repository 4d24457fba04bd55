// Which pins to use, and the number the kernel knows each one by.
// Pins are named by their BCM number (GPIO 17, GPIO 21). The kernel's sysfs
// interface numbers them from its GPIO chip's base: 0 on older kernels, 512
// on a Pi 4 and 571 on a Pi 5 with newer Raspberry Pi OS. So GPIO 21 may be
// /sys/class/gpio/gpio533.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const SYSFS_GPIO = '/sys/class/gpio';

/** The labels of the chip that drives the 40-pin header, best first. */
const PI_CHIPS = ['pinctrl-rp1', 'pinctrl-bcm2711', 'pinctrl-bcm2835'];

export interface GpioBase {
  base: number;
  /** Where the base came from, for the terminal: "gpiochip512 (pinctrl-bcm2711)". */
  from: string;
}

/** Finds the base: GPIO_BASE if set, else the Pi's chip in `root`, else 0. */
export function findGpioBase(root = SYSFS_GPIO, env: NodeJS.ProcessEnv = process.env): GpioBase {
  if (env.GPIO_BASE !== undefined && env.GPIO_BASE !== '') {
    return { base: wholeNumber('GPIO_BASE', env.GPIO_BASE, 100_000), from: 'GPIO_BASE' };
  }
  let names: string[];
  try {
    names = readdirSync(root).filter((name) => /^gpiochip\d+$/.test(name));
  } catch {
    return { base: 0, from: `no ${root} here` };
  }
  const chips = names.map((name) => ({ name, label: readText(root, name, 'label'), base: readText(root, name, 'base') }));
  for (const label of PI_CHIPS) {
    const chip = chips.find((c) => c.label === label && /^\d+$/.test(c.base));
    if (chip) return { base: Number(chip.base), from: `${chip.name} (${chip.label})` };
  }
  return { base: 0, from: `no Raspberry Pi GPIO chip in ${root}` };
}

function readText(root: string, chip: string, file: string): string {
  try {
    return readFileSync(path.join(root, chip, file), 'utf8').trim();
  } catch {
    return ''; // unreadable: not the chip we want
  }
}

export interface PinNumbers {
  sensor: number;
  led: number;
}

/** Reads SENSOR_PIN and LED_PIN (BCM numbers; defaults 21 and 17). */
export function pinsFromEnv(env: NodeJS.ProcessEnv = process.env): PinNumbers {
  const sensor = wholeNumber('SENSOR_PIN', env.SENSOR_PIN || '21', 27);
  const led = wholeNumber('LED_PIN', env.LED_PIN || '17', 27);
  if (sensor === led) throw new Error(`SENSOR_PIN and LED_PIN must be different pins, not both ${led}`);
  return { sensor, led };
}

function wholeNumber(name: string, text: string, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || value > max) {
    const what = max === 27 ? 'a GPIO number from 0 to 27 (BCM numbering, as in "GPIO 21")' : 'a whole number';
    throw new Error(`${name} must be ${what}, not "${text}"`);
  }
  return value;
}

/** The physical pin on the 40-pin header for a BCM number, for messages. */
export function physicalPin(bcm: number): number | undefined {
  const header = [27, 28, 3, 5, 7, 29, 31, 26, 24, 21, 19, 23, 32, 33, 8, 10, 36, 11, 12, 35, 38, 40, 15, 16, 18, 22, 37, 13];
  return header[bcm];
}
