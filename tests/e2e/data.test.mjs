// The data studio as a user walks it: import a CSV with missing values by the file
// input, read its profile, fill missing values, undo, see the counts change, split by
// time and see the train-versus-test warning, export the recipe and the cleaned CSV.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer } from './server.mjs';
import { launch, artifacts } from './browser.mjs';

const penguins = new URL('../../core/tests/fixtures/peer/penguins.csv', import.meta.url).pathname;

let server;
before(async () => { server = await startServer(); });
after(() => server?.stop());

test('profile, clean, split and export in the tab', { timeout: 300_000 }, async () => {
  const { context, page, consoleErrors } = await launch({ webgpu: false });
  try {
    await page.goto(server.url);
    await page.getByTestId('dataset-file').setInputFiles(penguins);
    await page.getByTestId('column-table').locator('tbody tr').nth(7).waitFor();
    await page.getByTestId('target-column').selectOption('species');

    // The profile: every column, its type, missing share, statistics and a chart.
    const profile = page.getByTestId('profile-table');
    await profile.locator('tbody tr').nth(7).waitFor();
    const bill = profile.locator('tbody tr', { hasText: 'bill_length_mm' });
    assert.match(await bill.innerText(), /float\s+2 \(0\.6%\)\s+164/);
    assert.match(await bill.innerText(), /mean 43\.922 · std 5\.46 · min 32\.1 · q1 39\.225 · median 44\.45/);
    assert.equal(await profile.getByTestId('histogram').count(), 8);
    const summary = page.getByTestId('data-summary');
    assert.match(await summary.innerText(), /344 rows, 8 columns, 0 duplicate rows, 19 missing cells/);
    assert.match(await summary.innerText(), /classes: Adelie 44%, Gentoo 36%, Chinstrap 20%/);
    await profile.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${artifacts}data-profile.png`, fullPage: true });

    // A random split of this data: no feature differs between train and test.
    const verdict = page.getByTestId('drift-verdict');
    await verdict.filter({ hasText: 'no feature differs' }).waitFor();
    assert.match(await page.getByTestId('split-sizes').innerText(), /train 240 · validation 52 · test 52 rows/);

    // Mean-fill one column, most-frequent-fill another: the missing counts fall.
    const steps = page.getByTestId('step-report');
    await page.getByTestId('step-column').selectOption('bill_length_mm');
    await page.getByTestId('add-step').click();
    await steps.filter({ hasText: 'missing cells 19 → 17' }).waitFor();
    assert.match(await steps.first().innerText(), /fill missing `bill_length_mm` with the mean \(43\.9\d*\)/);
    await page.getByTestId('step-column').selectOption('sex');
    await page.getByTestId('step-fill').selectOption('mode');
    await page.getByTestId('add-step').click();
    await steps.filter({ hasText: 'missing cells 17 → 6' }).waitFor();
    // Undo takes the last step back; adding it again brings it back.
    await page.getByTestId('undo-step').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=step-report]').length === 1);
    await page.getByTestId('add-step').click();
    await steps.nth(1).waitFor();
    await summary.filter({ hasText: '6 missing cells' }).waitFor();
    // Drop the rows still missing values: the row count changes too.
    await page.getByTestId('step-kind').selectOption('drop_missing');
    await page.getByTestId('step-column').selectOption('body_mass_g');
    await page.getByTestId('add-step').click();
    await steps.filter({ hasText: 'rows 344 → 342 · missing cells 6 → 0' }).waitFor();

    // One-hot with a cap: an "other" column for the rarer islands (the profile is unchanged).
    await page.getByTestId('max-categories').fill('2');
    await page.getByTestId('max-categories').dispatchEvent('change');

    // Split by year: the latest year is the test part, and the check flags it.
    await page.getByTestId('order-by').selectOption('year');
    await verdict.filter({ hasText: 'distributed differently' }).waitFor();
    assert.match(await verdict.innerText(), /year/);
    const yearRow = page.getByTestId('drift-table').locator('tr.shifted', { hasText: 'year' });
    assert.match(await yearRow.innerText(), /Kolmogorov-Smirnov/);
    assert.ok(await page.getByTestId('drift-overlay').count() >= 1);
    await page.getByTestId('drift-table').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${artifacts}data-drift.png`, fullPage: true });

    // The recipe, fitted on the training rows, and the cleaned CSV.
    const [recipeFile] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-recipe').click()]);
    const recipe = JSON.parse(readFileSync(await recipeFile.path(), 'utf8'));
    assert.equal(recipeFile.suggestedFilename(), 'recipe.json');
    assert.equal(recipe.steps.length, 3);
    assert.equal(recipe.steps[0].with, 'mean');
    // Fitted on the training rows (2007 and 2008 once split by year), not on all 344.
    assert.ok(Math.abs(recipe.steps[0].value - 43.4) < 0.1, `fitted mean ${recipe.steps[0].value}`);
    assert.equal(recipe.steps[1].value, 'male');
    assert.equal(recipe.max_categories, 2);
    assert.equal(recipe.order_by, 'year');
    const [csvFile] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
    const csv = readFileSync(await csvFile.path(), 'utf8').trim().split('\n');
    assert.equal(csv[0], 'species,island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year');
    assert.equal(csv.length, 1 + 342);
    assert.ok(csv.every((line) => !line.includes(',,') && !line.endsWith(',')), 'no missing cells left');
    assert.deepEqual(consoleErrors, []);
  } finally {
    await context.close();
  }
});

