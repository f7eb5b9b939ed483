/**
 * Progress of a long command on stderr: a redrawn bar on a terminal; on a pipe or log file, a
 * line at each tenth (and nothing for runs that finish within a second, to keep logs quiet).
 */
export interface ProgressReporter {
  update(done: number, total: number): void;
  finish(): void;
}

const BAR_WIDTH = 30;

export function createProgressReporter(label: string, stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  const started = performance.now();
  let lastTenth = -1;
  let drawn = false;
  return {
    update(done, total) {
      const fraction = total === 0 ? 1 : done / total;
      const seconds = (performance.now() - started) / 1000;
      if (stream.isTTY) {
        const filled = Math.round(fraction * BAR_WIDTH);
        stream.write(`\r${label} [${"#".repeat(filled)}${".".repeat(BAR_WIDTH - filled)}] ${done}/${total} ${seconds.toFixed(1)} s`);
        drawn = true;
        return;
      }
      const tenth = Math.floor(fraction * 10);
      if (tenth > lastTenth && seconds >= 1) {
        lastTenth = tenth;
        stream.write(`${label}: ${done}/${total} (${Math.round(fraction * 100)}%) after ${seconds.toFixed(1)} s\n`);
      }
    },
    finish() {
      if (drawn) stream.write("\n");
    },
  };
}
