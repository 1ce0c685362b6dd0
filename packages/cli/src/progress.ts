/**
 * Progress of a long command on stderr: a redrawn bar when stderr is a terminal, otherwise
 * (a log file, CI) a plain line every few seconds, so logs stay readable.
 */
export interface ProgressCounts {
  done: number;
  ok: number;
  failed: number;
}

export interface Progress {
  update(counts: ProgressCounts): void;
  /** Draws the final state and ends the line. */
  finish(counts: ProgressCounts): void;
}

export interface ProgressOptions {
  label: string;
  total: number;
  stream?: NodeJS.WriteStream;
  /** Plain-line interval when not a terminal (ms). */
  intervalMs?: number;
  enabled?: boolean;
  now?: () => number;
}

export function createProgress(options: ProgressOptions): Progress {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const started = now();
  const tty = stream.isTTY === true;
  const interval = tty ? 80 : (options.intervalMs ?? 2000);
  let last = started;
  let drawn = false;
  if (options.enabled === false || options.total === 0) return { update() {}, finish() {} };

  const rate = (done: number) => {
    const seconds = (now() - started) / 1000;
    return seconds > 0 ? done / seconds : 0;
  };
  const line = ({ done, ok, failed }: ProgressCounts) => {
    const perSecond = rate(done);
    const eta = perSecond > 0 && done < options.total ? ` eta ${duration((options.total - done) / perSecond)}` : '';
    return `${done}/${options.total} rows, ${ok} ok, ${failed} failed, ${perSecond.toFixed(0)}/s${eta}`;
  };
  const draw = (counts: ProgressCounts) => {
    if (tty) {
      const columns = stream.columns ?? 80;
      const text = line(counts);
      const barWidth = Math.max(10, Math.min(40, columns - text.length - options.label.length - 6));
      const filled = Math.round((counts.done / options.total) * barWidth);
      stream.write(`\r\x1b[2K${options.label} [${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}] ${text}`);
    } else {
      stream.write(`${options.label}: ${line(counts)}\n`);
    }
    drawn = true;
  };

  return {
    update(counts) {
      const t = now();
      if (t - last < interval) return;
      last = t;
      draw(counts);
    },
    finish(counts) {
      if (tty) {
        draw(counts);
        stream.write('\n');
      } else if (drawn || now() - started >= interval) {
        draw(counts);
      }
    },
  };
}

function duration(seconds: number): string {
  const s = Math.ceil(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
