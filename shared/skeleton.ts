// Names that look alike. "Admin" with a Cyrillic А, "Ada" with an invisible
// space after it, "Ａｄｍｉｎ" in full-width letters: each is another string,
// and each reads as the same name. Unicode lists the characters that people
// confuse (confusables.txt, from Unicode Technical Standard #39), each with a
// prototype: Cyrillic "а" → Latin "a", "0" → "O", "m" → "rn". Two texts with
// one skeleton look alike, so a server can refuse the second one.
import unhomoglyph from 'unhomoglyph'; // confusables.txt as a table: each character to its prototype

/** Characters that draw nothing: zero-width spaces, joiners, variation selectors, Hangul fillers… */
const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * The skeleton of `text`, after Unicode TR39: what it looks like, as a string
 * to compare, not to show (`m` becomes `rn`). Capitals count: "Вob" with a
 * Cyrillic В has the skeleton of "Bob", whose small letter в (like a small
 * capital ʙ) does not look like b.
 *
 * Each round: NFKD (full-width and other compatibility forms become plain
 * letters, accents come apart), invisible characters out, then each
 * character to its prototype. A prototype can be drawn from compatibility
 * forms ("‰" becomes "º/₀₀"), so rounds repeat until nothing changes; the
 * unit tests check that every character in the table settles well within
 * the bound. NFD at the end, as TR39 says.
 */
export function skeleton(text: string): string {
  return settle(text, (letters) => letters);
}

/**
 * The skeleton of `text` in one case: "ANN", "Ann" and "Аnn" with a Cyrillic
 * А have one folded skeleton. Folding comes before each round's prototypes
 * (so "I" is "i", not the "l" it looks like), and again in the next round,
 * as a prototype can be a capital ("0" → "O").
 */
export function foldedSkeleton(text: string): string {
  return settle(text, fold);
}

/**
 * True when `a` and `b` look alike: the same skeleton, as typed or in one
 * case. Either alone misses some: "Вob" (Cyrillic В) and "Bob" differ once
 * folded, and "ADMIN" and "Admin" differ as typed, since "I" looks like "l".
 */
export function looksAlike(a: string, b: string): boolean {
  return lookalikesOf(b)(a);
}

/** A test for texts that look like `target` (see `looksAlike`); `target`'s skeletons are worked out once. */
export function lookalikesOf(target: string): (text: string) => boolean {
  const [plain, folded] = [skeleton(target), foldedSkeleton(target)];
  return (text) => skeleton(text) === plain || foldedSkeleton(text) === folded;
}

function settle(text: string, prepare: (letters: string) => string): string {
  let current = text;
  for (let round = 0; round < 8; round++) {
    const next = unhomoglyph(prepare(current.normalize('NFKD').replace(IGNORABLE, '')));
    if (next === current) break;
    current = next;
  }
  return current.normalize('NFD');
}

/**
 * One case for every letter. JavaScript has no case folding; upper then lower
 * comes close: "ß" and "SS" both become "ss".
 */
function fold(text: string): string {
  return text.toUpperCase().toLowerCase();
}
