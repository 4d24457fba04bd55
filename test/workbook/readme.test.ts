// The top README fits one screen of reading, and what it says of the lessons stays true.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'expect';
import { listLessons } from '../../scripts/lessons';

const root = path.join(__dirname, '../..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
const NUMBERS = ['Zero', 'One', 'Two', 'Three', 'Four', 'Five', 'Six', 'Seven', 'Eight', 'Nine', 'Ten', 'Eleven', 'Twelve', 'Thirteen', 'Fourteen', 'Fifteen'];

describe('the top README', () => {
  it('is at most 800 words (as wc -w counts them)', () => {
    expect(readme.split(/\s+/).filter(Boolean).length).toBeLessThanOrEqual(800);
  });

  it('counts the lessons there are, and lists each of them once, linked to its README', () => {
    const lessons = listLessons();
    expect(readme).toContain(`${NUMBERS[lessons.length]} small, runnable lessons`);
    for (const lesson of lessons) {
      const link = `(lessons/${lesson.number}-${lesson.slug}/README.md)`;
      expect({ lesson: lesson.number, rows: readme.split(link).length - 1 }).toEqual({ lesson: lesson.number, rows: 1 });
    }
  });

  it('links only to files that are there', () => {
    const targets = [...readme.matchAll(/\]\(([^)#]+)(#[^)]*)?\)/g)].map((match) => match[1]).filter((target) => !/^https?:/.test(target));
    expect(targets.filter((target) => !existsSync(path.join(root, target)))).toEqual([]);
  });
});
