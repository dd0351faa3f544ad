// The installed, offline studio: after one visit the service worker holds every file
// of the build, so with the server stopped and the browser offline the studio still
// loads, imports a CSV from disk, trains, evaluates and predicts, and after another
// reload finds the run in its project. A new build deployed
// later is offered with "reload to update" and never mixed with the old one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './server.mjs';
import { launch, artifacts } from './browser.mjs';

const WINE = new URL('../../public/demo/wine.csv', import.meta.url).pathname;
const HOOK = new URL('../../app/pwa/write_service_worker.mjs', import.meta.url).pathname;

const ready = (page) => page.getByTestId('backend-name').filter({ hasNotText: 'starting' }).waitFor({ timeout: 120_000 });

/** Waits until the service worker controls the page and has cached the build. */
async function cachedForOffline(page) {
  await page.getByTestId('offline-ready').waitFor({ timeout: 120_000 });
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: 60_000 });
}

test('installable, and with no network at all it loads, trains and predicts', { timeout: 600_000 }, async () => {
  const server = await startServer();
  const { context, page, consoleErrors } = await launch({ webgpu: false });
  try {
    await page.goto(server.url);
    await ready(page);
    await cachedForOffline(page);

    // Chromium's own installability check: manifest, icons, service worker.
    const cdp = await context.newCDPSession(page);
    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    assert.deepEqual(installabilityErrors, []);
    const manifest = await cdp.send('Page.getAppManifest');
    assert.deepEqual(manifest.errors, []);
    assert.match(manifest.url, /\/manifest\.webmanifest$/);

    // The network is gone: the server is stopped and the browser is offline.
    server.stop();
    await context.setOffline(true);
    await page.reload();
    await ready(page);
    assert.equal(await page.title(), 'Fornax');

    await page.getByTestId('dataset-file').setInputFiles(WINE);
    await page.getByTestId('column-table').locator('tbody tr').nth(13).waitFor();
    await page.getByTestId('train-settings').locator('summary').click();
    await page.getByTestId('setting-epochs').fill('40');
    await page.getByTestId('setting-epochs').dispatchEvent('change');
    await page.getByTestId('train-start').click();
    const accuracy = page.getByTestId('metric-accuracy');
    await accuracy.waitFor({ timeout: 300_000 });
    assert.ok(Number(await accuracy.innerText()) >= 0.85, `test accuracy ${await accuracy.innerText()}`);
    await page.getByRole('button', { name: 'Predict' }).click();
    await page.getByTestId('predict-result').filter({ hasText: /^cultivar_\d \(probability [01]\.\d{3}\)$/ }).waitFor();
    await page.screenshot({ path: `${artifacts}offline-trained.png`, fullPage: true });

    // Nothing left the device while offline.
    assert.match(await page.getByTestId('ledger-summary').innerText(), /^Nothing has left this device/);

    // Reloaded, still offline: the project kept the run and its metrics.
    const score = `accuracy ${await accuracy.innerText()}`;
    await page.reload();
    await ready(page);
    const run = page.getByTestId('project-run');
    await run.waitFor();
    assert.equal(await run.getByTestId('project-run-metric').innerText(), score);
    await run.getByTestId('project-run-open').click();
    await accuracy.waitFor();
    assert.equal(`accuracy ${await accuracy.innerText()}`, score);
    await page.screenshot({ path: `${artifacts}offline-reloaded.png`, fullPage: true });
    assert.deepEqual(consoleErrors, []);
  } finally {
    await context.close();
    server.stop();
  }
});

test('a new build is offered with "reload to update" and old and new files never mix', { timeout: 300_000 }, async () => {
  // A copy of the build this test can redeploy.
  const dist = mkdtempSync(join(tmpdir(), 'fornax-e2e-dist-'));
  cpSync(process.env.FORNAX_WEB, dist, { recursive: true });
  const server = await startServer({ dist });
  const { context, page, consoleErrors } = await launch({ webgpu: false });
  const marker = () => page.evaluate(() => getComputedStyle(document.body).getPropertyValue('--fornax-build').trim());
  try {
    await page.goto(server.url);
    await ready(page);
    await cachedForOffline(page);
    const oldCaches = await page.evaluate(() => caches.keys());
    assert.equal(oldCaches.length, 1);
    assert.equal(await marker(), '');

    // Deploy a new build: a changed stylesheet under a new hashed name, index.html
    // pointing at it, and the service worker rewritten by the real build hook.
    deployNewBuild(dist);
    await page.reload();
    await ready(page);
    const prompt = page.getByTestId('update-ready');
    await prompt.waitFor({ timeout: 60_000 });
    // Until the user accepts, the page runs entirely on the old build.
    assert.equal(await marker(), '');
    await page.screenshot({ path: `${artifacts}update-ready.png`, fullPage: true });

    await Promise.all([page.waitForEvent('load'), page.getByTestId('update-reload').click()]);
    await ready(page);
    assert.equal(await marker(), '"2"');
    assert.equal(await page.getByTestId('update-ready').count(), 0);
    // Only the new build's cache is left, and it has no file of the old one.
    const newCaches = await page.evaluate(() => caches.keys());
    assert.equal(newCaches.length, 1);
    assert.notEqual(newCaches[0], oldCaches[0]);
    const cached = await page.evaluate(async (name) => (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname), newCaches[0]);
    const served = readdirSync(dist, { recursive: true }).filter((f) => f !== 'sw.js' && !f.startsWith('demo/') && !f.startsWith('icons/') && f.includes('.'));
    for (const file of served) assert.ok(cached.includes(`/${file}`), `${file} is cached`);
    assert.ok(!cached.some((path) => /^\/style-(?!update)/.test(path)), `no old stylesheet: ${cached}`);
    assert.deepEqual(consoleErrors, []);
  } finally {
    await context.close();
    server.stop();
    rmSync(dist, { recursive: true, force: true });
  }
});

/** Replaces the build's stylesheet with one that sets `--fornax-build: "2"`. */
function deployNewBuild(dist) {
  const old = readdirSync(dist).find((f) => /^style-.*\.css$/.test(f));
  const css = `${readFileSync(join(dist, old), 'utf8')}\nbody { --fornax-build: "2"; }\n`;
  const integrity = `sha384-${createHash('sha384').update(css).digest('base64')}`;
  writeFileSync(join(dist, 'style-update2.css'), css);
  const html = readFileSync(join(dist, 'index.html'), 'utf8')
    .replace(/href="\/style-[^"]+\.css" integrity="[^"]+"/, `href="/style-update2.css" integrity="${integrity}"`);
  assert.ok(html.includes('style-update2.css'));
  writeFileSync(join(dist, 'index.html'), html);
  rmSync(join(dist, old));
  execFileSync('node', [HOOK], { env: { ...process.env, TRUNK_STAGING_DIR: dist } });
}
