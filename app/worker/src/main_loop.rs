//! The worker's message loop: owns the dataset, the device and the trained model, so the
//! UI thread never runs Burn. Runs `fornax_core::train::train`, the same
//! function as the CLI and the server.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use fornax_core::Error;
use fornax_core::bundle::Bundle;
use fornax_core::data::images::{ImageOptions, ImageProfile, ImageSet, Imported};
use fornax_core::data::{RaggedRows, Table, without_ragged_rows};
use fornax_core::device::Device;
use fornax_core::predict::Predictor;
use fornax_core::recipe::Augment;
use fornax_core::train::{BenchmarkSpec, Checkpoint, Control, DataPlan, Progress, TrainConfig, TrainSink};
use js_sys::{ArrayBuffer, Reflect, Uint8Array};
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use fornax_wire::worker::{
    self as protocol, AugmentedImage, Backend, Dataset, FromWorker, ImageSummary, Mistake, Thumbnail, ToWorker,
    TrainedModel, inspect_key,
};

#[derive(Default)]
struct State {
    device: Option<Device>,
    /// The device is WebGPU's.
    on_gpu: bool,
    /// The loaded dataset: one of these at a time.
    table: Option<Rc<Table>>,
    images: Option<Rc<ImageSet>>,
    predictor: Option<Rc<Predictor>>,
    busy: bool,
    /// A file with ragged rows, already without them, while the user decides.
    ragged: Option<(String, Vec<u8>, RaggedRows)>,
    /// A folder of pictures with files that cannot be used, imported without them,
    /// while the user decides; with the `.zip` a picked folder became.
    bad_images: Option<(String, Imported, Option<Vec<u8>>)>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
    static CANCEL: Cell<bool> = const { Cell::new(false) };
    static PAUSED: Cell<bool> = const { Cell::new(false) };
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Posts a message to the UI.
pub fn post(message: &FromWorker) {
    post_with_bytes(message, None);
}

/// Posts a message with file contents, transferred rather than copied.
fn post_with_bytes(message: &FromWorker, bytes: Option<&[u8]>) {
    let (object, transfer) = protocol::pack(message, bytes.map(|b| Uint8Array::from(b).buffer()));
    let _ = scope().post_message_with_transfer(&object, &transfer);
}

fn fail(message: impl Into<String>) {
    post(&FromWorker::Failed { message: message.into() });
}

/// Entry point of the worker binary: installs the message handler, then says so.
pub fn start() {
    std::panic::set_hook(Box::new(report_panic));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        let (message, bytes) = protocol::unpack::<ToWorker>(&event.data());
        match message {
            Ok(ToWorker::Cancel) => CANCEL.with(|c| c.set(true)),
            Ok(ToWorker::Pause) => PAUSED.with(|p| p.set(true)),
            Ok(ToWorker::Continue) => PAUSED.with(|p| p.set(false)),
            Ok(message) => wasm_bindgen_futures::spawn_local(handle(message, bytes)),
            Err(e) => fail(format!("the worker got a message it does not understand: {e}")),
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&FromWorker::Alive);
}

/// Logs a panic to the console and tells the UI, which replaces this worker: a Wasm
/// panic aborts, so nothing here can run again safely.
fn report_panic(info: &std::panic::PanicHookInfo) {
    console_error_panic_hook::hook(info);
    post(&FromWorker::Crashed { message: fornax_core::train::panic_text(info.payload()) });
}

async fn handle(message: ToWorker, bytes: Option<ArrayBuffer>) {
    match message {
        ToWorker::Init { webgpu, cpu_reason } => init(webgpu, cpu_reason).await,
        ToWorker::LoadFile { name, images } => match bytes {
            Some(bytes) => {
                let bytes = Uint8Array::new(&bytes).to_vec();
                if fornax_core::data::images::is_zip(&bytes) {
                    load_images(name, &bytes, images, None);
                } else {
                    load_csv(name, bytes);
                }
            }
            None => fail("no file contents arrived"),
        },
        ToWorker::LoadFolder { name, files, images } => match bytes {
            Some(bytes) => load_folder(name, &Uint8Array::new(&bytes).to_vec(), &files, images),
            None => fail("no file contents arrived"),
        },
        ToWorker::SkipChoice { skip } => {
            let (ragged, bad_images) = STATE.with(|s| {
                let mut s = s.borrow_mut();
                (s.ragged.take(), s.bad_images.take())
            });
            if let (true, Some((name, bytes, rows))) = (skip, ragged) {
                load_without_ragged(name, &bytes, rows);
            }
            if let (true, Some((name, imported, zip))) = (skip, bad_images) {
                loaded_images(name, imported, zip);
            }
        }
        ToWorker::PredictImage { name } => match bytes {
            Some(bytes) => predict_image(&name, &Uint8Array::new(&bytes).to_vec()).await,
            None => fail("no picture arrived"),
        },
        ToWorker::PreviewAugment { augment, seed } => preview_augment(augment, seed),
        ToWorker::DataBenchmark => data_benchmark(bytes),
        ToWorker::Train { target, config } => run(Run::Fresh { target, config: Box::new(config) }).await,
        ToWorker::Resume => {
            let Some(bytes) = bytes else { return fail("no checkpoint arrived") };
            match Checkpoint::from_bytes(&Uint8Array::new(&bytes).to_vec()) {
                Ok(checkpoint) => run(Run::Resumed(Box::new(checkpoint))).await,
                Err(e) => fail(e.to_string()),
            }
        }
        ToWorker::Predict { row } => predict(row).await,
        ToWorker::Inspect { target, config } => inspect(&target, &config),
        ToWorker::ExportCsv { target, config } => export_csv(&target, &config),
        ToWorker::UseBundle { seconds } => {
            let Some(bytes) = bytes else { return fail("no model arrived") };
            match Bundle::from_bytes(&Uint8Array::new(&bytes).to_vec()) {
                Ok(bundle) => finish(bundle, seconds, None).await,
                Err(e) => fail(format!("the server's model cannot be used: {e}")),
            }
        }
        ToWorker::Benchmark(spec) => benchmark(spec, bytes).await,
        ToWorker::Cancel | ToWorker::Pause | ToWorker::Continue => {}
    }
}

/// The browser benchmark's Fornax side: the same training and timing as natively
/// (`fornax_core::train::benchmark`), plus the time to parse the CSV here.
async fn benchmark(spec: BenchmarkSpec, bytes: Option<ArrayBuffer>) {
    let Some(bytes) = bytes else { return fail("no file contents arrived") };
    let Some(device) = STATE.with(|s| s.borrow().device.clone()) else {
        return fail("the worker has no device yet");
    };
    let parse_started = js_sys::Date::now();
    let table = match Table::from_csv_bytes(&Uint8Array::new(&bytes).to_vec()) {
        Ok(table) => table,
        Err(e) => return fail(e.to_string()),
    };
    let parse_seconds = (js_sys::Date::now() - parse_started) / 1000.0;
    match fornax_core::train::benchmark(&device, &table, &spec).await {
        Ok(mut report) => {
            report.first_epoch_seconds += parse_seconds;
            post(&FromWorker::Benchmarked { report, wasm_memory_bytes: wasm_memory_bytes() });
        }
        Err(e) => fail(e.to_string()),
    }
}

async fn init(webgpu: bool, cpu_reason: Option<String>) {
    let (device, backend) = if webgpu {
        match webgpu_adapter().await {
            Ok(Some((adapter_name, limits))) => match fornax_core::device::webgpu().await {
                Ok(device) => (
                    device,
                    Backend {
                        name: format!("WebGPU ({adapter_name})"),
                        reason: "a WebGPU adapter is available".into(),
                        limits,
                    },
                ),
                Err(e) => (fornax_core::device::cpu(), cpu_backend(format!("{e}; using the CPU"))),
            },
            Ok(None) => (fornax_core::device::cpu(), cpu_backend("this browser offers no WebGPU adapter".into())),
            Err(e) => (fornax_core::device::cpu(), cpu_backend(format!("WebGPU failed: {e}"))),
        }
    } else {
        (fornax_core::device::cpu(), cpu_backend(cpu_reason.unwrap_or_else(|| "WebGPU was switched off".into())))
    };
    let on_gpu = backend.is_webgpu();
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.device = Some(device);
        s.on_gpu = on_gpu;
    });
    post(&FromWorker::Ready { backend });
}

