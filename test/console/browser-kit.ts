// The console's browser tests need Debian's Chromium: without it they skip with one line, except
// under CI (CI set), where a missing browser is a failure (.ci/run installs it with apt).
import { chromiumPath } from '../../scripts/console/chromium';

/** For describe.skipIf: true (and one line saying why) when there is no Chromium and this is not CI. */
export function skipWithoutChromium(): boolean {
  if (chromiumPath()) return false;
  if (process.env.CI) throw new Error('CI run without Chromium at /usr/bin/chromium (.ci/run installs it with apt): the console browser test must not skip in CI');
  console.log('skipped: the console browser test: no Chromium at /usr/bin/chromium (apt-get install chromium, or set AKENZA_CHROMIUM)');
  return true;
}
