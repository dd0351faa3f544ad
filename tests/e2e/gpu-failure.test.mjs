// When the GPU fails mid-run, the studio says what failed and what to do, moves
// training to the CPU, and keeps the dataset and settings: the user trains again at
// once. The failure is real: a layer too wide for one WebGPU buffer on SwiftShader's
// adapter, the same error a real GPU gives for a model that does not fit it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './server.mjs';
import { launch, artifacts } from './browser.mjs';

let server;
before(async () => { server = await startServer(); });
after(() => server?.stop());

test('a GPU failure moves training to the CPU and loses nothing', { timeout: 600_000 }, async () => {
  const { context, page, consoleErrors } = await launch({ webgpu: true });
  try {
    await page.goto(server.url);
    const backend = page.getByTestId('backend-name');
    await backend.filter({ hasText: /^WebGPU/ }).waitFor({ timeout: 120_000 });
    await page.getByTestId('dataset-demo').click();
    await page.getByTestId('column-table').locator('tbody tr').nth(13).waitFor();

    await page.getByTestId('train-settings').locator('summary').click();
    const set = async (field, value) => {
      await field.fill(value);
      await field.dispatchEvent('change');
    };
    const setting = (id, value) => set(page.getByTestId(id), value);
    // Warned about, and started anyway: one batch of 100 rows of this layer's activations
    // is 1.2 times what the adapter binds in a buffer (its weights stay within Fornax's
    // own limit on parameters).
    const limit = Number((await backend.locator('..').getAttribute('title')).match(/maxStorageBufferBindingSize: (\d+)/)[1]);
    const width = Math.ceil((1.2 * limit) / (100 * 4));
    const batch = page.getByLabel('Batch size');
    await set(batch, '100');
    await setting('setting-epochs', '5');
    await setting('setting-hidden', String(width));
    await page.getByTestId('settings-memory').waitFor();
    await page.getByTestId('train-start').click();

    const banner = page.getByTestId('error-banner');
    await banner.waitFor({ timeout: 300_000 });
    const text = await banner.innerText();
    assert.match(text, /^WebGPU failed: /);
    assert.doesNotMatch(text, /Caused by|backtrace/i, 'the innermost cause, not the whole chain');
    assert.match(text, /use a smaller batch or narrower layers\. Training now runs on the CPU \(Flex\); reload the page to use the GPU again\./);
    await backend.filter({ hasText: /^CPU \(Flex\)$/ }).waitFor({ timeout: 60_000 });
    assert.match(await backend.locator('..').getAttribute('title'), /^WebGPU failed in this session/);
    assert.match(await page.getByTestId('train-status').innerText(), /^Stopped: WebGPU failed\.$/);
    await page.screenshot({ path: `${artifacts}gpu-failure.png`, fullPage: true });

    // The dataset, the target and the settings are still there: narrower layers train on the CPU.
    assert.equal(await page.getByTestId('column-table').locator('tbody tr').count(), 14);
    assert.equal(await page.getByTestId('target-column').inputValue(), 'cultivar');
    assert.equal(await page.getByTestId('setting-epochs').inputValue(), '5');
    await setting('setting-hidden', '32');
    await setting('setting-epochs', '60');
    await set(batch, '');
    await page.waitForFunction(() => !document.querySelector('[data-testid="train-start"]').disabled);
    await page.getByTestId('train-start').click();
    const accuracy = page.getByTestId('metric-accuracy');
    await accuracy.waitFor({ timeout: 300_000 });
    // It learned (the majority class alone scores 0.40).
    assert.ok(Number(await accuracy.innerText()) >= 0.7, await accuracy.innerText());
    assert.match(await page.getByTestId('train-status').innerText(), /^Done: the model trained for \d+ epochs/);
    assert.equal(await banner.count(), 0, 'a new run clears the error');

    // The only console errors are the failure's own (the worker logs its panic).
    assert.ok(consoleErrors.every((e) => /panicked|wgpu|WebGPU|Validation|unreachable|buffer/i.test(e)), consoleErrors.join('\n'));
  } finally {
    await context.close();
  }
});
