//! The training worker binary, loaded by trunk's `worker_loader.js`.

fn main() {
    fornax_app::worker::start();
}
