// Debian's Chromium driven by playwright-core (no browser download).
import fs from 'node:fs/promises';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { repoRoot } from './portal.mjs';

export const screenshotDir = path.join(repoRoot, 'e2e/screenshots');

export async function launchBrowser() {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  await fs.access(executablePath).catch(() => {
    throw new Error(
      `Chromium not found at ${executablePath}: install Debian's chromium package (npm test does it when run as root)`,
    );
  });
  await fs.mkdir(screenshotDir, { recursive: true });
  return chromium.launch({
    executablePath,
    headless: true,
    // Without these, Chromium keeps trying to reach Google's services.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

export async function screenshot(page, name) {
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
