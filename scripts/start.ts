// npm start [-- NN | name]: lists the lessons and runs one (the latest by default).
import path from 'node:path';
import type { StartLesson } from '../shared/run';
import { runFromCommandLine } from '../shared/run';
import { findLesson, listLessons } from './lessons';

const lessons = listLessons();
const wanted = process.argv[2];

if (wanted === undefined || wanted === '--list') {
  console.log('Lessons:');
  for (const lesson of lessons) console.log(`  ${lesson.number}  ${lesson.title.padEnd(28)} ${lesson.summary}`);
  console.log('\nRun one with: npm start -- 03   (or by name: npm start -- acknowledgements)\n');
}

if (wanted !== '--list') {
  const lesson = wanted === undefined ? lessons[lessons.length - 1] : findLesson(lessons, wanted);
  if (!lesson) {
    console.error(`There is no lesson "${wanted}". Try a number from ${lessons[0].number} to ${lessons[lessons.length - 1].number}, or npm start -- --list`);
    process.exitCode = 1;
  } else {
    console.log(`Lesson ${lesson.number}: ${lesson.title}`);
    const { start } = require(path.join(lesson.folder, 'server')) as { start: StartLesson };
    runFromCommandLine(start);
  }
}