fn cpu_backend(reason: String) -> Backend {
    Backend { name: "CPU (Flex)".into(), reason, limits: Vec::new() }
}

/// Asks `navigator.gpu` for an adapter; `None` when the browser has no WebGPU or no
/// adapter. Read through `Reflect` because web-sys's WebGPU bindings are unstable.
async fn webgpu_adapter() -> Result<Option<(String, Vec<(String, f64)>)>, String> {
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).map_err(|_| "no navigator")?;
    let gpu = Reflect::get(&navigator, &"gpu".into()).map_err(|_| "navigator.gpu unreadable")?;
    if gpu.is_undefined() || gpu.is_null() {
        return Ok(None);
    }
    let request: js_sys::Function = Reflect::get(&gpu, &"requestAdapter".into())
        .and_then(|f| f.dyn_into())
        .map_err(|_| "navigator.gpu.requestAdapter is missing")?;
    let promise: js_sys::Promise =
        request.call0(&gpu).and_then(|p| p.dyn_into()).map_err(|_| "requestAdapter failed")?;
    let adapter = JsFuture::from(promise).await.map_err(|e| format!("{e:?}"))?;
    if adapter.is_null() || adapter.is_undefined() {
        return Ok(None);
    }
    let info = Reflect::get(&adapter, &"info".into()).unwrap_or(JsValue::UNDEFINED);
    let field =
        |name: &str| Reflect::get(&info, &name.into()).ok().and_then(|v| v.as_string()).filter(|s| !s.is_empty());
    let name = [field("vendor"), field("architecture"), field("description")]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    let limits_object = Reflect::get(&adapter, &"limits".into()).unwrap_or(JsValue::UNDEFINED);
    let limits = [
        "maxBufferSize",
        "maxStorageBufferBindingSize",
        "maxComputeWorkgroupSizeX",
        "maxComputeInvocationsPerWorkgroup",
    ]
    .iter()
    .filter_map(|k| {
        Reflect::get(&limits_object, &(*k).into()).ok().and_then(|v| v.as_f64()).map(|v| (k.to_string(), v))
    })
    .collect();
    Ok(Some((if name.is_empty() { "unnamed adapter".into() } else { name }, limits)))
}

