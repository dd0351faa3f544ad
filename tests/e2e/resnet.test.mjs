// A ResNet-style network on pictures, on the CPU and on WebGPU (SwiftShader here): the
// digits demo at 8 x 8, the ResNet family picked, its blocks shown with their shapes and
// parameters before anything trains (the counts torchvision's layout gives), a preset and
// stages edited, trained, evaluated, and the bundle's model named a ResNet.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './server.mjs';
import { launch, artifacts } from './browser.mjs';

let server;
before(async () => { server = await startServer(); });
after(() => server?.stop());

for (const mode of [
  { name: 'cpu', webgpu: false, backend: /^CPU \(Flex\)$/ },
  { name: 'webgpu', webgpu: true, backend: /^WebGPU/ },
]) {
  test(`a ResNet on pictures: its shapes before training, then trained (${mode.name})`, { timeout: 600_000 }, async () => {
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
      await page.getByTestId('setting-model').selectOption('resnet');
      // The small preset at the default 32 x 32: torchvision's counts for the same layout.
      assert.equal(await page.getByTestId('resnet-preset').inputValue(), 'small');
      const blocks = page.getByTestId('resnet-blocks').locator('tbody tr');
      assert.equal(await blocks.count(), 8, 'image, stem convolution, batch norm, ReLU, three blocks, pool');
      assert.deepEqual(await blocks.nth(5).locator('td').allInnerTexts(),
        ['6', 'basic block 32 channels stride 2', '16 x 32 x 32 → 32 x 16 x 16', '14528']);
      assert.equal(await page.getByTestId('resnet-total').innerText(),
        'ResNet 16-32-64 x1-1-1 on 32x32 pictures: 77754 parameters in all, the output layer\'s 10 included.');
      // ResNet-18's layout on these pictures, then stages of the user's own.
      await page.getByTestId('resnet-preset').selectOption('resnet18');
      await page.getByTestId('resnet-total').filter({ hasText: /^ResNet-18 on 32x32 pictures: 11175\d{3} parameters/ }).waitFor();
      await field('resnet-widths', '8, 16, 0, 8');
      assert.match(await page.getByTestId('resnet-problem').innerText(), /every stage needs at least 1 channel/);
      assert.equal(await page.getByTestId('train-start').isDisabled(), true, 'a network that cannot be built does not train');

      // Small pictures and a small network, so that the run is short on an emulated GPU.
      await page.getByTestId('image-side').selectOption('8');
      // The pictures are fitted again at 8 x 8 before the stages are edited.
      await page.waitForFunction(() => document.querySelector('[data-testid="thumbnail"]')?.naturalWidth === 8, null, { timeout: 60_000 });
      await page.getByTestId('resnet-stem').selectOption('small');
      await field('resnet-widths', '8, 16');
      await field('resnet-depths', '1, 1');
      await page.getByTestId('resnet-total').filter({ hasText: 'ResNet 8-16 x1-1 on 8x8 pictures: 5122 parameters' }).waitFor();
      assert.equal(await page.getByTestId('resnet-preset').inputValue(), 'custom');
      await field('setting-epochs', mode.webgpu ? '4' : '12');
      await page.getByTestId('resnet-settings').screenshot({ path: `${artifacts}resnet-settings-${mode.name}.png` });
      await page.getByTestId('train-start').click();

      const accuracy = page.getByTestId('metric-accuracy');
      await accuracy.waitFor({ timeout: 500_000 });
      const acc = Number(await accuracy.innerText());
      // Natively these settings score 0.9 after 12 epochs; a model that learned nothing gets 0.1.
      assert.ok(acc >= (mode.webgpu ? 0.4 : 0.8), `test accuracy ${acc}`);
      assert.equal(await page.getByTestId('metric-model').innerText(), 'ResNet-style');
      await page.screenshot({ path: `${artifacts}resnet-${mode.name}.png`, fullPage: true });
      assert.deepEqual(consoleErrors, []);
    } finally {
      await context.close();
    }
  });
}
