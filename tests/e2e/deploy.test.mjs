// Deploy from the tab: train in the studio, upload the model to a second `fornax serve`
// (another origin, so CORS is real), and get the same prediction from the tab, from the
// deploy page's test button, and over plain HTTP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './server.mjs';
import { launch, artifacts } from './browser.mjs';

const TOKEN = 'e2e-deploy-token';
let studio;
let target;
before(async () => {
  studio = await startServer();
  target = await startServer({ web: false, args: ['--cors-origin', studio.url], env: { FORNAX_TOKEN: TOKEN } });
});
after(() => { studio?.stop(); target?.stop(); });

/** The studio with the demo dataset loaded and the settings panel open. */
async function openWithDemo(page) {
  await page.goto(studio.url);
  await page.getByTestId('backend-name').filter({ hasNotText: 'starting' }).waitFor({ timeout: 120_000 });
  await page.getByTestId('dataset-demo').click();
  await page.getByTestId('column-table').locator('tbody tr').nth(13).waitFor();
  await page.getByTestId('train-settings').locator('summary').click();
}

async function setting(page, id, value) {
  await page.getByTestId(id).fill(value);
  await page.getByTestId(id).dispatchEvent('change');
}

test('deploy the trained model to a server and predict there', { timeout: 600_000 }, async () => {
  const { context, page, consoleErrors } = await launch({ webgpu: false });
  try {
    await openWithDemo(page);
    await setting(page, 'setting-epochs', '40');
    await page.getByTestId('train-start').click();
    await page.getByTestId('metric-accuracy').waitFor({ timeout: 300_000 });

    const status = page.getByTestId('deploy-status');
    const deploy = async ({ server, token }) => {
      await page.getByTestId('deploy-server').fill(server);
      await page.getByTestId('deploy-token').fill(token);
      await page.getByTestId('deploy-start').click();
      await status.filter({ hasNotText: 'Uploading' }).waitFor();
      return status.innerText();
    };
    // The studio's own server was started without a token: it takes no uploads.
    assert.equal(await page.getByTestId('deploy-server').inputValue(), studio.url, 'the studio\'s own server is the default');
    assert.equal(await page.getByTestId('deploy-name').inputValue(), 'wine');
    assert.match(await deploy({ server: studio.url, token: 'anything' }), /^the server does not accept uploads: admin routes are disabled/);
    assert.equal(await deploy({ server: target.url, token: 'wrong' }), 'the server refused the token: check it against the server\'s FORNAX_TOKEN');
    assert.match(await deploy({ server: 'http://127.0.0.1:9', token: TOKEN }), /^no answer from http:\/\/127\.0\.0\.1:9\/v1\/models\/wine .*--cors-origin/);
    assert.equal(await deploy({ server: 'ftp://x', token: TOKEN }), 'the server address must start with http:// or https://, got `ftp://x`');

    assert.equal(await deploy({ server: `${target.url}/`, token: TOKEN }), `Deployed \`wine\` as version 1 on ${target.url}. API docs`);
    const endpoint = `${target.url}/v1/models/wine/predict`;
    assert.equal(await page.getByTestId('deploy-endpoint').innerText(), `POST ${endpoint}`);

    // The same row, predicted in the tab and by the server.
    await page.getByRole('button', { name: 'Predict', exact: true }).click();
    const inTab = page.getByTestId('predict-result');
    await inTab.filter({ hasText: /cultivar/ }).waitFor();
    const tabText = await inTab.innerText();
    await page.getByTestId('deploy-predict').click();
    const onServer = page.getByTestId('deploy-predict-result');
    await onServer.filter({ hasText: /version/ }).waitFor();
    const serverText = await onServer.innerText();
    assert.match(serverText, /^cultivar_\d \(probability [01]\.\d{3}\) · version 1 · [\d.]+ ms on the server$/);
    assert.equal(serverText.split(' · ')[0], tabText);

    // And over plain HTTP, with the body of the curl line the page shows.
    const curl = await page.getByTestId('deploy-curl').innerText();
    assert.ok(curl.startsWith(`curl -s ${endpoint}`), curl);
    const body = curl.match(/-d '(.*)'$/s)[1];
    const response = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(response.status, 200);
    const { predictions: [prediction] } = await response.json();
    assert.equal(`${prediction.label} (probability ${prediction.probabilities[prediction.label].toFixed(3)})`, tabText);

    // The ledger lists every request that left the tab: the refused uploads, the one that
    // went through, and the prediction (the ftp:// address was refused before sending).
    await page.getByTestId('network-ledger').locator('summary').click();
    assert.match(await page.getByTestId('ledger-summary').innerText(), /^5 requests left this device: [\d.]+ KB sent, [\d.]+ (B|KB) received\.$/);
    const ledger = await page.getByTestId('network-ledger').locator('tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.innerText)));
    assert.deepEqual(ledger.map((r) => [r[1], r[2], r[5].replace(/ \(.*/, '')]), [
      ['deploy the model', `PUT ${studio.url}/v1/models/wine`, 'HTTP 403'],
      ['deploy the model', `PUT ${target.url}/v1/models/wine`, 'HTTP 401'],
      ['deploy the model', 'PUT http://127.0.0.1:9/v1/models/wine', 'no answer from http://127.0.0.1:9/v1/models/wine'],
      ['deploy the model', `PUT ${target.url}/v1/models/wine`, 'HTTP 201'],
      ['predict on the server', `POST ${endpoint}`, 'HTTP 200'],
    ]);
    await page.getByTestId('deploy-status').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${artifacts}deploy.png`, fullPage: true });

    // The ledger is kept in the browser: after a reload it still lists the same requests.
    const rows = (locator) => locator.evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.innerText)));
    await page.reload();
    await page.getByTestId('ledger-summary').filter({ hasText: /^5 requests/ }).waitFor();
    await page.getByTestId('network-ledger').locator('summary').click();
    assert.deepEqual(await rows(page.getByTestId('network-ledger').locator('tbody tr')), ledger);
    assert.match(ledger[0][0], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    // The refused uploads above are logged by the browser as failed loads; nothing else may be.
    assert.deepEqual(consoleErrors.filter((e) => !/Failed to load resource|ERR_CONNECTION_REFUSED/.test(e)), []);
  } finally {
    await context.close();
  }
});

test('train on the server from the tab, watch it live, cancel, then use the model', { timeout: 600_000 }, async () => {
  const { context, page, consoleErrors } = await launch({ webgpu: false });
  try {
    await openWithDemo(page);
    await page.getByTestId('train-remote-panel').locator('summary').click();
    await page.getByTestId('remote-server').fill(target.url);
    await page.getByTestId('remote-token').fill(TOKEN);
    const status = page.getByTestId('train-status');
    await status.evaluate((el) => {
      window.statusLines = [];
      new MutationObserver(() => window.statusLines.push(el.innerText)).observe(el, { childList: true, subtree: true, characterData: true });
    });

    // A run too long to finish: it streams epochs, then Cancel stops it on the server.
    await setting(page, 'setting-epochs', '10000');
    await setting(page, 'setting-patience', '10000');
    await page.getByTestId('train-remote').click();
    await page.waitForFunction(() => window.statusLines.some((l) => /^Linear baseline: epoch \d+\/10000 · /.test(l)), null, { timeout: 120_000 });
    assert.equal(await page.getByTestId('train-pause').count(), 0, 'a server run has no pause');
    await page.getByTestId('train-cancel').click();
    await status.filter({ hasText: `Cancelled on ${target.url}.` }).waitFor({ timeout: 60_000 });
    const jobs = await (await fetch(`${target.url}/v1/jobs`, { headers: { authorization: `Bearer ${TOKEN}` } })).json();
    assert.equal(jobs.jobs.at(-1).state, 'cancelled');

    await setting(page, 'setting-epochs', '40');
    await setting(page, 'setting-patience', '15');
    await page.evaluate(() => { window.statusLines = []; });
    await page.getByTestId('train-remote').click();
    const accuracy = page.getByTestId('metric-accuracy');
    await accuracy.waitFor({ timeout: 300_000 });
    const lines = await page.evaluate(() => window.statusLines);
    assert.ok(lines.some((l) => l.startsWith(`Uploading wine.csv to ${target.url}`)), lines.join('\n'));
    // The run was too quick for a status line per epoch (events are drawn in batches),
    // but every epoch reached the curve.
    assert.match(await status.innerText(), new RegExp(`^Done on ${target.url.replace(/\./g, '\\.')}: the model trained for \\d+ epochs; it is registered there as \`wine\` version (\\d+)\\.$`));
    assert.ok(Number(await accuracy.innerText()) >= 0.85);
    const points = await page.locator('svg.curve polyline.train').first().getAttribute('points');
    assert.ok(points.split(' ').length > 10, points);

    // The model came back to the tab: it predicts here, and the server serves it.
    await page.getByRole('button', { name: 'Predict', exact: true }).click();
    const inTab = page.getByTestId('predict-result');
    await inTab.filter({ hasText: /cultivar/ }).waitFor();
    const version = Number((await status.innerText()).match(/version (\d+)\.$/)[1]);
    const model = await (await fetch(`${target.url}/v1/models/wine`)).json();
    assert.equal(model.version, version);
    const served = await (await fetch(`${target.url}/v1/models/wine/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rows: [model.example] }) })).json();
    assert.equal(served.version, version);
    assert.equal(await page.getByTestId('deploy-server').inputValue(), target.url, 'the deploy step offers the same server');

    await page.getByTestId('network-ledger').locator('summary').click();
    const whys = await page.getByTestId('network-ledger').locator('tbody tr td:nth-child(2)').allInnerTexts();
    assert.deepEqual([...new Set(whys)].sort(), [
      'bring the model trained on the server into the tab', 'cancel the training job', 'follow the training job',
      'send the dataset to train on the server', 'start the training job',
    ]);
    await page.screenshot({ path: `${artifacts}train-on-server.png`, fullPage: true });
    assert.deepEqual(consoleErrors, []);
  } finally {
    await context.close();
  }
});
