//! The training worker binary, loaded by trunk's `worker_loader.js`.

mod main_loop;

fn main() {
    main_loop::start();
}
