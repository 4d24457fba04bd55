// What every lesson's pages have in common, read from the files.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'expect';
import { listLessons } from '../../scripts/lessons';

describe('the lessons’ pages', () => {
  it('are headed with their lesson’s title, as its README is', () => {
    const headings = listLessons().flatMap((lesson) => {
      const folder = path.join(lesson.folder, 'public');
      return readdirSync(folder)
        .filter((file) => file.endsWith('.html'))
        .map((file) => {
          const h1 = /<h1>([^<]*)<\/h1>/.exec(readFileSync(path.join(folder, file), 'utf8'))?.[1];
          return { page: `${lesson.number}-${lesson.slug}/public/${file}`, h1, title: lesson.title };
        });
    });
    expect(headings.filter(({ h1, title }) => h1 !== title)).toEqual([]);
  });
});
