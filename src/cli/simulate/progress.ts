// Progress output on stderr (stdout stays for the report): on a TTY a bar while the fleet connects
// and one status line rewritten in place; otherwise plain lines, one per second.
import type { ProgressMode } from './options';

export interface Progress {
  /** Connect phase: `done` of `total` connected after `elapsedS`. */
  ramp(done: number, total: number, elapsedS: number): void;
  /** Run phase: one status line. */
  status(line: string): void;
  /** A line that stays (ends the rewritten line first). */
  note(line: string): void;
  /** Ends a rewritten line. */
  end(): void;
}

const BAR = 30;

export function makeProgress(mode: ProgressMode, err: (line: string) => void, stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = mode === 'tty' || (mode === 'auto' && !!stream.isTTY);
  if (mode === 'none') return { ramp: () => undefined, status: () => undefined, note: () => undefined, end: () => undefined };
  if (!tty) {
    return {
      ramp: (done, total, s) => err('connecting: ' + done + '/' + total + ' connected (' + Math.floor((100 * done) / total) + '%) after ' + s.toFixed(1) + ' s'),
      status: (line) => err(line),
      note: (line) => err(line),
      end: () => undefined,
    };
  }
  let open = false;
  const rewrite = (text: string) => {
    stream.write('\r' + text + '\x1b[K');
    open = true;
  };
  const end = () => {
    if (open) stream.write('\n');
    open = false;
  };
  return {
    ramp: (done, total, s) => {
      const filled = Math.round((BAR * done) / total);
      rewrite('[' + '#'.repeat(filled) + '.'.repeat(BAR - filled) + '] ' + done + '/' + total + ' connected  ' + s.toFixed(1) + ' s');
    },
    status: rewrite,
    note: (line) => {
      end();
      stream.write(line + '\n');
    },
    end,
  };
}
