import { existsSync, readdirSync } from 'node:fs';

export interface SampleImage {
  name: string;
  url: string;
  /** Task suggestions that fit the sample. */
  suggestions: string[];
}

/** Plainly named image files only: nothing else in the directory is ever served. */
const SAMPLE_FILE = /^[a-z0-9][a-z0-9_-]{0,63}\.(jpe?g|png|webp)$/;

/** Sample images in `dir`, with a task suggestion from each name (`cats.jpg` → "segment all cats"). */
export function listSamples(dir: string): SampleImage[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => SAMPLE_FILE.test(file))
    .sort()
    .map((file) => {
      const name = file.replace(/\.[a-z]+$/, '');
      return { name, url: `/samples/${file}`, suggestions: [`segment all ${name.replace(/[-_]+/g, ' ')}`] };
    });
}
