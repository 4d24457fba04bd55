// Lesson 13 keeps its messages and their clientOffsets in Redis, as UTF-8:
// a lone surrogate would come back as U+FFFD. Both are refused before the
// message is acknowledged.
import { expect } from 'expect';
import { checkMessage } from '../../shared/delivery'; // what lesson 13's chat checks createMessage with

describe('13 scale-out, well-formed text', () => {
  it('refuses lone surrogates in the text and in the clientOffset, and keeps pairs', () => {
    expect(checkMessage({ text: '\ud800'.repeat(500) })).toEqual({ ok: false, error: 'text must not contain lone surrogates (U+D800)' });
    expect(checkMessage({ text: 'hi', clientOffset: 'ann-\udc00' })).toEqual({
      ok: false,
      error: 'clientOffset must be a string of 1 to 64 characters',
    });
    expect(checkMessage({ text: 'hi \ud83d\ude00', clientOffset: 'ann-\ud83d\ude00' })).toEqual({
      ok: true,
      value: { text: 'hi 😀', clientOffset: 'ann-😀' },
    });
  });
});
