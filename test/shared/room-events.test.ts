import { expect } from 'expect';
import { checkJoin } from '../../shared/room-events';

describe('checkJoin', () => {
  it('takes a name and a room, NFKC and trimmed', () => {
    expect(checkJoin({ name: ' Zoë ', room: ' Lobby ' })).toEqual({ ok: true, value: { name: 'Zoë', room: 'Lobby' } });
    expect(checkJoin({ name: '\uff21\uff44\uff41', room: '\uff2c\uff4f\uff42\uff42\uff59' })).toEqual({
      ok: true,
      value: { name: 'Ada', room: 'Lobby' },
    });
    for (const name of ['Søren', '李雷', 'Александр', 'Adm1n', 'Administrator', 'Teacher: class cancelled. Bye']) {
      expect(checkJoin({ name, room: 'Lobby' })).toEqual({ ok: true, value: { name, room: 'Lobby' } });
    }
  });

  it('keeps Admin for the server, and every name that looks like it', () => {
    expect(checkJoin({ name: ' admin ', room: 'Lobby' })).toEqual({ ok: false, error: 'the name "Admin" is kept for the server' });
    const lookalikes = ['\u0410dmin', 'Adm\u0456n', 'Adrnin', 'ADM\u0399N']; // Cyrillic А, Cyrillic і, r+n, Greek Ι
    for (const name of lookalikes) {
      expect(checkJoin({ name, room: 'Lobby' })).toEqual({
        ok: false,
        error: `the name "${name}" looks like "Admin", which is kept for the server`,
      });
    }
    // Full-width letters are plain ones once NFKC: that is Admin itself.
    expect(checkJoin({ name: '\uff21\uff44\uff4d\uff49\uff4e', room: 'Lobby' })).toEqual({
      ok: false,
      error: 'the name "Admin" is kept for the server',
    });
  });

  it('refuses invisible and control characters in names and rooms', () => {
    const cases: Array<[{ name: string; room: string }, string]> = [
      [{ name: 'Admin\u200b', room: 'Lobby' }, 'name must not contain invisible or control characters (U+200B)'],
      [{ name: '\u2800', room: 'Lobby' }, 'name must not contain invisible or control characters (U+2800)'],
      [{ name: '\u3164', room: 'Lobby' }, 'name must not contain invisible or control characters (U+3164)'],
      [{ name: '\u202enimdA', room: 'Lobby' }, 'name must not contain invisible or control characters (U+202E)'],
      [{ name: 'Ann', room: 'Lobby\u202e' }, 'room must not contain invisible or control characters (U+202E)'],
      [{ name: 'Ann', room: '\u200b' }, 'room must not contain invisible or control characters (U+200B)'],
    ];
    for (const [request, error] of cases) expect(checkJoin(request)).toEqual({ ok: false, error });
  });
});
