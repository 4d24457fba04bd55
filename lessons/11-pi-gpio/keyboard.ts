// The terminal as a second way to trigger the simulated sensor: each line
// typed (anything, or nothing, then Enter) is handed to `onLine`.
import path from 'node:path';
import type { Checked } from '../../shared/validation';
import type { Bit } from './events';

/**
 * True when a learner started this lesson from a terminal (npm start, or
 * server.ts directly), not when the tests or CI load it. Only then, and only
 * when stdin is a terminal, does the lesson read the keyboard.
 */
export function keyboardWanted(): boolean {
  const main = require.main?.filename ?? '';
  const byLearner = main === path.join(__dirname, 'server.ts') || main === path.join(__dirname, '..', '..', 'scripts', 'start.ts');
  return byLearner && process.stdin.isTTY === true;
}

/** Reads lines from stdin until the returned function is called. */
export function listenToKeyboard(onLine: (line: string) => void, input: NodeJS.ReadStream = process.stdin): () => void {
  // Line by line, not raw mode: Ctrl-C still stops the server.
  const onData = (chunk: Buffer | string) => {
    for (const line of String(chunk).split(/\r?\n/).slice(0, -1)) onLine(line.trim());
  };
  input.on('data', onData);
  input.resume();
  return () => {
    input.off('data', onData);
    input.pause(); // lets the process end
  };
}

/**
 * With simulated pins: says how to trigger the sensor, and, when `wanted`
 * (by default when keyboardWanted()), lets Enter call `toggle`. Returns what stops it.
 */
export function offerKeyboard(wanted: boolean | undefined, toggle: () => Checked<Bit>): () => void {
  if (!(wanted ?? keyboardWanted())) {
    console.log('Trigger the sensor with the button on the page.');
    return () => {};
  }
  console.log('Trigger the sensor with the button on the page, or press Enter here.');
  return listenToKeyboard(() => {
    const result = toggle();
    if (!result.ok) console.log(result.error);
  });
}
