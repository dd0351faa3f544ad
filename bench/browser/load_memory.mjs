// The tab's peak memory while it loads one CSV: the peak resident set (VmHWM) of the
// studio's renderer process, which holds the page and its worker, before and after the
// file is opened and its columns are shown. Linux only (it reads /proc).
//
//   FORNAX_BIN=... FORNAX_WEB=dist CHROMIUM=/usr/bin/chromium node bench/browser/load_memory.mjs FILE.csv
//
// Make a 100 MB file with `python3 bench/data/make_data.py /tmp/100mb.csv 690000`.
import { chromium } from 'playwright-core';
import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { startServer } from '../../tests/e2e/server.mjs';

const file = process.argv[2];
if (!file) throw new Error('usage: load_memory.mjs FILE.csv');

/** Peak and current resident memory (MiB) of the renderers started with `userDataDir`. */
function renderers(userDataDir) {
  const out = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let cmdline;
    try { cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8'); } catch { continue; }
    if (!cmdline.includes('--type=renderer') || !cmdline.includes(userDataDir)) continue;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key) => Number(status.match(new RegExp(`${key}:\\s+(\\d+)`))[1]);
    out.push({ pid: Number(pid), peak_mib: kib('VmHWM') / 1024, now_mib: kib('VmRSS') / 1024 });
  }
  return out;
}

const server = await startServer();
const userDataDir = mkdtempSync(join(tmpdir(), 'fornax-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--renderer-process-limit=1'],
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(server.url);
  await page.getByTestId('backend-name').filter({ hasNotText: 'starting' }).waitFor({ timeout: 120_000 });
  const before = renderers(userDataDir);
  const started = Date.now();
  await page.getByTestId('dataset-file').setInputFiles(file);
  await page.getByTestId('dataset-summary').filter({ hasText: `${basename(file)}:` }).waitFor({ timeout: 600_000 });
  await page.getByTestId('column-table').locator('tbody tr').first().waitFor({ timeout: 600_000 });
  const seconds = (Date.now() - started) / 1000;
  const after = renderers(userDataDir);
  const mib = (list, key) => Math.max(...list.map((r) => r[key]));
  console.log(JSON.stringify({
    file: basename(file),
    file_mib: statSync(file).size / 2 ** 20,
    load_seconds: seconds,
    renderer_peak_mib_before: mib(before, 'peak_mib'),
    renderer_peak_mib_after: mib(after, 'peak_mib'),
    renderer_now_mib_after: mib(after, 'now_mib'),
    summary: await page.getByTestId('dataset-summary').innerText(),
  }, null, 2));
} finally {
  await context.close();
  server.stop();
}
