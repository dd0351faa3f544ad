// The page side of the browser benchmark: trains one workload with TensorFlow.js (on
// the main thread, like a TF.js app) or with Fornax (its real training worker, the one
// the studio uses) and reports timing, losses, accuracy and memory. Both sides train
// the same model (an MLP, or a CNN: conv blocks before the MLP) on the same rows:
// Fornax's seeded split, inputs standardized with the training rows' mean and
// population std, PyTorch's default initialization (uniform in +-1/sqrt(fan_in), which
// Burn's Linear and Conv2d use too), Adam (lr, betas 0.9/0.999, eps 1e-8),
// cross-entropy on logits, a shuffle per epoch and a validation pass per epoch.

const log = (line) => { document.getElementById('log').textContent += `${line}\n`; };

/** Peak of what the page's JS heap held, sampled at each epoch. */
function heap() {
  return performance.memory ? performance.memory.usedJSHeapSize : null;
}

/** Fornax's worker, started from the studio's build under /fornax/. */
function fornaxWorker() {
  const worker = new Worker('/fornax/worker_loader.js');
  const waiting = [];
  let failed = null;
  worker.onmessage = (event) => {
    const message = JSON.parse(event.data.json);
    if (message.type === 'failed') failed = message.message;
    for (const w of waiting.splice(0)) w(message);
  };
  worker.onerror = (e) => { failed = e.message; for (const w of waiting.splice(0)) w({ type: 'failed', message: e.message }); };
  const next = (type) => new Promise((resolve, reject) => {
    const wait = (message) => {
      if (message.type === type) resolve(message);
      else if (message.type === 'failed') reject(new Error(`Fornax: ${message.message}`));
      else waiting.push(wait);
    };
    if (failed) reject(new Error(`Fornax: ${failed}`)); else waiting.push(wait);
  });
  const send = (message, bytes) => worker.postMessage(bytes ? { json: JSON.stringify(message), bytes } : { json: JSON.stringify(message) }, bytes ? [bytes] : []);
  return { worker, next, send };
}

async function runFornax(spec) {
  const started = performance.now();
  const { worker, next, send } = fornaxWorker();
  await next('alive');
  send({ type: 'init', webgpu: spec.backend === 'webgpu' });
  const { backend } = await next('ready');
  if (spec.backend === 'webgpu' && !backend.name.startsWith('WebGPU')) throw new Error(`no WebGPU in the worker: ${backend.reason}`);
  const csv = await (await fetch(spec.data)).arrayBuffer();
  const ready = performance.now();
  send({
    type: 'benchmark',
    target: spec.target,
    hidden: spec.hidden,
    epochs: spec.epochs,
    batch_size: spec.batchSize,
    learning_rate: spec.learningRate,
    conv: spec.conv ?? null,
  }, csv);
  const { report, wasm_memory_bytes } = await next('benchmarked');
  worker.terminate();
  return {
    backend: backend.name,
    startup_seconds: (ready - started) / 1000,
    ...report,
    // The worker's seconds count from the start of training; add its start and the
    // data's arrival, as the TF.js side's count from the start of its workload.
    first_epoch_seconds: report.first_epoch_seconds + (ready - started) / 1000,
    peak_js_heap: heap(),
    wasm_memory_bytes,
  };
}

/** CSV of numbers with a header, the label column named `target`. */
function parseCsv(text, target) {
  const lines = text.trim().split('\n');
  const header = lines[0].split(',');
  const label = header.indexOf(target);
  const width = header.length - 1;
  const x = new Float32Array((lines.length - 1) * width);
  const y = new Int32Array(lines.length - 1);
  for (let r = 1; r < lines.length; r++) {
    const cells = lines[r].split(',');
    let c = 0;
    for (let i = 0; i < cells.length; i++) {
      if (i === label) y[r - 1] = Number(cells[i]);
      else x[(r - 1) * width + c++] = Number(cells[i]);
    }
  }
  return { x, y, width, rows: lines.length - 1 };
}

function take(data, rows) {
  const x = new Float32Array(rows.length * data.width);
  const y = new Int32Array(rows.length);
  rows.forEach((row, i) => {
    x.set(data.x.subarray(row * data.width, (row + 1) * data.width), i * data.width);
    y[i] = data.y[row];
  });
  return { x, y };
}

/** Standardizes in place with the training part's mean and population std (1 where 0). */
function standardize(parts, width) {
  const n = parts.train.y.length;
  const mean = new Float64Array(width);
  const sq = new Float64Array(width);
  for (let r = 0; r < n; r++) for (let c = 0; c < width; c++) mean[c] += parts.train.x[r * width + c];
  for (let c = 0; c < width; c++) mean[c] /= n;
  for (let r = 0; r < n; r++) for (let c = 0; c < width; c++) sq[c] += (parts.train.x[r * width + c] - mean[c]) ** 2;
  const std = [...sq].map((s) => Math.sqrt(s / n) || 1);
  for (const part of Object.values(parts)) {
    for (let i = 0; i < part.x.length; i++) part.x[i] = (part.x[i] - mean[i % width]) / std[i % width];
  }
}

