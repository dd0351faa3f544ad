//! The UI binary: mounts the studio. Burn is not linked here; training lives in the worker.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(fornax_app::studio::App);
}
