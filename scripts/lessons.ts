// Finds the lessons: every lessons/NN-slug folder, titled by its README.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface LessonInfo {
  number: string; // "03"
  slug: string; // "acknowledgements"
  folder: string; // absolute path
  title: string; // from the README's first heading
  summary: string; // the README's first paragraph line
}

export const lessonsDir = path.join(__dirname, '..', 'lessons');

export function listLessons(): LessonInfo[] {
  return readdirSync(lessonsDir)
    .filter((name) => /^\d\d-/.test(name) && existsSync(path.join(lessonsDir, name, 'server.ts')))
    .sort()
    .map((name) => {
      const folder = path.join(lessonsDir, name);
      const readme = path.join(folder, 'README.md');
      const lines = existsSync(readme) ? readFileSync(readme, 'utf8').split('\n') : [];
      const heading = lines.find((line) => line.startsWith('# '));
      const summary = lines.find((line) => /^[A-Za-z]/.test(line)) ?? '';
      return {
        number: name.slice(0, 2),
        slug: name.slice(3),
        folder,
        title: heading ? heading.replace(/^#\s*(\d\d\s*[·:.-]\s*)?/, '') : name.slice(3),
        summary,
      };
    });
}

/** Finds a lesson by number ("3", "03") or by name ("acknowledgements", "ack"). */
export function findLesson(lessons: LessonInfo[], wanted: string): LessonInfo | undefined {
  const text = wanted.trim().toLowerCase();
  if (/^\d+$/.test(text)) return lessons.find((lesson) => Number(lesson.number) === Number(text));
  return (
    lessons.find((lesson) => lesson.slug === text || `${lesson.number}-${lesson.slug}` === text) ??
    lessons.find((lesson) => lesson.slug.includes(text))
  );
}
