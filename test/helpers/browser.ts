// Chromium from the Debian package (/usr/bin/chromium), driven by playwright-core; never a
// downloaded browser. A fresh profile folder per launch. Callers skip when Chromium is missing.
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.ALTAZION_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = path.resolve('test-artifacts');

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

export interface LaunchedBrowser { context: BrowserContext; close(): Promise<void> }

export async function launchChromium(options: { locale?: string } = {}): Promise<LaunchedBrowser> {
  const profile = await fs.mkdtemp(path.join(os.tmpdir(), 'altazion-chromium-'));
  // playwright passes --user-data-dir itself for a persistent context (the fresh profile above).
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    locale: options.locale ?? 'fr-FR',
    viewport: { width: 1280, height: 800 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      await fs.rm(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshotPath(name: string): Promise<string> {
  await fs.mkdir(ARTIFACTS, { recursive: true });
  return path.join(ARTIFACTS, name);
}
