// Each lesson's new idea is on the first screen of its server: the first
// connection handler within 40 lines, the file within 150 (lesson 01 within
// 40 in all), lesson 13 within 900 lines of server code. `npm run diff --
// --sizes` prints the same figures.
import { expect } from 'expect';
import { listLessons } from '../../scripts/lessons';
import { lessonShape, sizesCommand } from '../../scripts/diff';

describe('every lesson reads from its first screen', function () {
  this.timeout(20_000);

  for (const lesson of listLessons()) {
    it(`${lesson.number}: the connection handler within 40 lines, the file within ${lesson.number === '01' ? 40 : 150}`, () => {
      const shape = lessonShape(lesson);
      expect(shape.handlerLine).toBeGreaterThan(0);
      expect(shape.handlerLine).toBeLessThanOrEqual(40);
      expect(shape.fileLines).toBeLessThanOrEqual(lesson.number === '01' ? 40 : 150);
    });
  }

  it('13: at most 900 lines of server code in all', () => {
    const lesson = listLessons().find((found) => found.number === '13')!;
    expect(lessonShape(lesson).serverLines).toBeLessThanOrEqual(900);
  });

  it('npm run diff -- --sizes prints a line per lesson', () => {
    const lines = sizesCommand().trim().split('\n');
    expect(lines).toHaveLength(listLessons().length + 1);
    expect(lines[2]).toMatch(/^02\s+01\s+\d+\s+\d+\s+\d+ \/ \d+ \(server\.ts\)/);
  });
});
