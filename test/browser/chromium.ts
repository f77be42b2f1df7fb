/** Debian's Chromium (apt-get install chromium), driven by playwright-core. */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * No sandbox (CI runs as root), no GPU, and nothing that talks to the
 * internet: this machine reaches no network but its own loopback.
 */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export function hasChromium(): boolean {
  return existsSync(CHROMIUM_PATH);
}

/** Headless Chromium; never a downloaded Playwright build. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 20_000 });
}
