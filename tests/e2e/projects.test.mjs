// Projects kept in the browser (OPFS + IndexedDB): a run survives reloads and can be
// opened again; a project exported to a file and imported back has the same dataset
// bytes and bundle; a damaged file is refused and changes nothing; two tabs on one
// project do not lose each other's changes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { startServer } from './server.mjs';
import { launch, artifacts } from './browser.mjs';

const WINE = new URL('../../public/demo/wine.csv', import.meta.url).pathname;
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

let server;
before(async () => { server = await startServer(); });
after(() => server?.stop());

const ready = (page) => page.getByTestId('backend-name').filter({ hasNotText: 'starting' }).waitFor({ timeout: 120_000 });

/** Loads the demo, trains a short run and waits for its evaluation. */
async function train(page, epochs = '30') {
  await page.getByTestId('dataset-demo').click();
  await page.getByTestId('column-table').locator('tbody tr').nth(13).waitFor();
  await page.getByTestId('train-settings').locator('summary').click();
  await page.getByTestId('setting-epochs').fill(epochs);
  await page.getByTestId('setting-epochs').dispatchEvent('change');
  await page.getByTestId('train-start').click();
  await page.getByTestId('metric-accuracy').waitFor({ timeout: 300_000 });
  return page.getByTestId('metric-accuracy').innerText();
}

async function downloadBundle(page, path) {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('bundle-download').click()]);
  await download.saveAs(path);
  return sha256(readFileSync(path));
}

