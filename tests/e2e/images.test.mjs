// A folder of pictures as a user brings it: the digits demo (a .zip whose subfolders are
// the classes) is looked at (classes, counts, thumbnails, channel statistics equal to
// what `fornax data profile` prints), fitted again at another size, augmented (with a
// preview that repeats with its seed), trained as a CNN in
// the tab, evaluated, and asked about one picture, which the native CLI answers the same
// with the bundle the tab made. A picked folder with bad files lists each one with why.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer } from './server.mjs';
import { launch, artifacts } from './browser.mjs';

const demo = new URL('../../public/demo/digits-images.zip', import.meta.url).pathname;
const badFolder = new URL('../../core/tests/fixtures/images/bad', import.meta.url).pathname;
const fornax = (...args) => execFileSync(process.env.FORNAX_BIN, args).toString();

const TOKEN = 'e2e-images-token';
let server;
before(async () => { server = await startServer({ env: { FORNAX_TOKEN: TOKEN } }); });
after(() => server?.stop());

test('a folder of pictures: look at it, train a CNN, predict a picture', { timeout: 600_000 }, async () => {
  const { context, page, consoleErrors } = await launch({ webgpu: false });
  try {
    await page.goto(server.url);
    await page.getByTestId('backend-name').filter({ hasNotText: 'starting' }).waitFor({ timeout: 120_000 });

    await page.getByTestId('dataset-demo-digits').click();
    const classes = page.getByTestId('image-class');
    await classes.nth(9).waitFor({ timeout: 120_000 });
    assert.equal(await classes.count(), 10);
    const counts = await classes.evaluateAll((rows) => rows.map((r) => Number(r.querySelectorAll('td')[1].innerText)));
    // scikit-learn's digits: 1,797 pictures, 174 to 183 per digit.
    assert.equal(counts.reduce((a, b) => a + b, 0), 1797);
    assert.deepEqual(counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    assert.equal(await page.getByTestId('thumbnail').count(), 80, 'eight pictures per class');
    const shown = await page.getByTestId('thumbnail').first().evaluate((img) => [img.complete, img.naturalWidth]);
    assert.deepEqual(shown, [true, 32], 'each thumbnail is the 32 x 32 square the model reads');
    assert.match(await page.getByTestId('dataset-summary').innerText(),
      /^digits-images\.zip: 1797 images in 10 classes, grey; the pictures came all 8 x 8 px\.$/);
    assert.equal(await page.getByTestId('target-column').inputValue(), 'class');
    assert.equal(await page.getByTestId('train-remote-panel').count(), 0, 'servers train tables only');

    // Fitted again at 16 x 16: the statistics are the CLI's for the same file and size.
    await page.getByTestId('image-side').selectOption('16');
    await page.waitForFunction(() => document.querySelector('[data-testid="thumbnail"]')?.naturalWidth === 16, null, { timeout: 60_000 });
    const profile = fornax('data', 'profile', demo, '--image-size', '16');
    const [, mean, std] = profile.match(/grey\s+mean (\S+)\s+std (\S+)/);
    const stats = page.getByTestId('channel-stats').locator('tbody td');
    assert.equal(Number(await stats.nth(1).innerText()).toFixed(4), Number(mean).toFixed(4));
    assert.equal(Number(await stats.nth(2).innerText()).toFixed(4), Number(std).toFixed(4));
    // The training and test pictures side by side, as the run will split them: alike.
    await page.getByTestId('test-stats').filter({ hasText: /^0\.\d{4}, 0\.\d{4}$/ }).waitFor();
    const [trainMean] = (await page.getByTestId('train-stats').innerText()).split(', ').map(Number);
    const [testMean] = (await page.getByTestId('test-stats').innerText()).split(', ').map(Number);
    assert.ok(Math.abs(trainMean - testMean) < 0.02, `train ${trainMean}, test ${testMean}`);
    assert.equal(await page.getByTestId('image-shift-warning').count(), 0);
    assert.equal(await page.getByTestId('size-histogram').count(), 0, 'one size: no histogram');

    // Augmentation: the preview shows the first picture of each of the first eight classes with six draws, and
    // the same settings and seed show the same draws again.
    const setField = async (id, value) => {
      await page.getByTestId(id).fill(value);
      await page.getByTestId(id).dispatchEvent('change');
    };
    assert.equal(await page.getByTestId('augment-preview').count(), 0, 'nothing switched on, no preview');
    await setField('augment-rotation', '15');
    const draws = page.getByTestId('augment-draw');
    await draws.nth(47).waitFor({ timeout: 60_000 });
    assert.equal(await draws.count(), 48);
    const sources = () => draws.evaluateAll((imgs) => imgs.map((img) => img.src));
    const rotated = await sources();
    assert.ok(new Set(rotated).size > 40, 'each draw is its own');
    assert.equal(await draws.first().evaluate((img) => img.naturalWidth), 16, 'drawn at the size the model reads');
    const firstDraw = (different, before) => page.waitForFunction(([different, before]) => {
      const src = document.querySelector('[data-testid="augment-draw"]')?.src;
      return different ? src !== before : src === before;
    }, [different, before], { timeout: 60_000 });
    await page.getByTestId('augment-flip-horizontal').check();
    await firstDraw(true, rotated[0]);
    await page.getByTestId('augment-flip-horizontal').uncheck();
    await firstDraw(false, rotated[0]);
    assert.deepEqual(await sources(), rotated, 'the same settings and seed show the same preview');
    await setField('augment-brightness', '0.2');
    await firstDraw(true, rotated[0]);
    await setField('augment-contrast', '2');
    assert.match(await page.getByTestId('augment-problem').innerText(), /contrast is from 0 to 1, got 2/);
    assert.equal(await page.getByTestId('augment-preview').count(), 0, 'no preview of settings that cannot train');
    await setField('augment-contrast', '0');
    await draws.nth(47).waitFor({ timeout: 60_000 });
    await page.getByTestId('augment-settings').screenshot({ path: `${artifacts}images-augment-settings.png` });
    await page.getByTestId('augment-preview').screenshot({ path: `${artifacts}images-augment.png` });

    await page.getByTestId('train-settings').locator('summary').click();
    assert.equal(await page.getByTestId('setting-model').inputValue(), 'cnn', 'pictures train a CNN by default');
    assert.equal(await page.getByTestId('setting-image').count(), 0, 'the side comes from the pictures');
    await setField('setting-epochs', '15');
    await page.getByTestId('copy-config').click();
    const config = JSON.parse(await page.getByTestId('config-json').innerText());
    assert.deepEqual(config.augment, { rotation: 15, flip_horizontal: false, flip_vertical: false, brightness: 0.2, contrast: 0 });
    await page.getByTestId('train-start').click();

    const accuracy = page.getByTestId('metric-accuracy');
    await accuracy.waitFor({ timeout: 400_000 });
    const acc = Number(await accuracy.innerText());
    // The CLI scores 0.93 on 8 x 8 with these settings; a model that learned nothing gets 0.1.
    assert.ok(acc >= 0.85, `test accuracy ${acc}`);
    assert.equal(await page.getByTestId('metric-model').innerText(), 'CNN');
    const matrix = await page.getByTestId('confusion-matrix').locator('tbody tr')
      .evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => Number(td.innerText))));
    assert.equal(matrix.length, 10);
    const tested = matrix.flat().reduce((a, b) => a + b, 0);
    assert.ok(tested > 250 && tested < 290, `15% of 1,797 pictures tested, got ${tested}`);
    // The pictures it got wrong are shown, as many as the matrix has off its diagonal (24 at most).
    const wrong = tested - matrix.reduce((sum, row, i) => sum + row[i], 0);
    assert.equal(await page.getByTestId('mistake').count(), Math.min(wrong, 24));
    if (wrong > 0) assert.match(await page.getByTestId('mistake').first().innerText(), /^\d -> \d \(\d\.\d\d\)$/);

    // One picture predicted in the tab, then by the CLI with the bundle the tab made.
    const picture = `${artifacts}digit-3.png`;
    execFileSync('sh', ['-c', `unzip -p "${demo}" digits/3/0003.png > "${picture}"`]);
    await page.getByTestId('predict-image').setInputFiles(picture);
    const result = page.getByTestId('predict-result');
    await result.filter({ hasText: /\d \d\.\d{3}/ }).waitFor({ timeout: 60_000 });
    const top = (await result.innerText()).split(', ');
    assert.equal(top.length, 3, 'the three likeliest classes');
    const [label, probability] = top[0].split(' ');
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('bundle-download').click()]);
    const bundle = `${artifacts}digits-images.fornax`;
    await download.saveAs(bundle);
    const cli = fornax('predict', '--model', bundle, '--data', picture).split('\n');
    const header = cli[0].split(',');
    const row = cli[1].split(',');
    assert.equal(row[header.indexOf('prediction')], label, 'the CLI predicts what the tab did');
    assert.ok(Math.abs(Number(row[header.indexOf(`probability_${label}`)]) - Number(probability)) < 1e-3);

    // Deployed to the studio's own server, which answers the same picture the same way,
    // from the page's button and from the page's curl line run in a shell.
    await page.getByTestId('deploy-token').fill(TOKEN);
    await page.getByTestId('deploy-start').click();
    const deployed = page.getByTestId('deploy-status');
    await deployed.filter({ hasNotText: 'Uploading' }).waitFor();
    assert.equal(await deployed.innerText(), `Deployed \`digits-images\` as version 1 on ${server.url}. API docs`);
    await page.getByTestId('deploy-predict').click();
    const served = page.getByTestId('deploy-predict-result');
    await served.filter({ hasText: 'on the server' }).waitFor();
    const [, servedLabel, servedProbability] = (await served.innerText()).match(/^(\S+) \(probability ([\d.]+)\) · version 1 · [\d.]+ ms on the server$/);
    assert.equal(servedLabel, label);
    assert.ok(Math.abs(Number(servedProbability) - Number(probability)) <= 2e-3);
    const curl = await page.getByTestId('deploy-curl').innerText();
    execFileSync('cp', [picture, `${artifacts}picture.png`]);
    const answer = JSON.parse(execFileSync('sh', ['-c', curl], { cwd: artifacts }).toString());
    assert.equal(answer.predictions[0].label, label);

    await page.screenshot({ path: `${artifacts}images.png`, fullPage: true });
    assert.deepEqual(consoleErrors, []);
  } finally {
    await context.close();
  }
});

