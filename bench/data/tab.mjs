// The tab's side of `cargo xtask bench data`: the studio's own training worker (from
// the trunk build) runs the same workload as the native binary
// (`fornax_core::recipe::benchmark`) on the same CSV, in Debian's headless Chromium.
// Prints one JSON report, as `fornax.rs` does.
//
// node tab.mjs --dist DIR --data FILE.csv
import { chromium } from 'playwright-core';
import { basename, dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { serve } from '../browser/serve.mjs';

const here = new URL('.', import.meta.url).pathname;
const { values: args } = parseArgs({ options: { dist: { type: 'string' }, data: { type: 'string' } } });
if (!args.dist || !args.data) {
  console.error('usage: node tab.mjs --dist DIR --data FILE.csv');
  process.exit(2);
}
const FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--enable-precise-memory-info',
];

/** In the page: start the worker on the CPU, hand it the file, wait for its report. */
async function inPage(data) {
  const worker = new Worker('/fornax/worker_loader.js');
  const next = (type) => new Promise((resolve, reject) => {
    worker.onmessage = (event) => {
      const message = JSON.parse(event.data.json);
      if (message.type === type) resolve(message);
      else if (message.type === 'failed') reject(new Error(`Fornax: ${message.message}`));
    };
    worker.onerror = (e) => reject(new Error(e.message));
  });
  const send = (message, bytes) => worker.postMessage({ json: JSON.stringify(message), ...(bytes ? { bytes } : {}) }, bytes ? [bytes] : []);
  await next('alive');
  send({ type: 'init', webgpu: false });
  await next('ready');
  const csv = await (await fetch(data)).arrayBuffer();
  const answer = next('data_benchmarked');
  send({ type: 'data_benchmark' }, csv);
  const { report, wasm_memory_bytes } = await answer;
  worker.terminate();
  return { report, wasm_memory_bytes };
}

async function main() {
  const server = await serve({ '/': here, '/fornax/': args.dist, '/data/': dirname(args.data) });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: FLAGS });
  try {
    const page = await browser.newPage();
    page.on('console', (m) => { if (m.type() === 'error') console.error(`page: ${m.text()}`); });
    await page.goto(`${server.url}/tab.html`);
    const { report, wasm_memory_bytes } = await page.evaluate(inPage, `/data/${basename(args.data)}`);
    const seconds = Object.fromEntries(report.seconds);
    seconds.total = report.seconds.reduce((sum, [, s]) => sum + s, 0);
    console.log(JSON.stringify({ seconds, width: report.width, wasm_memory_mib: wasm_memory_bytes / 2 ** 20, chromium: browser.version() }));
  } finally {
    await browser.close();
    server.close();
  }
}

main().catch((e) => { console.error(`bench data (tab): ${e.stack ?? e}`); process.exit(1); });
