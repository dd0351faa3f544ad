// Debian's chromium driven by playwright-core (never a downloaded browser build).
import { chromium } from 'playwright-core';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A fresh headless chromium; `webgpu` adds the flag that exposes SwiftShader's adapter. */
export async function launch({ webgpu }) {
  const userDataDir = mkdtempSync(join(tmpdir(), 'fornax-chromium-'));
  const args = [...FLAGS, ...(webgpu ? ['--enable-unsafe-webgpu'] : [])];
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args,
    viewport: { width: 1200, height: 900 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  return { context, page, consoleErrors };
}

export const artifacts = new URL('../artifacts/', import.meta.url).pathname;
