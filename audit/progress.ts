import { Presets, SingleBar } from 'cli-progress';

/** Progress of a long run: a bar on a terminal, nothing when stderr is piped or redirected. */
export interface Progress {
  start(total: number, unit: string): void;
  increment(by?: number): void;
  update(value: number): void;
  stop(): void;
}

const silent: Progress = { start() {}, increment() {}, update() {}, stop() {} };

/** A cli-progress bar on stderr when it is a TTY; silent otherwise (pipes, files, CI). */
export function progress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return silent;
  let bar: SingleBar | undefined;
  return {
    start(total, unit) {
      bar = new SingleBar(
        {
          stream,
          format: `{bar} {percentage}% | {value}/{total} ${unit} | {eta_formatted} left`,
          hideCursor: true,
        },
        Presets.shades_classic,
      );
      bar.start(total, 0);
    },
    increment: (by = 1) => bar?.increment(by),
    update: (value) => bar?.update(value),
    stop: () => bar?.stop(),
  };
}
