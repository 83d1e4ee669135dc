import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/** A catcher's log in the data folder: one JSON object a line, appended, kept across restarts. */
export function jsonlLog<T>(file: string) {
  return {
    append: (item: T) => appendFileSync(file, `${JSON.stringify(item)}\n`),
    /** Everything appended so far, oldest first. */
    read(): T[] {
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as T);
    },
  };
}
