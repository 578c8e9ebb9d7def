// Live registry reloads: the registry file's stat (mtime, ctime, size, inode: a file replaced by rename,
// as editors do, counts) is polled and compared with the one taken before the registry in use was
// loaded, so a change made at any moment after that load is seen; a change is loaded after a short
// quiet time; a file that does not load (half written, invalid) is reported and the last good
// registry stays in use.
import { statSync } from 'node:fs';
import { Registry } from './registry';
import { errorText } from '../errors';

export interface RegistryWatchOptions {
  /** Poll interval. Default 250 ms. */
  intervalMs?: number;
  /** Quiet time after a change before the file is loaded (several writes make one reload). Default 100 ms. */
  debounceMs?: number;
}

/** What identifies a version of the file ('missing' when it is not there). */
export function fileStamp(file: string): string {
  try {
    const s = statSync(file);
    return s.mtimeMs + ' ' + s.ctimeMs + ' ' + s.size + ' ' + s.ino;
  } catch {
    return 'missing';
  }
}

/**
 * Watches `file`, whose registry in use was loaded after `loadedStamp` (fileStamp before the load);
 * `apply` gets each registry that loads after a change, `log` a line per reload and per refusal.
 * Returns the stop function. The poller does not keep the process alive.
 */
export function watchRegistry(file: string, loadedStamp: string, apply: (r: Registry) => void, log: (line: string) => void, o: RegistryWatchOptions = {}): () => void {
  let seen = loadedStamp;
  let timer: NodeJS.Timeout | undefined;
  let lastError = '';
  const reload = () => {
    timer = undefined;
    let r: Registry;
    try {
      r = Registry.load(file);
    } catch (e) {
      const msg = errorText(e);
      // The same broken content is reported once, not at every change of nothing.
      if (msg !== lastError) log('registry: not applied, the last good registry stays in use: ' + msg);
      lastError = msg;
      return;
    }
    lastError = '';
    apply(r);
    log('registry: reloaded ' + file + ': ' + r.devices.size + ' device(s), ' + r.connectors.size + ' connector(s)');
  };
  const poll = setInterval(() => {
    const now = fileStamp(file);
    if (now === seen) return;
    seen = now;
    clearTimeout(timer);
    timer = undefined;
    if (now === 'missing') {
      log('registry: ' + file + ' was removed; the last good registry stays in use');
      lastError = '';
      return;
    }
    timer = setTimeout(reload, o.debounceMs === undefined ? 100 : o.debounceMs);
    timer.unref();
  }, o.intervalMs || 250);
  poll.unref();
  return () => {
    clearInterval(poll);
    clearTimeout(timer);
  };
}