/** The bytes of a file kept in this browser's OPFS under projects/. */
function storedSha256(page, path) {
  return page.evaluate(async (path) => {
    let dir = await (await navigator.storage.getDirectory()).getDirectoryHandle('projects');
    const parts = path.split('/');
    for (const part of parts.slice(0, -1)) dir = await dir.getDirectoryHandle(part);
    const bytes = await (await (await dir.getFileHandle(parts.at(-1))).getFile()).arrayBuffer();
    return [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
  }, path);
}

test('a run is kept in the project, survives a reload and opens again', { timeout: 600_000 }, async () => {
  const { context, page, consoleErrors } = await launch({ webgpu: false });
  try {
    await page.goto(server.url);
    await ready(page);
    await page.getByTestId('project-name').filter({ hasText: 'My project' }).waitFor();
    assert.match(await page.getByTestId('project-no-runs').innerText(), /^No runs yet/);
    assert.match(await page.getByTestId('storage-status').innerText(), /^Stored in this browser: [\d.]+ [KMG]?B used of [\d.]+ [KMG]?B available; /);

    const accuracy = await train(page);
    const bundle = await downloadBundle(page, `${artifacts}project-run.fornax`);
    const run = page.getByTestId('project-run');
    await run.waitFor();
    assert.equal(await run.getByTestId('project-run-metric').innerText(), `accuracy ${accuracy}`);
    assert.match(await page.getByTestId('project-size').innerText(), /^1 run · 1 dataset · [\d.]+ KB$/);

    await page.reload();
    await ready(page);
    await run.waitFor();
    assert.equal(await page.getByTestId('project-name').innerText(), 'My project');
    assert.equal(await run.getByTestId('project-run-metric').innerText(), `accuracy ${accuracy}`);
    assert.equal(await page.getByTestId('metric-accuracy').count(), 0, 'nothing is open yet');
    await run.getByTestId('project-run-open').click();
    await page.getByTestId('metric-accuracy').waitFor();
    assert.equal(await page.getByTestId('metric-accuracy').innerText(), accuracy);
    assert.match(await page.getByTestId('train-status').innerText(), /^Run 1 opened from the project: trained on CPU \(Flex\) for \d+ epochs/);
    assert.ok((await page.locator('svg.curve polyline.train').getAttribute('points')).split(' ').length > 1, 'the loss curve is back');
    assert.equal(await downloadBundle(page, `${artifacts}project-run-reopened.fornax`), bundle);
    await page.getByRole('button', { name: 'Predict' }).click();
    await page.getByTestId('predict-result').filter({ hasText: /^cultivar_\d \(probability [01]\.\d{3}\)$/ }).waitFor();
    await page.screenshot({ path: `${artifacts}project-reopened.png`, fullPage: true });
    assert.deepEqual(consoleErrors, []);
  } finally {
    await context.close();
  }
});

test('export, delete and import a project: same dataset bytes and bundle; damaged files change nothing', { timeout: 600_000 }, async () => {
  const { context, page, consoleErrors } = await launch({ webgpu: false });
  try {
    await page.goto(server.url);
    await ready(page);
    await page.getByTestId('project-name').waitFor();
    await page.getByTestId('project-rename').click();
    await page.getByTestId('project-rename-input').fill('Wine study');
    await page.getByTestId('project-rename-save').click();
    await page.getByTestId('project-name').filter({ hasText: 'Wine study' }).waitFor();
    const accuracy = await train(page, '20');
    const bundle = await downloadBundle(page, `${artifacts}export-run.fornax`);
    await page.getByTestId('project-run').waitFor();

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('project-export').click()]);
    assert.equal(download.suggestedFilename(), 'Wine-study.fornax-project');
    const file = `${artifacts}Wine-study.fornax-project`;
    await download.saveAs(file);
    assert.equal(readFileSync(file).subarray(0, 2).toString(), 'PK');

    await page.getByTestId('project-delete').click();
    await page.getByTestId('project-delete-confirm').click();
    await page.getByTestId('project-name').filter({ hasText: 'My project' }).waitFor();
    assert.equal(await page.getByTestId('project-run').count(), 0);

    // A damaged file and a foreign one are refused; the projects stay as they were.
    const damaged = readFileSync(file);
    damaged[damaged.length - 30] ^= 0xff;
    const cases = [
      ['notes.fornax-project', Buffer.from('just some text'), /^notes\.fornax-project was not imported: this is not a Fornax project file: it is not a zip archive/],
      ['damaged.fornax-project', damaged, /^damaged\.fornax-project was not imported: /],
    ];
    await page.getByTestId('project-list').locator('summary').click();
    for (const [name, buffer, message] of cases) {
      await page.getByTestId('project-import').setInputFiles({ name, mimeType: 'application/zip', buffer });
      const banner = page.getByTestId('error-banner');
      await banner.waitFor();
      assert.match(await banner.innerText(), message);
      await banner.getByRole('button', { name: 'Dismiss' }).click();
      assert.equal(await page.getByTestId('project-name').innerText(), 'My project');
      assert.equal(await page.getByTestId('project-list-item').count(), 0);
    }

    await page.getByTestId('project-import').setInputFiles(file);
    await page.getByTestId('project-name').filter({ hasText: 'Wine study' }).waitFor();
    const run = page.getByTestId('project-run');
    assert.equal(await run.getByTestId('project-run-metric').innerText(), `accuracy ${accuracy}`);
    // The dataset kept in the browser is byte for byte the file loaded before export.
    const id = await page.evaluate(() => localStorage.getItem('fornax-project'));
    assert.equal(await storedSha256(page, `${id}/${sha256(readFileSync(WINE))}`), sha256(readFileSync(WINE)));
    await run.getByTestId('project-run-open').click();
    await page.getByTestId('metric-accuracy').waitFor();
    assert.equal(await downloadBundle(page, `${artifacts}imported-run.fornax`), bundle);
    // The other project made after the delete is still listed.
    assert.equal(await page.getByTestId('project-list-item').count(), 1);
    await page.screenshot({ path: `${artifacts}project-imported.png`, fullPage: true });
    assert.deepEqual(consoleErrors, []);
  } finally {
    await context.close();
  }
});

test('two tabs on one project keep both changes', { timeout: 600_000 }, async () => {
  const { context, page, consoleErrors } = await launch({ webgpu: false });
  try {
    await page.goto(server.url);
    await ready(page);
    await page.getByTestId('project-name').waitFor();
    const other = await context.newPage();
    await other.goto(server.url);
    await other.getByTestId('project-name').filter({ hasText: 'My project' }).waitFor();

    // Tab A trains (a dataset and a run); tab B, which never saw them, renames.
    await train(page, '10');
    await page.getByTestId('project-run').waitFor();
    await other.getByTestId('project-rename').click();
    await other.getByTestId('project-rename-input').fill('Renamed in the other tab');
    await other.getByTestId('project-rename-save').click();
    await other.getByTestId('project-run').waitFor();
    assert.equal(await other.getByTestId('project-name').innerText(), 'Renamed in the other tab');

    await page.reload();
    await page.getByTestId('project-name').filter({ hasText: 'Renamed in the other tab' }).waitFor();
    assert.equal(await page.getByTestId('project-run').count(), 1);
    assert.match(await page.getByTestId('project-size').innerText(), /^1 run · 1 dataset/);
    assert.deepEqual(consoleErrors, []);
  } finally {
    await context.close();
  }
});