/** 40 rows: an id, a zip code read as a number, a temperature with -999 for "not measured", a label; lines 5 and 12 are ragged. */
function messyCsv() {
  const lines = ['id,zip,temp,label'];
  for (let i = 1; i <= 40; i++) {
    const temp = i % 8 === 0 ? '-999' : (15 + (i * 7) % 11).toFixed(1);
    lines.push(`${i},${[75001, 69002, 13001][i % 3]},${temp},${i % 2 ? 'dry' : 'wet'}`);
  }
  lines.splice(4, 0, '99,75001,20.5,dry,extra');
  lines.splice(11, 0, '98,69002');
  return lines.join('\n') + '\n';
}

test('ragged rows are offered for skipping; missing markers, roles and types are set per column', { timeout: 300_000 }, async () => {
  const { context, page, consoleErrors } = await launch({ webgpu: false });
  try {
    await page.goto(server.url);
    // Dropped on the data card, as from a file manager.
    const dataTransfer = await page.evaluateHandle((text) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], 'messy.csv', { type: 'text/csv' }));
      return transfer;
    }, messyCsv());
    await page.getByTestId('data-card').dispatchEvent('dragover', { dataTransfer });
    await page.getByTestId('data-card').dispatchEvent('drop', { dataTransfer });
    const offer = page.getByTestId('ragged-offer');
    await offer.waitFor();
    assert.equal(await offer.locator('span').innerText(), "messy.csv: 2 rows (lines 5 and 12) have a field count other than the header's 4.");
    await page.screenshot({ path: `${artifacts}data-ragged.png`, fullPage: true });
    await page.getByTestId('ragged-skip').click();
    await page.getByTestId('dataset-summary').filter({ hasText: 'messy.csv: 40 rows, 4 columns (2 ragged rows left out)' }).waitFor();
    assert.equal(await offer.count(), 0);

    // The profile as read: -999 is a temperature until it is said to mean "missing".
    const profile = page.getByTestId('profile-table');
    const temp = profile.locator('tbody tr', { hasText: 'temp' });
    await temp.waitFor();
    assert.match(await temp.innerText(), /min -999/);
    await page.getByTestId('missing-markers').fill('-999');
    await page.getByTestId('missing-markers').dispatchEvent('change');
    await temp.filter({ hasText: '5 (12.5%)' }).waitFor();
    assert.match(await temp.innerText(), /min 15/);

    // Roles and types per column: the id is ignored, the zip code is a category.
    const columns = page.getByTestId('column-table');
    await columns.locator('tr', { hasText: 'id' }).getByTestId('column-role').selectOption('ignore');
    await profile.locator('tbody tr', { hasText: 'id' }).waitFor({ state: 'detached' });
    const zipType = columns.locator('tr', { hasText: 'zip' }).getByTestId('column-type');
    assert.equal(await zipType.inputValue(), 'number');
    await zipType.selectOption('category');
    await profile.locator('tbody tr', { hasText: 'zip' }).filter({ hasText: 'categorical' }).waitFor();
    const steps = await page.getByTestId('step-report').allInnerTexts();
    assert.deepEqual(steps.map((s) => s.split(' · ')[0]), ['read `-999` as missing', 'drop column `id`', 'read `zip` as categories']);
    assert.equal(await columns.locator('tr', { hasText: 'label' }).getByTestId('column-role').inputValue(), 'target');
    await columns.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${artifacts}data-columns.png`, fullPage: true });

    // A run trains on the data as read, and its recipe keeps how it was read.
    await page.getByTestId('train-start').click();
    await page.getByTestId('train-status').filter({ hasText: /^Done:/ }).waitFor({ timeout: 240_000 });
    const [recipeFile] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-recipe').click()]);
    const recipe = JSON.parse(readFileSync(await recipeFile.path(), 'utf8'));
    assert.deepEqual(recipe.steps.slice(0, 3), [
      { step: 'missing_markers', markers: ['-999'] },
      { step: 'drop_columns', columns: ['id'] },
      { step: 'as_category', column: 'zip' },
    ]);
    assert.deepEqual(consoleErrors, []);
  } finally {
    await context.close();
  }
});

test('the penguins demo, and a large file that shows how far parsing has come', { timeout: 300_000 }, async () => {
  const { context, page, consoleErrors } = await launch({ webgpu: false });
  try {
    await page.goto(server.url);
    await page.getByTestId('backend-name').filter({ hasNotText: 'starting' }).waitFor({ timeout: 120_000 });
    await page.getByTestId('dataset-demo-penguins').click();
    await page.getByTestId('dataset-summary').filter({ hasText: 'penguins.csv: 344 rows, 8 columns' }).waitFor();
    await page.getByTestId('data-summary').filter({ hasText: '19 missing cells' }).waitFor();
    // About 25 MB: parsing reports every MiB.
    const rows = ['a,b,c,d,e'];
    for (let i = 0; i < 500_000; i++) rows.push(`${i},${(i * 0.37) % 101},${i % 17},x${i % 5},${(i * 13) % 1000 / 7}`);
    const buffer = Buffer.from(rows.join('\n') + '\n');
    // Every fraction the progress bar shows, sampled each frame.
    await page.evaluate(() => {
      window.progressSeen = [];
      const sample = () => {
        const bar = document.querySelector('[data-testid=load-progress] progress');
        if (bar) window.progressSeen.push(bar.value);
        requestAnimationFrame(sample);
      };
      sample();
    });
    await page.getByTestId('dataset-file').setInputFiles({ name: 'large.csv', mimeType: 'text/csv', buffer });
    await page.getByTestId('dataset-summary').filter({ hasText: 'large.csv: 500000 rows, 5 columns' }).waitFor({ timeout: 120_000 });
    const seen = await page.evaluate(() => window.progressSeen);
    assert.ok(seen.some((f) => f > 0.05 && f < 0.95), `fractions seen: ${seen.slice(0, 40)}`);
    assert.deepEqual(consoleErrors, []);
  } finally {
    await context.close();
  }
});