/// Parses a file; ragged rows stop it and are offered for skipping
/// ([`FromWorker::Ragged`]). The loaded dataset stays until a file parses.
fn load_csv(name: String, bytes: Vec<u8>) {
    forget_pending();
    match Table::from_csv_bytes_with_progress(&bytes, &mut reading) {
        Ok(table) => loaded(name, table, None),
        // Perhaps ragged rows: if so, the choice; else the error as it was.
        Err(e @ Error::Csv { .. }) => match without_ragged_rows(&bytes) {
            Ok(Some((kept, rows))) => {
                post(&FromWorker::Ragged { name: name.clone(), rows: rows.clone() });
                STATE.with(|s| s.borrow_mut().ragged = Some((name, kept, rows)));
            }
            _ => fail(format!("{name}: {e}")),
        },
        Err(e) => fail(format!("{name}: {e}")),
    }
}

/// Parses the file without its ragged `rows`; these bytes go back to the UI to be kept
/// as the dataset.
fn load_without_ragged(name: String, bytes: &[u8], rows: RaggedRows) {
    match Table::from_csv_bytes_with_progress(bytes, &mut reading) {
        Ok(table) => loaded(name, table, Some((rows, bytes))),
        Err(e) => fail(format!("{name}: {e}")),
    }
}

fn reading(fraction: f64) {
    post(&FromWorker::Reading { fraction });
}

