//! The open project and the list of projects, kept in this browser (OPFS and
//! IndexedDB through core's project stores). Every change goes through one queue, in
//! order, so a run is never recorded before the dataset it trained on.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;

use fornax_core::project::{Project, ProjectError, Projects, Run};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::project_store::{self, IdbMeta, OpfsBlobs};

/// Where the open project's id is remembered between visits.
const CURRENT_KEY: &str = "fornax-project";
const FIRST_NAME: &str = "My project";
/// Above this share of the quota the storage line warns before the next write.
const NEARLY_FULL: f64 = 0.8;

#[derive(Clone, Copy)]
pub struct ProjectState {
    pub current: RwSignal<Option<Project>>,
    /// Every project, most recently changed first.
    pub all: RwSignal<Vec<Project>>,
    pub storage: RwSignal<Option<StorageInfo>>,
    /// Where failures are shown (the studio's error banner).
    error: RwSignal<Option<String>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StorageInfo {
    pub usage: u64,
    pub quota: u64,
    /// The browser promised not to evict this origin's data under storage pressure.
    pub persisted: bool,
}

impl StorageInfo {
    pub fn nearly_full(&self) -> bool {
        self.quota > 0 && self.usage as f64 > NEARLY_FULL * self.quota as f64
    }
}

fn store() -> Projects<OpfsBlobs, IdbMeta> {
    Projects::new(OpfsBlobs, IdbMeta)
}

fn now() -> u64 {
    js_sys::Date::now() as u64
}

/// 128 random bits as hex.
fn new_id() -> String {
    let mut bytes = [0u8; 16];
    if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
        let _ = crypto.get_random_values_with_u8_array(&mut bytes);
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

type Job = Pin<Box<dyn Future<Output = ()>>>;

thread_local! {
    static QUEUE: RefCell<(VecDeque<Job>, bool)> = RefCell::new((VecDeque::new(), false));
}

fn enqueue(job: impl Future<Output = ()> + 'static) {
    let start = QUEUE.with(|q| {
        let mut q = q.borrow_mut();
        q.0.push_back(Box::pin(job));
        !std::mem::replace(&mut q.1, true)
    });
    if start {
        leptos::task::spawn_local(async {
            loop {
                let Some(job) = QUEUE.with(|q| {
                    let mut q = q.borrow_mut();
                    let job = q.0.pop_front();
                    q.1 = job.is_some();
                    job
                }) else {
                    return;
                };
                job.await;
            }
        });
    }
}

impl ProjectState {
    pub fn new(error: RwSignal<Option<String>>) -> Self {
        ProjectState {
            current: RwSignal::new(None),
            all: RwSignal::new(Vec::new()),
            storage: RwSignal::new(None),
            error,
        }
    }

    fn current_id(self) -> Option<String> {
        self.current.with_untracked(|p| p.as_ref().map(|p| p.id.clone()))
    }

    /// Asks the browser to keep this origin's data, then opens the project used last
    /// (or makes the first one).
    pub fn start(self) {
        enqueue(async move {
            let persisted = match web_sys::window().map(|w| w.navigator().storage().persist()) {
                Some(Ok(promise)) => JsFuture::from(promise).await.ok().and_then(|v| v.as_bool()).unwrap_or(false),
                _ => false,
            };
            self.storage.set(Some(StorageInfo { usage: 0, quota: 0, persisted }));
            let remembered = local_storage().and_then(|s| s.get_item(CURRENT_KEY).ok().flatten());
            let result = async {
                let all = store().list().await?;
                let open =
                    remembered.and_then(|id| all.iter().find(|p| p.id == id).cloned()).or_else(|| all.first().cloned());
                match open {
                    Some(project) => Ok(project),
                    None => store().create(&new_id(), FIRST_NAME, now()).await,
                }
            }
            .await;
            match result {
                Ok(project) => self.open(project),
                Err(e) => self.failed("Projects cannot be kept in this browser", e),
            }
            self.refresh().await;
        });
    }

    fn open(self, project: Project) {
        if let Some(storage) = local_storage() {
            let _ = storage.set_item(CURRENT_KEY, &project.id);
        }
        self.current.set(Some(project));
    }

    async fn refresh(self) {
        match store().list().await {
            Ok(all) => {
                if let Some(id) = self.current_id()
                    && let Some(project) = all.iter().find(|p| p.id == id)
                {
                    self.current.set(Some(project.clone()));
                }
                self.all.set(all);
            }
            Err(e) => self.failed("The project list cannot be read", e),
        }
        if let Ok((usage, quota)) = project_store::estimate().await {
            self.storage.update(|s| {
                let persisted = s.as_ref().is_some_and(|s| s.persisted);
                *s = Some(StorageInfo { usage, quota, persisted });
            });
        }
    }

    fn failed(self, what: &str, e: ProjectError) {
        self.error.set(Some(format!("{what}: {e}")));
    }

    /// Keeps a dataset that loaded in the open project.
    pub fn keep_dataset(self, name: String, bytes: Vec<u8>) {
        enqueue(async move {
            let Some(id) = self.current_id() else { return };
            if let Err(e) = store().add_dataset(&id, &name, &bytes, now()).await {
                self.failed(&format!("{name} could not be kept in the project"), e);
            }
            self.refresh().await;
        });
    }

    /// Records a finished run, with its bundle and the dataset it trained on, in the open
    /// project; the run's dataset reference is set here, from the dataset as stored.
    pub fn keep_run(self, dataset: (String, Vec<u8>), mut run: Run, bundle: Vec<u8>) {
        enqueue(async move {
            let Some(id) = self.current_id() else { return };
            let result = async {
                run.dataset = store().add_dataset(&id, &dataset.0, &dataset.1, now()).await?.sha256;
                store().add_run(&id, run, &bundle, now()).await
            }
            .await;
            if let Err(e) = result {
                self.failed("The run could not be kept in the project", e);
            }
            self.refresh().await;
        });
    }

    /// A run's dataset (name and bytes) and bundle, read back and checked.
    pub fn read_run(self, run: Run, then: impl FnOnce(String, Vec<u8>, Vec<u8>) + 'static) {
        enqueue(async move {
            let Some(project) = self.current.get_untracked() else { return };
            let result = async {
                let dataset = project
                    .dataset(&run.dataset)
                    .ok_or_else(|| ProjectError::Damaged("the run's dataset is missing".into()))?;
                let bytes = store().read_blob(&project.id, dataset).await?;
                let bundle = store().read_blob(&project.id, &run.bundle).await?;
                Ok::<_, ProjectError>((dataset.name.clone(), bytes, bundle))
            }
            .await;
            match result {
                Ok((name, dataset, bundle)) => then(name, dataset, bundle),
                Err(e) => self.failed(&format!("Run {} cannot be opened", run.id), e),
            }
        });
    }

    pub fn switch_to(self, id: String) {
        enqueue(async move {
            match store().get(&id).await {
                Ok(project) => self.open(project),
                Err(e) => self.failed("The project cannot be opened", e),
            }
            self.refresh().await;
        });
    }

    pub fn create(self, name: String) {
        enqueue(async move {
            match store().create(&new_id(), &name, now()).await {
                Ok(project) => self.open(project),
                Err(e) => self.failed("The project could not be made", e),
            }
            self.refresh().await;
        });
    }

    pub fn rename(self, name: String) {
        enqueue(async move {
            let Some(id) = self.current_id() else { return };
            if let Err(e) = store().rename(&id, &name, now()).await {
                self.failed("The project could not be renamed", e);
            }
            self.refresh().await;
        });
    }

    pub fn duplicate(self, id: String) {
        enqueue(async move {
            match store().duplicate(&id, &new_id(), now()).await {
                Ok(copy) => self.open(copy),
                Err(e) => self.failed("The project could not be duplicated", e),
            }
            self.refresh().await;
        });
    }

    /// Deletes a project; when it was the open one, the next one opens (or a new one).
    pub fn delete(self, id: String) {
        enqueue(async move {
            if let Err(e) = store().delete(&id).await {
                self.failed("The project could not be deleted", e);
            }
            if self.current_id().as_deref() == Some(id.as_str()) {
                let next = match store().list().await {
                    Ok(all) if !all.is_empty() => Ok(all[0].clone()),
                    _ => store().create(&new_id(), FIRST_NAME, now()).await,
                };
                match next {
                    Ok(project) => self.open(project),
                    Err(e) => self.failed("No project could be opened", e),
                }
            }
            self.refresh().await;
        });
    }

    /// Downloads a project as one `.fornax-project` file.
    pub fn export(self, id: String) {
        enqueue(async move {
            let result = async {
                let project = store().get(&id).await?;
                Ok::<_, ProjectError>((project.name.clone(), store().export(&id).await?))
            }
            .await;
            match result {
                Ok((name, bytes)) => {
                    if let Err(e) = save_file(&format!("{}.fornax-project", file_stem(&name)), &bytes) {
                        self.error.set(Some(format!("The project file could not be saved: {e}")));
                    }
                }
                Err(e) => self.failed("The project could not be exported", e),
            }
        });
    }

    /// Adds the project in a `.fornax-project` file and opens it; a bad file changes nothing.
    pub fn import(self, file_name: String, bytes: Vec<u8>) {
        enqueue(async move {
            match store().import(&bytes, &new_id(), now()).await {
                Ok(project) => {
                    self.error.set(None);
                    self.open(project);
                }
                Err(e) => self.failed(&format!("{file_name} was not imported"), e),
            }
            self.refresh().await;
        });
    }
}

/// A name usable as a file name.
fn file_stem(name: &str) -> String {
    let stem: String =
        name.chars().map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    if stem.trim_matches('-').is_empty() { "project".into() } else { stem }
}

/// Offers bytes to the user as a download.
fn save_file(name: &str, bytes: &[u8]) -> Result<(), String> {
    let text = |e: JsValue| format!("{e:?}");
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/zip");
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(text)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(text)?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let link: web_sys::HtmlAnchorElement = document.create_element("a").map_err(text)?.unchecked_into();
    link.set_href(&url);
    link.set_download(name);
    link.click();
    // Revoked after the browser has started the download.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    let _ = web_sys::window()
        .map(|w| w.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 10_000));
    Ok(())
}