async function runTfjs(spec) {
  const started = performance.now();
  const tf = window.tf;
  if (spec.backend === 'wasm') tf.wasm.setWasmPaths('/tfjs-wasm/');
  if (!(await tf.setBackend(spec.backend))) throw new Error(`TF.js has no ${spec.backend} backend here`);
  await tf.ready();
  const data = parseCsv(await (await fetch(spec.data)).text(), spec.target);
  const parts = { train: take(data, spec.split.train), valid: take(data, spec.split.valid), test: take(data, spec.split.test) };
  standardize(parts, data.width);
  const classes = Math.max(...data.y) + 1;
  const tensors = (part) => [tf.tensor2d(part.x, [part.y.length, data.width]), tf.oneHot(tf.tensor1d(part.y, 'int32'), classes)];
  const [xTrain, yTrain] = tensors(parts.train);
  const [xValid, yValid] = tensors(parts.valid);
  const [xTest] = tensors(parts.test);

  // PyTorch's (and Burn's) default Linear and Conv2d initialization:
  // U(-1/sqrt(fan_in), +1/sqrt(fan_in)) for weights and biases.
  const uniform = (fanIn) => () => tf.initializers.randomUniform({ minval: -1 / Math.sqrt(fanIn), maxval: 1 / Math.sqrt(fanIn) });
  const model = tf.sequential();
  let fanIn = data.width;
  if (spec.conv) {
    // Fornax's conv blocks: 3x3 "same" convolution, ReLU, 2x2 max pool; then flatten.
    const [height, width] = spec.conv.image;
    model.add(tf.layers.reshape({ targetShape: [height, width, 1], inputShape: [data.width] }));
    let channelsIn = 1;
    for (const filters of spec.conv.channels) {
      const init = uniform(channelsIn * 9);
      model.add(tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(), biasInitializer: init() }));
      model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
      channelsIn = filters;
    }
    model.add(tf.layers.flatten());
    fanIn = channelsIn * (height >> spec.conv.channels.length) * (width >> spec.conv.channels.length);
  }
  for (const [i, units] of [...spec.hidden, classes].entries()) {
    const init = uniform(fanIn);
    model.add(tf.layers.dense({
      units,
      activation: i < spec.hidden.length ? 'relu' : 'linear',
      inputShape: i === 0 && !spec.conv ? [data.width] : undefined,
      kernelInitializer: init(),
      biasInitializer: init(),
    }));
    fanIn = units;
  }
  model.compile({
    optimizer: tf.train.adam(spec.learningRate, 0.9, 0.999, 1e-8),
    loss: (yTrue, logits) => tf.losses.softmaxCrossEntropy(yTrue, logits),
    metrics: ['accuracy'],
  });
  const epochEnds = [];
  const trainLosses = [];
  let peakHeap = heap();
  let peakTensorBytes = tf.memory().numBytes;
  const fitStart = performance.now();
  await model.fit(xTrain, yTrain, {
    epochs: spec.epochs,
    batchSize: spec.batchSize,
    shuffle: true,
    validationData: [xValid, yValid],
    verbose: 0,
    callbacks: {
      onEpochEnd: async (epoch, logs) => {
        epochEnds.push((performance.now() - fitStart) / 1000);
        trainLosses.push(logs.loss);
        peakHeap = Math.max(peakHeap ?? 0, heap() ?? 0) || null;
        peakTensorBytes = Math.max(peakTensorBytes, tf.memory().numBytes);
      },
    },
  });
  // Read back asynchronously: synchronous reads are unreliable on the WebGPU backend.
  const classesTensor = tf.tidy(() => model.predict(xTest).argMax(1));
  const predicted = await classesTensor.data();
  classesTensor.dispose();
  let right = 0;
  predicted.forEach((p, i) => { if (p === parts.test.y[i]) right++; });
  const trainRows = parts.train.y.length;
  const timed = epochEnds.length - 1;
  const result = {
    backend: `TF.js ${tf.getBackend()}`,
    epochs: epochEnds.length,
    train_rows: trainRows,
    first_epoch_seconds: epochEnds[0] + (fitStart - started) / 1000,
    samples_per_second: timed > 0 ? (trainRows * timed) / (epochEnds[timed] - epochEnds[0]) : null,
    train_losses: trainLosses,
    test_accuracy: right / parts.test.y.length,
    peak_js_heap: peakHeap,
    peak_tensor_bytes: peakTensorBytes,
    wasm_memory_bytes: null,
  };
  tf.dispose([xTrain, yTrain, xValid, yValid, xTest]);
  model.dispose();
  return result;
}

/** Runs one workload; `spec.peer` is `fornax` or `tfjs`. */
window.runWorkload = async (spec) => {
  log(`${spec.peer} ${spec.backend} ${spec.name}...`);
  const result = spec.peer === 'fornax' ? await runFornax(spec) : await runTfjs(spec);
  log(`  ${JSON.stringify({ ...result, train_losses: undefined, split: undefined })}`);
  return result;
};

/** What this browser offers, for choosing backends. */
window.capabilities = async () => {
  const gpu = navigator.gpu ? await navigator.gpu.requestAdapter().catch(() => null) : null;
  const canvas = document.createElement('canvas');
  return { webgpu: Boolean(gpu), webgl: Boolean(canvas.getContext('webgl2') || canvas.getContext('webgl')) };
};
