// Pause a run, reload the tab, and resume it from the checkpoint kept in the browser
// (OPFS): the run continues from the saved epoch and finishes with its evaluation.
// On the CPU (Flex), whose checkpoints carry the optimizer's state.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './server.mjs';
import { launch, artifacts } from './browser.mjs';

let server;
before(async () => { server = await startServer(); });
after(() => server?.stop());

const EPOCHS = 1500;

/// Has the page click Pause itself at the first epoch of `model` it shows.
function pauseAtFirstEpoch(page, model, epochs) {
  return page.evaluate(([model, epochs]) => {
    const status = document.querySelector('[data-testid="train-status"]');
    const first = new RegExp(`^${model}: epoch \\d+/${epochs}`);
    const watch = new MutationObserver(() => {
      if (!first.test(status.innerText)) return;
      watch.disconnect();
      document.querySelector('[data-testid="train-pause"]').click();
    });
    watch.observe(status, { childList: true, subtree: true, characterData: true });
  }, [model, epochs]);
}

async function setSettings(page, settings) {
  for (const [id, value] of settings) {
    await page.getByTestId(id).fill(value);
    await page.getByTestId(id).dispatchEvent('change');
  }
}

test('a paused run survives a reload and resumes to the end', { timeout: 600_000 }, async () => {
  const { context, page, consoleErrors } = await launch({ webgpu: false });
  try {
    await page.goto(server.url);
    const ready = () => page.getByTestId('backend-name').filter({ hasNotText: 'starting' }).waitFor({ timeout: 120_000 });
    await ready();
    assert.equal(await page.getByTestId('resume-offer').count(), 0, 'a fresh browser has nothing to resume');
    await page.getByTestId('dataset-demo').click();
    await page.getByTestId('column-table').locator('tbody tr').nth(13).waitFor();

    await page.getByTestId('train-settings').locator('summary').click();
    await setSettings(page, [['setting-epochs', String(EPOCHS)], ['setting-patience', '0']]);
    // The wine MLP's epochs take about a millisecond each on the CPU: a click from the test,
    // a round trip away, can come after the run ended. The page clicks Pause itself at
    // the first MLP epoch it shows.
    await pauseAtFirstEpoch(page, 'MLP', EPOCHS);
    await page.getByTestId('train-start').click();
    const status = page.getByTestId('train-status');

    // Paused: the checkpoint of the epoch it stopped at is stored, and the run waits.
    const paused = status.filter({ hasText: new RegExp(`^Paused at mlp, epoch (\\d+) of ${EPOCHS}\\.`) });
    await paused.waitFor({ timeout: 120_000 });
    const epoch = Number((await status.innerText()).match(/epoch (\d+) of/)[1]);
    assert.ok(epoch >= 1 && epoch < EPOCHS, `paused at epoch ${epoch}`);
    assert.equal(await page.getByTestId('checkpoint-status').innerText(), `Checkpoint saved in this browser: mlp, epoch ${epoch} of ${EPOCHS}.`);
    assert.equal(await page.getByTestId('train-pause').innerText(), 'Continue');
    await page.screenshot({ path: `${artifacts}training-paused.png`, fullPage: true });

    // A reload (or a crash) loses the tab's state, not the run.
    await page.reload();
    await ready();
    const offer = page.getByTestId('resume-offer');
    await offer.waitFor();
    assert.equal(
      await offer.locator('span').innerText(),
      `An unfinished run was saved in this browser: cultivar from wine.csv, at mlp, epoch ${epoch} of ${EPOCHS}. ` +
        "The optimizer's moments restart: the browser cannot restore them yet.",
    );
    await page.screenshot({ path: `${artifacts}resume-offer.png`, fullPage: true });
    await page.getByTestId('resume-run').click();

    // It goes on from the next epoch: the replayed history comes first, then new epochs.
    const lines = [];
    await status.evaluate((el) => {
      window.statusLines = [];
      new MutationObserver(() => window.statusLines.push(el.innerText)).observe(el, { childList: true, subtree: true, characterData: true });
    });
    await page.getByTestId('metric-accuracy').waitFor({ timeout: 300_000 }).catch(async (e) => {
      await page.screenshot({ path: `${artifacts}resume-failed.png`, fullPage: true });
      throw new Error(`${e.message}\nstatus: ${await status.innerText()}\nconsole: ${consoleErrors.join('\n')}`);
    });
    lines.push(...await page.evaluate(() => window.statusLines));
    const epochs = lines.map((l) => l.match(/^MLP: epoch (\d+)\//)?.[1]).filter(Boolean).map(Number);
    assert.ok(epochs.some((e) => e > epoch), `trained past epoch ${epoch}: ${epochs.slice(0, 5)}`);
    assert.match(await status.innerText(), new RegExp(`^Done: the model trained for ${EPOCHS} epochs in [\\d.]+ s`));
    assert.ok(Number(await page.getByTestId('metric-accuracy').innerText()) >= 0.85);
    assert.equal(await page.getByTestId('confusion-matrix').locator('tbody tr').count(), 3);
    assert.equal(await page.getByTestId('target-column').inputValue(), 'cultivar');
    const points = (await page.locator('svg.curve polyline.train').getAttribute('points')).split(' ');
    assert.ok(points.length > 1, 'the loss curve shows the whole run');
    await page.screenshot({ path: `${artifacts}resumed-done.png`, fullPage: true });

    // A finished run leaves nothing to resume.
    await page.reload();
    await ready();
    await page.waitForTimeout(500);
    assert.equal(await page.getByTestId('resume-offer').count(), 0);
    assert.deepEqual(consoleErrors, []);
  } finally {
    await context.close();
  }
});

test('a paused run on pictures fitted at 16 x 16 resumes after a reload, fitted the same way', { timeout: 600_000 }, async () => {
  const { context, page, consoleErrors } = await launch({ webgpu: false });
  try {
    await page.goto(server.url);
    const ready = () => page.getByTestId('backend-name').filter({ hasNotText: 'starting' }).waitFor({ timeout: 120_000 });
    await ready();
    await page.getByTestId('dataset-demo-digits').click();
    await page.getByTestId('image-class').nth(9).waitFor({ timeout: 120_000 });
    await page.getByTestId('image-side').selectOption('16');
    const side = () => page.getByTestId('thumbnail').first().evaluate((img) => img.naturalWidth);
    await page.waitForFunction(() => document.querySelector('[data-testid="thumbnail"]')?.naturalWidth === 16, null, { timeout: 60_000 });

    await page.getByTestId('train-settings').locator('summary').click();
    const epochs = 6;
    await setSettings(page, [['setting-epochs', String(epochs)], ['setting-patience', '0']]);
    await pauseAtFirstEpoch(page, 'CNN', epochs);
    await page.getByTestId('train-start').click();
    const status = page.getByTestId('train-status');
    await status.filter({ hasText: new RegExp(`^Paused at cnn, epoch \\d+ of ${epochs}\\.`) }).waitFor({ timeout: 120_000 });
    const epoch = Number((await status.innerText()).match(/epoch (\d+) of/)[1]);

    await page.reload();
    await ready();
    const offer = page.getByTestId('resume-offer');
    await offer.waitFor();
    assert.match(await offer.locator('span').innerText(),
      new RegExp(`^An unfinished run was saved in this browser: class from digits-images\\.zip, at cnn, epoch ${epoch} of ${epochs}\\.`));
    await page.getByTestId('resume-run').click();
    // The pictures are fitted at 16 x 16 again, as the run was, so its data matches.
    await page.getByTestId('metric-accuracy').waitFor({ timeout: 300_000 }).catch(async (e) => {
      await page.screenshot({ path: `${artifacts}resume-images-failed.png`, fullPage: true });
      throw new Error(`${e.message}\nstatus: ${await status.innerText()}\nconsole: ${consoleErrors.join('\n')}`);
    });
    assert.match(await status.innerText(), new RegExp(`^Done: the model trained for ${epochs} epochs in [\\d.]+ s`));
    assert.equal(await page.getByTestId('image-side').inputValue(), '16');
    assert.equal(await side(), 16);
    assert.ok(Number(await page.getByTestId('metric-accuracy').innerText()) >= 0.8);
    await page.screenshot({ path: `${artifacts}resumed-images-done.png`, fullPage: true });
    assert.deepEqual(consoleErrors, []);
  } finally {
    await context.close();
  }
});
