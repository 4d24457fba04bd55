// Hostile payloads: everything a buggy or curious client might send in place
// of a good request. Built from the good request, so every field gets its turn.

export interface Variant {
  label: string;
  args: unknown[];
}

/** Arrays nested `depth` levels deep, [[[...]]]: deep, yet only 2 bytes a level. */
export function nested(depth: number): unknown {
  let value: unknown = [];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** Replaces each string found in `value` (top level or one field down) with `replacement`. */
function eachString(value: unknown, replacement: unknown): unknown[] {
  if (typeof value === 'string') return [replacement];
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value)
      .filter(([, field]) => typeof field === 'string')
      .map(([key]) => ({ ...value, [key]: replacement }));
  }
  return [];
}

/**
 * The bad variants of a good request `good` (its payload arguments, without
 * the acknowledgement). `limit` is the longest string the event accepts.
 */
export function badVariants(good: unknown[], limit: number): Variant[] {
  const first = good[0];
  const variants: Variant[] = [
    { label: 'undefined', args: [undefined] },
    { label: 'null', args: [null] },
    { label: 'a number', args: [42] },
    { label: 'a huge number', args: [1e308] },
    { label: 'a boolean', args: [true] },
    { label: 'an empty array', args: [[]] },
    { label: 'an array', args: [[first, first]] },
    { label: 'an object with the wrong fields', args: [{ wrong: 'field', value: 99 }] },
    { label: 'arrays nested 300 deep', args: [nested(300)] },
    { label: 'objects nested 50 deep', args: [JSON.parse('{"a":'.repeat(50) + '1' + '}'.repeat(50))] },
    { label: 'a __proto__ key', args: [JSON.parse('{"__proto__": {"polluted": true}, "text": "hi"}')] },
    { label: 'a constructor key', args: [{ constructor: { prototype: { polluted: true } } }] },
    { label: 'extra arguments', args: [...good, 'extra', { more: true }] },
  ];
  if (good.length > 0) variants.push({ label: 'no arguments', args: [] });
  if (typeof first !== 'string') variants.push({ label: 'a string', args: ['hello'] });
  for (const [i, args] of eachString(first, 'x'.repeat(limit + 1)).entries()) {
    variants.push({ label: `a string just over ${limit} characters (#${i + 1})`, args: [args, ...good.slice(1)] });
  }
  for (const [i, args] of eachString(first, '   ').entries()) {
    variants.push({ label: `white space only (#${i + 1})`, args: [args, ...good.slice(1)] });
  }
  for (const [i, args] of eachString(first, 12345).entries()) {
    variants.push({ label: `a number where text belongs (#${i + 1})`, args: [args, ...good.slice(1)] });
  }
  // Characters a terminal obeys, and one that turns the text around on the page.
  for (const [i, args] of eachString(first, 'bell\u0007 and escape\u001b[2J').entries()) {
    variants.push({ label: `control characters (#${i + 1})`, args: [args, ...good.slice(1)] });
  }
  for (const [i, args] of eachString(first, '\u202edenioj sah').entries()) {
    variants.push({ label: `a right-to-left override (#${i + 1})`, args: [args, ...good.slice(1)] });
  }
  return variants;
}

/** A string of about `bytes` bytes: over any lesson's maxHttpBufferSize at 1 MB. */
export const huge = (bytes = 1_000_000) => 'x'.repeat(bytes);
