// Opens the lesson's two pins, real or simulated, and turns a hardware
// error at start into one clear sentence instead of a stack trace.
import { existsSync } from 'node:fs';
import os from 'node:os';
import { findGpioBase, physicalPin, pinsFromEnv, SYSFS_GPIO, type GpioBase } from './gpio-base';
import { gpioAccessible, onoffPin, simulatedPin, type Bit, type Pin, type PinFactory, type PinRequest } from './pins';

export interface HardwareOptions {
  /** Force simulated pins (true) or real ones (false). Default: SIMULATE=1, or when onoff cannot reach the GPIOs. */
  simulate?: boolean;
  /** Debounce for the sensor, in ms (default 10). */
  debounceMs?: number;
  /** Where the kernel's GPIO folder is (tests use a fake one). */
  sysfsRoot?: string;
  /** Reads SENSOR_PIN, LED_PIN, GPIO_BASE and SIMULATE from here. */
  env?: NodeJS.ProcessEnv;
  /** Makes the pins (tests pass their own). */
  pinFactory?: PinFactory;
}

export interface Hardware {
  sensor: Pin;
  led: Pin;
  requests: { sensor: PinRequest; led: PinRequest };
  /** The levels when the pins were opened. */
  initial: { sensor: Bit; led: Bit };
  simulated: boolean;
  /** Lines for the terminal: which pins, and real or simulated. */
  notes: string[];
  release(): void;
}

export function openHardware(options: HardwareOptions = {}): Hardware {
  const { debounceMs = 10, sysfsRoot = SYSFS_GPIO, env = process.env } = options;
  const numbers = pinsFromEnv(env);
  const base = findGpioBase(sysfsRoot, env);
  const whyNot = options.pinFactory || options.simulate === false ? undefined : whySimulated(options.simulate, env, sysfsRoot);
  const factory = options.pinFactory ?? (whyNot ? simulatedPin : onoffPin);
  const request = (pin: number, direction: 'in' | 'out'): PinRequest => ({ pin, sysfs: base.base + pin, direction, debounceMs });
  const requests = { sensor: request(numbers.sensor, 'in'), led: request(numbers.led, 'out') };

  const opened: Pin[] = [];
  const open = (role: Role, req: PinRequest) => {
    try {
      const pin = factory(req);
      opened.push(pin);
      return { pin, value: pin.read() };
    } catch (err) {
      releaseAll(opened);
      throw new Error(explainPinError(err, role, req, base));
    }
  };
  const sensor = open(SENSOR, requests.sensor);
  const led = open(LED, requests.led);

  const simulated = typeof sensor.pin.simulate === 'function';
  const notes = simulated
    ? [`Simulated pins: ${whyNot ?? 'made by the caller'}.`]
    : [`Real pins, numbered from base ${base.base} (${base.from}):`];
  notes.push(`  sensor ${describe(requests.sensor, simulated)}`, `  LED    ${describe(requests.led, simulated)}`);

  return {
    sensor: sensor.pin,
    led: led.pin,
    requests,
    initial: { sensor: sensor.value, led: led.value },
    simulated,
    notes,
    release: () => releaseAll(opened),
  };
}

/** Why the pins will be simulated, or undefined when they can be real. */
function whySimulated(simulate: boolean | undefined, env: NodeJS.ProcessEnv, sysfsRoot: string): string | undefined {
  if (simulate) return 'asked for by the caller';
  if (env.SIMULATE === '1') return 'SIMULATE=1';
  if (gpioAccessible()) return undefined;
  if (os.type() !== 'Linux') return `no GPIO on ${os.type()}`;
  if (!existsSync(sysfsRoot)) return `no GPIO on this computer (no ${sysfsRoot})`;
  return `cannot write ${sysfsRoot}/export (on a Pi: is your user in the gpio group?)`;
}

interface Role {
  name: string;
  variable: string;
}
const SENSOR: Role = { name: 'sensor', variable: 'SENSOR_PIN' };
const LED: Role = { name: 'LED', variable: 'LED_PIN' };

function describe(req: PinRequest, simulated: boolean): string {
  const text = `GPIO ${req.pin} (physical pin ${physicalPin(req.pin)})`;
  return simulated ? text : `${text} = ${SYSFS_GPIO}/gpio${req.sysfs}`;
}

/** One sentence naming the pin and the likely cause. */
export function explainPinError(err: unknown, role: Role, req: PinRequest, base: GpioBase): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  const where = `Cannot use the ${role.name} on GPIO ${req.pin} (physical pin ${physicalPin(req.pin)}, sysfs number ${req.sysfs})`;
  switch (code) {
    case 'EACCES':
    case 'EPERM':
      return `${where}: permission denied. Add your user to the gpio group (sudo usermod -aG gpio $USER), then log out and in again.`;
    case 'EBUSY':
      return `${where}: the pin is busy. Another program or a kernel driver (1-Wire, I2C, SPI, an overlay in config.txt) has it. Stop that, or choose another pin: ${role.variable}=…`;
    case 'EINVAL':
    case 'ENOENT':
      return (
        `${where}: the kernel has no GPIO ${req.sysfs}. Newer kernels number GPIOs from a chip base (512 on a Pi 4, 571 on a Pi 5); ` +
        `this server used base ${base.base} (${base.from}). See /sys/class/gpio/gpiochip*/base and label, and set GPIO_BASE if it is wrong.`
      );
    default:
      return `${where}: ${err instanceof Error ? err.message : String(err)}`;
  }
}

function releaseAll(pins: Pin[]): void {
  for (const pin of pins.splice(0)) {
    try {
      pin.release();
    } catch (err) {
      console.error(`could not release a pin: ${(err as Error).message}`);
    }
  }
}
