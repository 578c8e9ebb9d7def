// Live registry reloads: the registry file is polled (fs.watchFile, which also sees a file replaced by
// rename, as editors and `registry add` do), and a change is loaded after a short quiet time; a file
// that does not load (half written, invalid) is reported and the last good registry stays in use.
import { unwatchFile, watchFile, type Stats } from 'node:fs';
import { Registry } from './registry';

export interface RegistryWatchOptions {
  /** Poll interval. Default 250 ms. */
  intervalMs?: number;
  /** Quiet time after a change before the file is loaded (several writes make one reload). Default 100 ms. */
  debounceMs?: number;
}

/**
 * Watches `file`; `apply` gets each registry that loads after a change, `log` a line per reload and
 * per refusal. Returns the stop function. The poller does not keep the process alive.
 */
export function watchRegistry(file: string, apply: (r: Registry) => void, log: (line: string) => void, o: RegistryWatchOptions = {}): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let lastError = '';
  const reload = () => {
    timer = undefined;
    if (stopped) return;
    let r: Registry;
    try {
      r = Registry.load(file);
    } catch (e) {
      const msg = (e as Error).message;
      // The same broken content is reported once, not at every poll.
      if (msg !== lastError) log('registry: not applied, the last good registry stays in use: ' + msg);
      lastError = msg;
      return;
    }
    lastError = '';
    apply(r);
    log('registry: reloaded ' + file + ': ' + r.devices.size + ' device(s), ' + r.connectors.size + ' connector(s)');
  };
  const onChange = (cur: Stats, prev: Stats) => {
    if (cur.mtimeMs === prev.mtimeMs && cur.size === prev.size && cur.ino === prev.ino) return;
    if (cur.nlink === 0 && cur.mtimeMs === 0) {
      log('registry: ' + file + ' was removed; the last good registry stays in use');
      lastError = 'removed';
      return;
    }
    clearTimeout(timer);
    timer = setTimeout(reload, o.debounceMs === undefined ? 100 : o.debounceMs);
    timer.unref();
  };
  watchFile(file, { interval: o.intervalMs || 250, persistent: false }, onChange);
  return () => {
    stopped = true;
    clearTimeout(timer);
    unwatchFile(file, onChange);
  };
}
