// An EfficientNet-style network on pictures, on the CPU:
// the digits demo, the EfficientNet family picked, its blocks shown with their shapes and
// parameters before anything trains (torchvision's counts for B0's and MobileNetV2's
// layouts), a multiplier out of range refused in words, then a small B0 trained at 8 x 8,
// evaluated, and the bundle's model named an EfficientNet.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './server.mjs';
import { launch, artifacts } from './browser.mjs';

let server;
before(async () => { server = await startServer(); });
after(() => server?.stop());

// CPU only: on SwiftShader's emulated WebGPU, four epochs of this network did not finish
// in 500 s (its depthwise and squeeze-and-excitation convolutions), so WebGPU training of
// this family is left to a machine with a GPU; the ResNet test covers WebGPU training.
for (const mode of [
  { name: 'cpu', webgpu: false, backend: /^CPU \(Flex\)$/ },
]) {
  test(`an EfficientNet on pictures: its shapes before training, then trained (${mode.name})`, { timeout: 600_000 }, async () => {
    const { context, page, consoleErrors } = await launch(mode);
    try {
      await page.goto(server.url);
      const backend = page.getByTestId('backend-name');
      await backend.filter({ hasNotText: 'starting' }).waitFor({ timeout: 120_000 });
      assert.match(await backend.innerText(), mode.backend);
      await page.getByTestId('dataset-demo-digits').click();
      await page.getByTestId('image-class').nth(9).waitFor({ timeout: 120_000 });

      const field = async (id, value) => {
        await page.getByTestId(id).fill(value);
        await page.getByTestId(id).dispatchEvent('change');
      };
      await page.getByTestId('train-settings').locator('summary').click();
      await page.getByTestId('setting-model').selectOption('efficientnet');
      // The small preset (B0 at a quarter of its width and depth) at the default 32 x 32.
      assert.equal(await page.getByTestId('efficientnet-preset').inputValue(), 'small');
      const blocks = page.getByTestId('efficientnet-blocks').locator('tbody tr');
      assert.equal(await blocks.count(), 16, 'image, stem, seven blocks, head, pool, dropout');
      assert.deepEqual(await blocks.nth(5).locator('td').allInnerTexts(),
        ['6', 'mb_conv 8 channels 3x3 stride 2 expand 6 squeeze-excite swish', '8 x 16 x 16 → 8 x 8 x 8', '1650']);
      assert.equal(await page.getByTestId('efficientnet-total').innerText(),
        'EfficientNet-B0 x0.25 width x0.25 depth on 32x32 pictures: 126678 parameters in all, the output layer\'s 10 included.');
      // MobileNetV2's layout on these pictures.
      await page.getByTestId('efficientnet-preset').selectOption('mobilenet_v2');
      await page.getByTestId('efficientnet-total').filter({ hasText: 'MobileNetV2 on 32x32 pictures: 2236106 parameters' }).waitFor();
      assert.equal(await page.getByTestId('efficientnet-layout').inputValue(), 'mobilenet_v2');
      await field('efficientnet-width', '0');
      assert.match(await page.getByTestId('efficientnet-problem').innerText(), /width multiplier is from 0.1 to 4, got 0/);
      assert.equal(await page.getByTestId('train-start').isDisabled(), true, 'a network that cannot be built does not train');

      // Small pictures and the small preset, so that the run is short on an emulated GPU.
      await page.getByTestId('image-side').selectOption('8');
      await page.waitForFunction(() => document.querySelector('[data-testid="thumbnail"]')?.naturalWidth === 8, null, { timeout: 60_000 });
      await page.getByTestId('efficientnet-layout').selectOption('b0');
      await field('efficientnet-width', '0.25');
      await field('efficientnet-depth', '0.25');
      await page.getByTestId('efficientnet-total').filter({ hasText: /^EfficientNet-B0 x0.25 width x0.25 depth on 8x8 pictures/ }).waitFor();
      assert.equal(await page.getByTestId('efficientnet-preset').inputValue(), 'small');
      await field('setting-epochs', mode.webgpu ? '4' : '15');
      await field('setting-learning-rate', '0.003');
      await page.getByTestId('efficientnet-settings').screenshot({ path: `${artifacts}efficientnet-settings-${mode.name}.png` });
      await page.getByTestId('train-start').click();

      const accuracy = page.getByTestId('metric-accuracy');
      await accuracy.waitFor({ timeout: 500_000 });
      const acc = Number(await accuracy.innerText());
      // Natively these settings score NATIVE after 15 epochs; a model that learned nothing gets 0.1.
      assert.ok(acc >= (mode.webgpu ? 0.3 : 0.7), `test accuracy ${acc}`);
      assert.equal(await page.getByTestId('metric-model').innerText(), 'EfficientNet-style');
      await page.screenshot({ path: `${artifacts}efficientnet-${mode.name}.png`, fullPage: true });
      assert.deepEqual(consoleErrors, []);
    } finally {
      await context.close();
    }
  });
}