fn loaded(name: String, table: Table, skipped: Option<(RaggedRows, &[u8])>) {
    let columns = table.summaries();
    let suggested_target = columns.last().map(|c| c.name.clone()).unwrap_or_default();
    let (skipped, kept) = skipped.unzip();
    let dataset = Dataset { name, rows: table.rows(), columns, suggested_target, skipped, images: None };
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.table = Some(Rc::new(table));
        s.images = None;
        s.predictor = None;
    });
    post_with_bytes(&FromWorker::Loaded(dataset), kept);
}

/// A file waiting for the user's choice is forgotten when another one arrives.
fn forget_pending() {
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.ragged = None;
        s.bad_images = None;
    });
}

/// Imports a `.zip` of class folders (`zip` is its bytes again when it was a picked
/// folder, to go back to the UI as the dataset's file). Files that cannot be used stop
/// it until the user chooses ([`FromWorker::BadImages`]).
fn load_images(name: String, bytes: &[u8], options: ImageOptions, zip: Option<Vec<u8>>) {
    use fornax_core::data::images::{import, zip_files};
    forget_pending();
    let imported = zip_files(bytes).and_then(|files| {
        let mut last = 0.0;
        import(files, options, &mut |done, total| {
            let fraction = done as f64 / total.max(1) as f64;
            // A message per percent at most: a folder can hold many thousands of files.
            if fraction - last >= 0.01 || done == total {
                last = fraction;
                reading(fraction);
            }
        })
    });
    match imported {
        Ok(imported) if imported.bad.is_empty() => loaded_images(name, imported, zip),
        Ok(imported) => {
            post(&FromWorker::BadImages { name: name.clone(), bad: imported.bad.clone() });
            STATE.with(|s| s.borrow_mut().bad_images = Some((name, imported, zip)));
        }
        Err(e) => fail(format!("{name}: {e}")),
    }
}

/// A picked folder: its files (path, length) cut from `bytes`, kept as one `.zip`.
fn load_folder(name: String, bytes: &[u8], files: &[(String, usize)], options: ImageOptions) {
    let mut parts = Vec::with_capacity(files.len());
    let mut at = 0usize;
    for (path, len) in files {
        let Some(part) = bytes.get(at..at + len) else {
            return fail(format!("{name}: the folder's files arrived cut short"));
        };
        parts.push((path.clone(), part));
        at += len;
    }
    match fornax_core::data::images::write_zip(&parts) {
        Ok(zip) => load_images(format!("{name}.zip"), &zip.clone(), options, Some(zip)),
        Err(e) => fail(format!("{name}: {e}")),
    }
}

/// The data page's augmentation preview of the loaded pictures.
fn preview_augment(augment: Augment, seed: u64) {
    let Some(set) = STATE.with(|s| s.borrow().images.clone()) else {
        return fail("there are no pictures loaded to augment");
    };
    if let Err(e) = augment.validate() {
        return fail(e.to_string());
    }
    let preview = fornax_core::recipe::augment_preview(&set, &augment, seed);
    let images = preview.into_iter().map(|p| AugmentedImage { original: thumbnail(&set, p.item), draws: p.draws });
    post(&FromWorker::AugmentPreview { augment, images: images.collect() });
}

/// Images shown per class on the data page.
const THUMBNAILS_PER_CLASS: usize = 8;

/// Picture `i` of `set` as the data page shows it: as the model sees it, with its class and file.
fn thumbnail(set: &ImageSet, i: usize) -> Thumbnail {
    let item = &set.items[i];
    Thumbnail { class: item.label, file: item.file.clone(), png: fornax_core::data::images::thumbnail_png(set, i) }
}

