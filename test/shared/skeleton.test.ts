import { expect } from 'expect';
import { foldedSkeleton, looksAlike, skeleton } from '../../shared/skeleton';

/** confusables.txt as the package ships it: each character and its prototype. */
const table: Record<string, string> = require('unhomoglyph/data.json');

describe('skeleton', () => {
  it('finds every lookalike of Admin', () => {
    const lookalikes = {
      'in capitals': 'ADMIN',
      'with a zero-width space': 'Admin\u200b',
      'with a zero-width joiner inside': 'Ad\u200dmin',
      'with a Cyrillic А': '\u0410dmin',
      'with a Cyrillic і': 'Adm\u0456n',
      'in full-width letters': '\uff21\uff44\uff4d\uff49\uff4e',
      'with r and n for m': 'Adrnin',
      'with a Greek Α and an Armenian ո': '\u0391dmi\u0578',
      'in capitals, with a Greek Ι': 'ADM\u0399N',
      'with a variation selector': 'Admin\ufe00',
      'with a Hangul filler': 'Admin\u3164',
    };
    for (const [how, name] of Object.entries(lookalikes)) {
      expect({ how, looksLikeAdmin: looksAlike(name, 'Admin') }).toEqual({ how, looksLikeAdmin: true });
    }
  });

  it('finds lookalikes of other names, in small letters and in capitals', () => {
    expect(looksAlike('Ada', 'Ada\u200b')).toBe(true);
    expect(looksAlike('Ada', '\u0410da')).toBe(true); // Cyrillic А
    expect(looksAlike('Ada', 'ADA')).toBe(true);
    expect(looksAlike('Bob', 'B0b')).toBe(true); // 0 looks like O, and O is o in another case
    expect(looksAlike('Bob', '\u0412ob')).toBe(true); // Cyrillic В; its small в looks like ʙ, not b
    expect(looksAlike('Ann Lee', 'Ann\u00a0Lee')).toBe(true); // a no-break space is a space
    expect(looksAlike('Straße', 'STRASSE')).toBe(true);
    expect(looksAlike('AIi', 'Ali')).toBe(true); // a capital I looks like a small l
  });

  it('folds case before the prototypes, or compares capitals as they look', () => {
    expect(foldedSkeleton('ADMIN')).toBe(foldedSkeleton('Admin'));
    expect(skeleton('ADMIN')).not.toBe(skeleton('Admin')); // "I" looks like "l", not like "i"
    expect(skeleton('\u0412ob')).toBe(skeleton('Bob'));
    expect(foldedSkeleton('\u0412ob')).not.toBe(foldedSkeleton('Bob'));
    expect(foldedSkeleton('Admin')).toBe('adrnin'); // a string to compare, not to show
  });

  it('keeps names apart that look different, in every script', () => {
    const names = ['Ada', 'Adam', 'Admin', 'Zoë', 'Zoe', 'Søren', 'Soren', '李雷', '李', 'Александр', 'Aleksandr', 'Adm1n', 'Ann Lee', 'AnnLee', 'Ali', 'All'];
    const alike = names.flatMap((a, i) => names.slice(i + 1).filter((b) => looksAlike(a, b)).map((b) => `${a} ~ ${b}`));
    expect(alike).toEqual([]);
    expect(looksAlike('Zoë', 'Zoe\u0308')).toBe(true); // a composed ë and e + a combining diaeresis are one
  });

  it('does not catch lookalike spellings that Unicode does not list: "Adm1n" is not "Admin"', () => {
    expect(looksAlike('Adm1n', 'Admin')).toBe(false);
    expect(looksAlike('Admln', 'Admin')).toBe(false);
    expect(looksAlike('Admin2', 'Admin')).toBe(false);
    expect(looksAlike('Admin Team', 'Admin')).toBe(false);
    expect(looksAlike('Adm1n', 'Admln')).toBe(true); // though "1" and "l" are listed
  });

  it('settles: the skeleton of a skeleton is itself, for every character in the table', () => {
    const unsettled: string[] = [];
    const samples = Object.entries(table).flatMap(([source, prototype]) => [source, source.toUpperCase(), prototype]);
    for (const sample of samples) {
      for (const key of [skeleton, foldedSkeleton]) {
        const once = key(sample);
        if (key(once) !== once) unsettled.push(`${key.name}(${JSON.stringify(sample)})`);
      }
    }
    expect(unsettled).toEqual([]);
  });

  it('drops what draws nothing, and stays empty for an invisible name', () => {
    for (const invisible of ['\u200b', '\u2060', '\ufeff', '\u3164', '\u115f\u1160', '\uffa0', '\u180e', '\u{e0041}']) {
      expect(skeleton(invisible)).toBe('');
      expect(foldedSkeleton(invisible)).toBe('');
    }
  });
});
