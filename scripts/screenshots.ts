// npm run screenshots [-- NN ...]: plays each lesson's browser scene and saves
// lessons/NN-slug/screenshot.png, the picture at the top of its README.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { hasChromium, launch, newPerson, SKIP_NOTE, type Person } from '../test/browser/harness';
import type { Scene } from '../test/browser/scenes/scene';

async function main(): Promise<void> {
  if (!hasChromium) throw new Error(SKIP_NOTE.replace('browser tests skipped', 'cannot take screenshots'));
  const scenesDir = path.join(__dirname, '..', 'test', 'browser', 'scenes');
  const wanted = process.argv.slice(2);
  const files = readdirSync(scenesDir)
    .filter((file) => /^\d\d-.*\.ts$/.test(file))
    .filter((file) => wanted.length === 0 || wanted.some((prefix) => file.startsWith(prefix.padStart(2, '0'))));

  const browser = await launch();
  try {
    for (const file of files) {
      const { scene } = require(path.join(scenesDir, file)) as { scene: Scene };
      const lesson = await scene.start({ ...scene.options, port: 0 });
      const people: Person[] = [];
      try {
        const page = await scene.play(async (url, options) => {
          const person = await newPerson(browser, url, options);
          people.push(person);
          return person;
        }, lesson);
        const target = path.join(__dirname, '..', 'lessons', scene.lesson, 'screenshot.png');
        await page.screenshot({ path: target, fullPage: true });
        const problems = people.flatMap((person) => person.problems);
        console.log(`${scene.lesson}: saved ${path.relative(process.cwd(), target)}${problems.length ? `, with problems:\n  ${problems.join('\n  ')}` : ''}`);
      } finally {
        await Promise.all(people.map((person) => person.close()));
        await lesson.close();
      }
    }
  } finally {
    await browser.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