fn loaded_images(name: String, imported: Imported, zip: Option<Vec<u8>>) {
    let Imported { set, bad } = imported;
    let mut shown = vec![0usize; set.classes.len()];
    let mut thumbnails = Vec::new();
    for (i, item) in set.items.iter().enumerate() {
        if shown[item.label] < THUMBNAILS_PER_CLASS {
            shown[item.label] += 1;
            thumbnails.push(thumbnail(&set, i));
        }
    }
    let summary = ImageSummary { profile: ImageProfile::new(&set), skipped: bad, thumbnails };
    let dataset = Dataset {
        name,
        rows: set.items.len(),
        columns: Vec::new(),
        suggested_target: fornax_core::train::IMAGE_TARGET.into(),
        skipped: None,
        images: Some(summary),
    };
    STATE.with(|s| {
        let mut s = s.borrow_mut();
        s.images = Some(Rc::new(set));
        s.table = None;
        s.predictor = None;
    });
    post_with_bytes(&FromWorker::Loaded(dataset), zip.as_deref());
}

/// The data benchmark's Fornax-in-the-tab side: the same workload as natively.
fn data_benchmark(bytes: Option<ArrayBuffer>) {
    let Some(bytes) = bytes else { return fail("no file contents arrived") };
    let started = js_sys::Date::now();
    // Copying the file into the worker's memory counts as loading, as reading it natively does.
    let bytes = Uint8Array::new(&bytes).to_vec();
    let copy_seconds = (js_sys::Date::now() - started) / 1000.0;
    match fornax_core::recipe::benchmark::prepare_everything(&bytes, &mut || js_sys::Date::now() / 1000.0) {
        Ok(mut report) => {
            if let Some((_, load)) = report.seconds.first_mut() {
                *load += copy_seconds;
            }
            post(&FromWorker::DataBenchmarked { report, wasm_memory_bytes: wasm_memory_bytes() });
        }
        Err(e) => fail(e.to_string()),
    }
}

fn wasm_memory_bytes() -> f64 {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    memory.buffer().unchecked_into::<ArrayBuffer>().byte_length() as f64
}

fn loaded_table() -> Option<Rc<Table>> {
    STATE.with(|s| s.borrow().table.clone())
}

/// The data page's report on the loaded table, split and cleaned as a run would be.
fn inspect(target: &str, config: &TrainConfig) {
    if let Some(set) = STATE.with(|s| s.borrow().images.clone()) {
        let split = fornax_core::train::image_split(&set, config);
        let stats = fornax_core::data::images::SplitStats::new(&set, &split.train, &split.test);
        return post(&FromWorker::ImagesInspected { key: inspect_key(target, config), stats });
    }
    let Some(table) = loaded_table() else { return fail("load a dataset first") };
    match DataPlan::new(&table, target, None, config) {
        Ok(plan) => {
            post(&FromWorker::Inspected { key: inspect_key(target, config), report: Box::new(plan.report(target)) })
        }
        Err(e) => fail(format!("preparing the data: {e}")),
    }
}

fn export_csv(target: &str, config: &TrainConfig) {
    let Some(table) = loaded_table() else { return fail("load a dataset first") };
    match DataPlan::new(&table, target, None, config) {
        Ok(plan) => post_with_bytes(
            &FromWorker::Exported { name: "cleaned.csv".into() },
            Some(&plan.cleaned.table.to_csv_bytes()),
        ),
        Err(e) => fail(format!("exporting the data: {e}")),
    }
}

/// Posts progress and checkpoints, and lets the worker's event loop run (so cancel and
/// pause messages arrive) at most every 30 ms: often enough to feel instant, rarely
/// enough to cost nothing. Holds the run after an epoch while it is paused.
struct PostingSink {
    last_yield: f64,
    last_checkpoint: f64,
}

/// A checkpoint at most this often (it reads the weights back from the device).
const CHECKPOINT_EVERY_MS: f64 = 1000.0;

impl PostingSink {
    async fn maybe_yield(&mut self) -> Control {
        let now = js_sys::Date::now();
        if now - self.last_yield > 30.0 {
            self.last_yield = now;
            yield_now().await;
        }
        if CANCEL.with(|c| c.get()) { Control::Cancel } else { Control::Continue }
    }
}

impl TrainSink for PostingSink {
    async fn report(&mut self, progress: &Progress) -> Control {
        post(&FromWorker::Progress { progress: progress.clone() });
        if matches!(progress, Progress::Epoch(_)) {
            while PAUSED.with(|p| p.get()) && !CANCEL.with(|c| c.get()) {
                sleep(100).await;
            }
        }
        self.maybe_yield().await
    }