test('a picked folder with bad files lists each one, and skipping them loads the rest', { timeout: 300_000 }, async () => {
  const { context, page, consoleErrors } = await launch({ webgpu: false });
  try {
    await page.goto(server.url);
    await page.getByTestId('backend-name').filter({ hasNotText: 'starting' }).waitFor({ timeout: 120_000 });
    await page.getByTestId('dataset-folder').setInputFiles(badFolder);
    const offer = page.getByTestId('bad-images-offer');
    await offer.waitFor({ timeout: 60_000 });
    const listed = await page.getByTestId('bad-images').locator('li').allInnerTexts();
    const reason = (file) => listed.find((l) => l.startsWith(`${file}:`)) ?? `${file} not listed in ${listed}`;
    assert.equal(listed.length, 6, listed.join('\n'));
    assert.match(reason('a/empty.png'), /empty \(0 bytes\)/);
    assert.match(reason('a/notes.png'), /not an image/);
    assert.match(reason('b/truncated.png'), /.+/);
    assert.match(reason('b/bomb.png'), /20000/);
    assert.match(reason('lonely/only.png'), /class `lonely` has 1 image/);
    assert.match(reason('loose.png'), /not inside a class folder/);
    assert.equal(await page.getByTestId('dataset-summary').count(), 0, 'nothing loads before the choice');
    await page.screenshot({ path: `${artifacts}images-bad-files.png`, fullPage: true });

    await page.getByTestId('bad-images-skip').click();
    await page.getByTestId('dataset-summary').filter({ hasText: 'bad.zip: 6 images in 2 classes' }).waitFor({ timeout: 60_000 });
    await page.getByTestId('skipped-images').locator('summary').filter({ hasText: '6 files left out' }).waitFor();
    assert.equal(await page.getByTestId('image-class').count(), 2);
    assert.deepEqual(consoleErrors, []);
  } finally {
    await context.close();
  }
});
