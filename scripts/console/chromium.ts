// Headless Chromium for the console's browser test and the screenshots: Debian's /usr/bin/chromium
// (CI installs it with apt; AKENZA_CHROMIUM names another) driven by playwright-core, with a fresh
// profile each launch and Chromium's own background traffic (updates, sync, QUIC probes) turned off,
// which this project's closed test network refuses.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

/** The Chromium binary, or null when there is none. */
export function chromiumPath(): string | null {
  const p = process.env.AKENZA_CHROMIUM || '/usr/bin/chromium';
  return existsSync(p) ? p : null;
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A headless browser context with a profile of its own (removed by close()). */
export async function launchChromium(viewport = { width: 1280, height: 900 }): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('no Chromium at /usr/bin/chromium (apt-get install chromium, or set AKENZA_CHROMIUM)');
  const profile = mkdtempSync(join(tmpdir(), 'akenza-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    close: async () => {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
