// npm run test:lesson -- NN [mocha options]
// Runs one lesson's tests in one mocha run: its lesson tests (test/lessons),
// browser tests (test/browser) and robustness tests (test/robustness). Every
// block of them is titled with the lesson's number first ("10 users …",
// "10 users (in Chromium)", "10 users robustness: …"), so this is
//   mocha "test/**/*.test.ts" -g "^10 "
// with ONLY_LESSON=10, which sets up the robustness tests of lesson 10 only.
// Anything after NN goes to mocha (say -g, --reporter dot, --bail).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { findLesson, listLessons } from './lessons';

const root = path.join(__dirname, '..');
const [wanted, ...rest] = process.argv.slice(2);
const lessons = listLessons();
const lesson = wanted === undefined || wanted.startsWith('-') ? undefined : findLesson(lessons, wanted);

if (!lesson) {
  console.error(
    wanted === undefined || wanted.startsWith('-')
      ? `Which lesson? npm run test:lesson -- 05 (a number from ${lessons[0].number} to ${lessons.at(-1)!.number}, or a name)`
      : `There is no lesson "${wanted}". Try a number from ${lessons[0].number} to ${lessons.at(-1)!.number}, or a name: npm run test:lesson -- chat`,
  );
  process.exit(1);
}

// A second -g narrows within the lesson: mocha takes the last one, so it is
// joined to the lesson's: -g "rate limit" runs "^10 .*rate limit".
const grepAt = rest.findIndex((arg) => arg === '-g' || arg === '--grep');
let grep = `^${lesson.number} `;
if (grepAt >= 0 && rest[grepAt + 1] !== undefined) {
  grep += `.*${rest[grepAt + 1]}`;
  rest.splice(grepAt, 2);
}

console.log(`Lesson ${lesson.number} · ${lesson.title}: mocha "test/**/*.test.ts" -g "${grep}"`);
const mocha = spawn(process.execPath, [path.join(root, 'node_modules', 'mocha', 'bin', 'mocha.js'), 'test/**/*.test.ts', '--grep', grep, ...rest], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, ONLY_LESSON: lesson.number },
});
mocha.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
// Ctrl-C reaches mocha too (it stops cleanly): wait for it. SIGTERM is passed on.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => mocha.kill('SIGTERM'));
