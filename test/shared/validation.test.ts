import { expect } from 'expect';
import {
  checkCoordinates,
  checkFields,
  checkMessagePayload,
  checkName,
  checkNumber,
  checkText,
  isRealString,
  MAX_TEXT_LENGTH,
} from '../../shared/validation';

describe('validation', () => {
  describe('isRealString', () => {
    it('accepts a string with something besides white space', () => {
      expect(isRealString('hi')).toBe(true);
      expect(isRealString('  hi  ')).toBe(true);
    });

    it('refuses empty and whitespace-only strings', () => {
      for (const value of ['', ' ', '   ', '\t\n', '\u00a0\u2003']) expect(isRealString(value)).toBe(false);
    });

    it('refuses what is not a string', () => {
      for (const value of [undefined, null, 0, 42, true, {}, [], ['hi'], new String('hi')]) {
        expect(isRealString(value)).toBe(false);
      }
    });
  });

  describe('checkText', () => {
    it('accepts text and trims it', () => {
      expect(checkText('  hello \n')).toEqual({ ok: true, value: 'hello' });
    });

    it('accepts exactly MAX_TEXT_LENGTH (500) characters, and refuses 501', () => {
      expect(MAX_TEXT_LENGTH).toBe(500);
      expect(checkText('a'.repeat(500))).toEqual({ ok: true, value: 'a'.repeat(500) });
      expect(checkText('a'.repeat(501))).toEqual({ ok: false, error: 'text must be at most 500 characters' });
    });

    it('measures the length after trimming', () => {
      expect(checkText(`   ${'a'.repeat(500)}   `)).toEqual({ ok: true, value: 'a'.repeat(500) });
    });

    it('refuses empty and whitespace-only text', () => {
      expect(checkText('')).toEqual({ ok: false, error: 'text must not be empty' });
      expect(checkText(' \t\n ')).toEqual({ ok: false, error: 'text must not be empty' });
    });

    it('refuses what is not a string, naming the field', () => {
      for (const value of [undefined, null, 42, true, {}, ['hi']]) {
        expect(checkText(value, 'name')).toEqual({ ok: false, error: 'name must be a string' });
      }
    });

    it('takes its own limit', () => {
      expect(checkText('abcd', 'name', 3)).toEqual({ ok: false, error: 'name must be at most 3 characters' });
    });

    it('refuses control characters, naming the first, but keeps tabs and newlines', () => {
      const controls: Array<[string, string]> = [
        ['ding\u0007', 'U+0007'], // bell
        ['\x1b[2Jall gone', 'U+001B'], // escape: a terminal clears its screen
        ['one\r\ntwo', 'U+000D'], // a carriage return: a terminal writes over the line
        ['nul\0here', 'U+0000'],
        ['back\bspace', 'U+0008'],
        ['c1 \u009b31m', 'U+009B'], // the C1 control sequence introducer
        ['del\x7f', 'U+007F'],
      ];
      for (const [text, code] of controls) {
        expect(checkText(text)).toEqual({ ok: false, error: `text must not contain control characters (${code})` });
      }
      expect(checkText('one\ntwo\tthree')).toEqual({ ok: true, value: 'one\ntwo\tthree' });
    });

    it('refuses direction overrides and embeddings, but keeps marks, isolates, joiners and emoji', () => {
      for (const [text, code] of [
        ['\u202etxet', 'U+202E'],
        ['a\u202dlro', 'U+202D'],
        ['\u202a\u202b\u202c', 'U+202A'],
      ]) {
        expect(checkText(text)).toEqual({ ok: false, error: `text must not contain direction overrides (${code})` });
      }
      const fine = [
        'שלום \u200fעולם', // a right-to-left mark
        'see \u2067مرحبا\u2069 here', // an isolate
        '👩\u200d💻 ❤\ufe0f 🏴\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}', // emoji with joiners, selectors and tags
        'می\u200cخواهم', // Persian needs the zero-width non-joiner
      ];
      for (const text of fine) expect(checkText(text)).toEqual({ ok: true, value: text });
    });

    it('refuses lone surrogates (text that is not well formed), naming the first, but keeps pairs', () => {
      // A lone half of a surrogate pair cannot be written as UTF-8: a store or a page would show U+FFFD instead.
      for (const [text, code] of [
        ['\ud800'.repeat(500), 'U+D800'],
        ['ok \udfff', 'U+DFFF'],
        ['\ude00\ud83d', 'U+DE00'], // a pair the wrong way round is two halves
        ['a\ud83d b', 'U+D83D'],
      ]) {
        expect(checkText(text)).toEqual({ ok: false, error: `text must not contain lone surrogates (${code})` });
      }
      expect(checkText('smile \ud83d\ude00')).toEqual({ ok: true, value: 'smile 😀' });
    });
  });

  describe('checkName', () => {
    it('takes names in any script, with accents, trimmed', () => {
      for (const name of ['Zoë', 'Søren', '李雷', 'Александр', 'José', "O'Brien", 'Anne-Marie', 'محمد', '🦊 Fox']) {
        expect(checkName(`  ${name} `, 'name', 30)).toEqual({ ok: true, value: name });
      }
    });

    it('turns compatibility forms into plain ones (NFKC), and squeezes spaces', () => {
      expect(checkName('\uff21\uff44\uff41', 'name', 30)).toEqual({ ok: true, value: 'Ada' }); // full-width
      expect(checkName('Zoe\u0308', 'name', 30)).toEqual({ ok: true, value: 'Zoë' }); // one ë, composed
      expect(checkName('\ufb01sh', 'name', 30)).toEqual({ ok: true, value: 'fish' }); // the ﬁ ligature
      expect(checkName('Ann \u00a0 \u3000Lee', 'name', 30)).toEqual({ ok: true, value: 'Ann Lee' });
      expect(checkName('\u3000Ann\u2003', 'name', 30)).toEqual({ ok: true, value: 'Ann' });
    });

    it('refuses invisible, control and direction characters, naming the first', () => {
      const hidden: Array<[string, string]> = [
        ['Admin\u200b', 'U+200B'], // zero-width space
        ['\u200b', 'U+200B'],
        ['\u2800', 'U+2800'], // braille blank
        ['\u3164', 'U+3164'], // Hangul filler
        ['Ann\u115f', 'U+115F'],
        ['Ann\u1160', 'U+1160'],
        ['\uffa0', 'U+FFA0'],
        ['Ann\u180e', 'U+180E'], // Mongolian vowel separator
        ['Ann\ufe0f', 'U+FE0F'], // a variation selector
        ['Ann\u{e0041}', 'U+E0041'], // a tag character
        ['Ann\u200d', 'U+200D'], // zero-width joiner
        ['\ufeffAnn', 'U+FEFF'], // byte order mark, though trim() would take it
        ['Ann\u00ad', 'U+00AD'], // soft hyphen
        ['Ann\u2060', 'U+2060'], // word joiner
        ['\u202eAnn', 'U+202E'], // right-to-left override
        ['Ann\u2067', 'U+2067'], // an isolate
        ['Ann\u200f', 'U+200F'], // a direction mark
        ['Ann\u061c', 'U+061C'], // the Arabic letter mark
        ['Ann\ue000', 'U+E000'], // private use
        ['Ann\u0378', 'U+0378'], // not assigned
        ['Ann\uffff', 'U+FFFF'], // a noncharacter
        ['Ann\ud800', 'U+D800'], // half a surrogate pair
        ['Ann\tLee', 'U+0009'],
        ['Ann\nLee', 'U+000A'],
        ['Ann\u2028', 'U+2028'], // line separator
        ['Ann\u{1d159}', 'U+1D159'], // a null notehead, drawn as nothing
      ];
      for (const [name, code] of hidden) {
        expect({ name, reply: checkName(name, 'name', 30) }).toEqual({
          name,
          reply: { ok: false, error: `name must not contain invisible or control characters (${code})` },
        });
      }
      expect(checkName('Lobby\u200b', 'room', 30)).toEqual({
        ok: false,
        error: 'room must not contain invisible or control characters (U+200B)',
      });
    });

    it('refuses empty, overlong and non-string names, measured after NFKC', () => {
      expect(checkName('   ', 'name', 30)).toEqual({ ok: false, error: 'name must not be empty' });
      expect(checkName(42, 'name', 30)).toEqual({ ok: false, error: 'name must be a string' });
      expect(checkName('a'.repeat(30), 'name', 30)).toMatchObject({ ok: true });
      expect(checkName('a'.repeat(31), 'name', 30)).toEqual({ ok: false, error: 'name must be at most 30 characters' });
      expect(checkName('\ufdfa', 'name', 10)).toEqual({ ok: false, error: 'name must be at most 10 characters' }); // one character, 18 once NFKC
    });
  });

  describe('checkNumber', () => {
    it('accepts finite numbers in range, the ends included', () => {
      expect(checkNumber(0, 'n', -1, 1)).toEqual({ ok: true, value: 0 });
      expect(checkNumber(-1, 'n', -1, 1)).toEqual({ ok: true, value: -1 });
      expect(checkNumber(1, 'n', -1, 1)).toEqual({ ok: true, value: 1 });
    });

    it('refuses NaN, Infinity, strings for numbers and other types', () => {
      for (const value of [NaN, Infinity, -Infinity, '1', '', null, undefined, true, [1], {}]) {
        expect(checkNumber(value, 'n', -1, 1)).toEqual({ ok: false, error: 'n must be a number' });
      }
    });

    it('refuses numbers out of range', () => {
      expect(checkNumber(1.0001, 'n', -1, 1)).toEqual({ ok: false, error: 'n must be from -1 to 1' });
      expect(checkNumber(-2, 'n', -1, 1)).toEqual({ ok: false, error: 'n must be from -1 to 1' });
    });
  });

  describe('checkFields', () => {
    it('accepts a plain object with the named fields, or fewer', () => {
      expect(checkFields({ a: 1 }, ['a', 'b'])).toEqual({ ok: true, value: { a: 1 } });
      expect(checkFields(Object.create(null), ['a'])).toMatchObject({ ok: true });
    });

    it('refuses other fields, including __proto__ from JSON', () => {
      expect(checkFields({ a: 1, from: 'x' }, ['a'])).toEqual({ ok: false, error: 'unexpected field "from"' });
      expect(checkFields(JSON.parse('{"__proto__": {"a": 1}}'), ['a'])).toEqual({
        ok: false,
        error: 'unexpected field "__proto__"',
      });
    });

    it('refuses what is not a plain object', () => {
      for (const value of [null, undefined, 'a', 1, [], [1], new Date()]) {
        expect(checkFields(value, ['a', 'b'])).toEqual({ ok: false, error: 'expected an object like { a, b }' });
      }
    });
  });

  describe('checkMessagePayload', () => {
    it('accepts { text } and trims the text', () => {
      expect(checkMessagePayload({ text: '  hi ' })).toEqual({ ok: true, value: { text: 'hi' } });
    });

    it('refuses a text the server would refuse', () => {
      expect(checkMessagePayload({ text: '   ' })).toEqual({ ok: false, error: 'text must not be empty' });
      expect(checkMessagePayload({ text: 'a'.repeat(501) })).toMatchObject({ ok: false });
      expect(checkMessagePayload({ text: 42 })).toEqual({ ok: false, error: 'text must be a string' });
      expect(checkMessagePayload({})).toEqual({ ok: false, error: 'text must be a string' });
      expect(checkMessagePayload({ text: 'bye\x1b[2J' })).toEqual({ ok: false, error: 'text must not contain control characters (U+001B)' });
      expect(checkMessagePayload({ text: 'a \u202eb' })).toEqual({ ok: false, error: 'text must not contain direction overrides (U+202E)' });
    });

    it('refuses a bare string, null, and a client that sets its own from or createdAt', () => {
      expect(checkMessagePayload('hi')).toEqual({ ok: false, error: 'expected an object like { text }' });
      expect(checkMessagePayload(null)).toMatchObject({ ok: false });
      expect(checkMessagePayload({ text: 'hi', from: 'Admin' })).toEqual({ ok: false, error: 'unexpected field "from"' });
      expect(checkMessagePayload({ text: 'hi', createdAt: 0 })).toMatchObject({ ok: false });
    });
  });

  describe('checkCoordinates', () => {
    it('accepts a place, the edges of the map included', () => {
      expect(checkCoordinates({ latitude: 51.5, longitude: -0.12 })).toEqual({
        ok: true,
        value: { latitude: 51.5, longitude: -0.12 },
      });
      for (const [latitude, longitude] of [[90, 180], [-90, -180], [0, 0]]) {
        expect(checkCoordinates({ latitude, longitude })).toEqual({ ok: true, value: { latitude, longitude } });
      }
    });

    it('refuses coordinates out of range', () => {
      expect(checkCoordinates({ latitude: 90.1, longitude: 0 })).toEqual({
        ok: false,
        error: 'latitude must be from -90 to 90',
      });
      expect(checkCoordinates({ latitude: -91, longitude: 0 })).toMatchObject({ ok: false });
      expect(checkCoordinates({ latitude: 0, longitude: 180.5 })).toEqual({
        ok: false,
        error: 'longitude must be from -180 to 180',
      });
      expect(checkCoordinates({ latitude: 0, longitude: -181 })).toMatchObject({ ok: false });
    });

    it('refuses NaN, Infinity, strings for numbers and missing values', () => {
      const bad = [
        { latitude: NaN, longitude: 0 },
        { latitude: 0, longitude: Infinity },
        { latitude: -Infinity, longitude: 0 },
        { latitude: '51.5', longitude: '-0.12' },
        { latitude: 0, longitude: null },
        { latitude: 0 },
        {},
      ];
      for (const value of bad) expect(checkCoordinates(value)).toMatchObject({ ok: false, error: expect.stringMatching(/must be a number$/) });
    });

    it('refuses what is not { latitude, longitude }', () => {
      for (const value of [null, undefined, [51.5, -0.12], '51.5,-0.12', 51.5]) {
        expect(checkCoordinates(value)).toEqual({ ok: false, error: 'expected an object like { latitude, longitude }' });
      }
      expect(checkCoordinates({ latitude: 0, longitude: 0, from: 'Admin' })).toEqual({
        ok: false,
        error: 'unexpected field "from"',
      });
    });
  });
});
