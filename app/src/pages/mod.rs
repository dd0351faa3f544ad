//! One module per step of the user's path through the studio.

mod augment_settings;
mod bars;
mod confusion;
mod data;
mod data_studio;
mod deploy;
mod efficientnet_settings;
mod environment;
mod evaluate;
mod image_overview;
mod ledger;
mod loss_curve;
mod lr_curve;
mod named_net_table;
mod network_builder;
mod projects;
mod resnet_settings;
mod scatter;
mod settings;
mod train;

pub use data::DataPage;
pub use deploy::DeployPage;
pub use environment::EnvironmentPage;
pub use evaluate::EvaluatePage;
pub use ledger::NetworkLedger;
pub use projects::ProjectsPage;
pub use train::{ResumeOffer, TrainPage};

/// A byte count as people read it.
fn size(bytes: usize) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b if b < 1024 * 1024 * 1024 => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
        b => format!("{:.1} GB", b as f64 / (1024.0 * 1024.0 * 1024.0)),
    }
}

/// Saves `parts` (a JS array of strings or buffers) as a file named `name`, through a
/// temporary object URL and a link click: the browser's own download.
pub fn download(parts: &js_sys::Array, name: &str, mime: &str) {
    use wasm_bindgen::JsCast;
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(parts, &options) else { return };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else { return };
    let link = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok());
    if let Some(link) = link {
        link.set_href(&url);
        link.set_download(name);
        link.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}