    async fn between_batches(&mut self) -> Control {
        self.maybe_yield().await
    }

    fn wants_checkpoint(&mut self) -> bool {
        let now = js_sys::Date::now();
        let due = now - self.last_checkpoint >= CHECKPOINT_EVERY_MS || PAUSED.with(|p| p.get());
        if due {
            self.last_checkpoint = now;
        }
        due
    }

    async fn checkpoint(&mut self, checkpoint: Checkpoint) {
        post_with_bytes(&FromWorker::Checkpoint { description: checkpoint.describe() }, Some(&checkpoint.to_bytes()));
    }
}

/// Lets the worker's event loop run (a pause or cancel may be waiting), through a
/// message to itself: `setTimeout(0)` would cost 4 ms a time, the clamp browsers apply
/// to nested timers.
async fn yield_now() {
    thread_local! {
        static CHANNEL: web_sys::MessageChannel = web_sys::MessageChannel::new().expect("a worker has MessageChannel");
    }
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        CHANNEL.with(|channel| {
            channel.port1().set_onmessage(Some(&resolve));
            let _ = channel.port2().post_message(&JsValue::NULL);
        });
    });
    let _ = JsFuture::from(promise).await;
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = JsFuture::from(promise).await;
}

enum Run {
    Fresh { target: String, config: Box<fornax_core::train::TrainConfig> },
    Resumed(Box<Checkpoint>),
}

async fn run(run: Run) {
    if STATE.with(|s| std::mem::replace(&mut s.borrow_mut().busy, true)) {
        return fail("a training run is already in progress");
    }
    CANCEL.with(|c| c.set(false));
    PAUSED.with(|p| p.set(false));
    train(run).await;
    STATE.with(|s| s.borrow_mut().busy = false);
}

async fn train(run: Run) {
    let (device, table, images) = STATE.with(|s| {
        let s = s.borrow();
        (s.device.clone(), s.table.clone(), s.images.clone())
    });
    let Some(device) = device else { return fail("the worker has no device yet") };
    let data = match (&table, &images) {
        (Some(table), _) => fornax_core::data::Dataset::Tabular(table),
        (None, Some(images)) => fornax_core::data::Dataset::Images(images),
        (None, None) => return fail("load a dataset first"),
    };
    let started = js_sys::Date::now();
    let mut sink = PostingSink { last_yield: started, last_checkpoint: started };
    let config = match &run {
        Run::Fresh { config, .. } => (**config).clone(),
        Run::Resumed(checkpoint) => checkpoint.header.run.config.clone(),
    };
    let outcome = match run {
        Run::Fresh { target, config } => {
            fornax_core::train::train(&device, data, &target, None, &config, &mut sink).await
        }
        Run::Resumed(checkpoint) => fornax_core::train::resume(&device, data, *checkpoint, &mut sink).await,
    };
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(Error::Cancelled) => return fail("training was cancelled"),
        // A lost GPU fails every later call too: the UI replaces this worker with one
        // on the CPU, as after a panic.
        Err(Error::Backend(message)) if STATE.with(|s| s.borrow().on_gpu) => {
            return post(&FromWorker::Crashed { message });
        }
        Err(e) => return fail(e.to_string()),
    };
    finish(outcome.bundle, (js_sys::Date::now() - started) / 1000.0, Some(&config)).await;
}

