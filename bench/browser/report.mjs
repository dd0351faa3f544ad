// The browser benchmark's section of bench/RESULTS.md, from run.mjs's figures.

const mb = (bytes) => (bytes == null ? '–' : (bytes / 2 ** 20).toFixed(1));
const fixed = (x, digits) => (x == null || Number.isNaN(x) ? '–' : x.toFixed(digits));

/** The fastest successful run of a peer (by samples/s). */
function best(runs, peer) {
  return runs.filter((r) => r.peer === peer && !r.error && r.samples_per_second).sort((a, b) => b.samples_per_second - a.samples_per_second)[0];
}

export function markdown(results) {
  let out = `## Training in the browser: Fornax vs TensorFlow.js${results.smoke ? ' (smoke run)' : ''}\n\n`;
  out += `Run on ${results.date} on ${results.machine}: Fornax's training worker (the studio's own, \`app/worker\`, Burn on Flex or WebGPU) against `
    + `TensorFlow.js ${results.tfjs} (wasm backend with SIMD, single-threaded as the page is not cross-origin isolated; `
    + `WebGL and WebGPU backends where offered) in headless Chromium ${results.chromium}. Reproduce: \`cargo xtask bench browser\`. `
    + 'On this machine the WebGPU and WebGL adapters are SwiftShader, a CPU emulation of a GPU: their figures say how the code '
    + 'paths run, not how a real GPU would. Both sides train the same model (an MLP, or conv blocks of a 3x3 convolution with padding 1, '
    + 'ReLU and a 2x2 max pool before it; PyTorch\'s default initialization), Adam (lr 0.001, '
    + 'eps 1e-8), batch 64, cross-entropy, a shuffle per epoch and a validation pass per epoch, on the same rows (TF.js gets the '
    + 'split Fornax\'s seeded split chose) standardized on the training rows. Samples/s count the epochs after the first; the first '
    + 'epoch\'s time includes starting the backend and reading the data. The emulated backends run fewer epochs (shown), so their '
    + 'accuracy is not comparable; a run unfinished after 300 s is reported as such. '
    + 'Memory: the page\'s peak JS heap (for Fornax, the page that drives the worker), and the worker\'s Wasm memory (Fornax) or '
    + 'the peak bytes of TF.js tensors. Harness: `bench/browser/` (`run.mjs`, `bench.js`, `serve.mjs`, `report.mjs`).\n\n';
  for (const w of results.workloads) {
    out += `### ${w.name}\n\n`;
    out += '| Backend | Samples/s | First epoch | Test accuracy | Epochs run | Peak JS heap, MB | Wasm or tensor memory, MB |\n';
    out += '|---|---:|---:|---:|---:|---:|---:|\n';
    for (const r of w.runs) {
      const name = r.peer === 'fornax' ? `Fornax ${r.backend ?? r.requested}` : (r.backend ?? `TF.js ${r.requested}`);
      if (r.error) {
        out += `| ${name} | failed: ${r.error.replace(/\|/g, '/')} | | | | | |\n`;
        continue;
      }
      out += `| ${name} | ${fixed(r.samples_per_second, 0)} | ${fixed(r.first_epoch_seconds, 2)} s | ${fixed(r.test_accuracy, 4)} | ${r.epochs} | `
        + `${mb(r.peak_js_heap)} | ${mb(r.wasm_memory_bytes ?? r.peak_tensor_bytes)} |\n`;
    }
    const fornax = best(w.runs, 'fornax');
    const tfjs = best(w.runs, 'tfjs');
    if (fornax && tfjs) {
      out += `\nBest Fornax (${fornax.backend}) / best TF.js (${tfjs.backend}): **${(fornax.samples_per_second / tfjs.samples_per_second).toFixed(2)}x** `
        + `samples/s; test accuracy ${fornax.test_accuracy.toFixed(4)} vs ${tfjs.test_accuracy.toFixed(4)}.`;
      if (tfjs.epochs < w.epochs) {
        out += ` TF.js's fastest backend that finished here is an emulated one (${w.epochs - tfjs.epochs} fewer epochs), `
          + 'so this ratio and its accuracy say little about TF.js on a real GPU.';
      }
      out += '\n\n';
    }
  }
  const app = results.app;
  if (app) {
    out += '### The studio\'s size and start\n\n';
    out += '| What | Measured | Goal |\n|---|---:|---:|\n';
    out += `| UI: Wasm + JS + CSS + HTML, gzip | ${(app.ui_gzip_bytes / 1024).toFixed(0)} KB | ≤ 1024 KB |\n`;
    out += `| Training worker: Wasm + JS, gzip (loaded after the UI) | ${(app.worker_gzip_bytes / 2 ** 20).toFixed(2)} MB | ≤ 4 MB |\n`;
    out += `| Navigation to interactive (the data step's buttons drawn), loopback, median of ${app.loads} cold loads | ${fixed(app.interactive_ms, 0)} ms | ≤ 1500 ms |\n`;
    out += `| Navigation to the training worker ready (backend chosen) | ${fixed(app.worker_ready_ms, 0)} ms | |\n`;
  }
  return out;
}