/// Keeps the trained model for predictions and hands it to the UI with its bundle. With
/// the `config` it trained with, an image model's test mistakes go along.
async fn finish(bundle: Bundle, seconds: f64, config: Option<&TrainConfig>) {
    let (table, images) = STATE.with(|s| (s.borrow().table.clone(), s.borrow().images.clone()));
    if table.is_none() && images.is_none() {
        return fail("load a dataset first");
    }
    let predictor = match Predictor::new(&bundle) {
        Ok(p) => p,
        Err(e) => return fail(e.to_string()),
    };
    let manifest = &bundle.manifest;
    let bytes = bundle.to_bytes();
    // The first row of the table prefills the prediction form (an image model has none).
    let example: Map<String, Value> = manifest
        .inputs
        .iter()
        .filter_map(|f| {
            let column = table.as_ref()?.column(&f.name).ok()?;
            let value = match column.cell(0) {
                fornax_core::data::Cell::Number(x) => Value::from(x),
                fornax_core::data::Cell::Text(t) => Value::from(t),
                fornax_core::data::Cell::Missing => Value::Null,
            };
            Some((f.name.clone(), value))
        })
        .collect();
    let mistakes = match (images, config) {
        (Some(set), Some(config)) => image_mistakes(&predictor, &bundle, &set, config).await,
        _ => Vec::new(),
    };
    let trained = TrainedModel {
        kind: manifest.preprocessing.kind(),
        family: manifest.model.family(),
        task: manifest.task,
        target: manifest.target.clone(),
        metrics: manifest.metrics.clone(),
        baseline: manifest.baseline_metrics.clone(),
        epochs_run: manifest.epochs_run,
        inputs: manifest.inputs.clone(),
        example,
        mistakes,
        bundle_bytes: bytes.len(),
        seconds,
    };
    STATE.with(|s| s.borrow_mut().predictor = Some(Rc::new(predictor)));
    post_with_bytes(&FromWorker::Trained(trained), Some(&bytes));
}

/// Misclassified test pictures shown on the evaluate step, at most.
const MISTAKES_SHOWN: usize = 24;

/// The first test pictures (the run's own split) the model got wrong.
async fn image_mistakes(predictor: &Predictor, bundle: &Bundle, set: &ImageSet, config: &TrainConfig) -> Vec<Mistake> {
    use fornax_core::predict::Prediction;
    let Some(recipe) = bundle.manifest.preprocessing.images() else { return Vec::new() };
    let test = fornax_core::train::image_split(set, config).test;
    let Ok(predictions) = predictor.predict_encoded(recipe.encode_set(set, &test), test.len()).await else {
        return Vec::new();
    };
    test.iter()
        .zip(predictions)
        .filter_map(|(&i, prediction)| {
            let Some(Prediction::Class { label, probabilities }) = prediction else { return None };
            let actual = &set.classes[set.items[i].label];
            (label != *actual).then(|| Mistake {
                file: set.items[i].file.clone(),
                png: fornax_core::data::images::thumbnail_png(set, i),
                actual: actual.clone(),
                probability: probabilities.get(&label).copied().unwrap_or_default(),
                predicted: label,
            })
        })
        .take(MISTAKES_SHOWN)
        .collect()
}

async fn predict(row: Map<String, Value>) {
    let Some(predictor) = STATE.with(|s| s.borrow().predictor.clone()) else {
        return fail("train a model first");
    };
    match predictor.predict_json(&[Value::Object(row)]).await {
        Ok(mut predictions) => post(&FromWorker::Predicted { prediction: predictions.remove(0) }),
        Err(Error::Validation(errors)) => post(&FromWorker::PredictRejected { errors }),
        Err(e) => fail(e.to_string()),
    }
}

/// Predicts one dropped or picked picture with the trained image model.
async fn predict_image(name: &str, bytes: &[u8]) {
    let Some(predictor) = STATE.with(|s| s.borrow().predictor.clone()) else {
        return fail("train a model first");
    };
    let picture = match fornax_core::data::images::decode(bytes) {
        Ok(picture) => picture,
        Err(reason) => return post(&FromWorker::PredictRejected { errors: vec![bad_picture(name, reason)] }),
    };
    match predictor.predict_pictures(&[picture]).await {
        Ok(mut predictions) => post(&FromWorker::Predicted { prediction: predictions.remove(0) }),
        Err(e) => fail(e.to_string()),
    }
}

/// Why a picture cannot be predicted, located at its file name.
fn bad_picture(name: &str, reason: String) -> fornax_core::FieldError {
    fornax_core::FieldError { loc: vec![Value::from(name)], msg: reason, kind: "image".into() }
}
