//! `fornax`: the native command line and companion server, built on fornax-core.

mod atomic_file;
mod cli;
mod serve;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "fornax", version, about = "Fornax: train, predict and serve tabular models")]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the compute devices this build can use, and versions.
    Doctor,
    /// Look at a dataset.
    Data {
        #[command(subcommand)]
        command: DataCommand,
    },
    /// Train a model on a CSV and write a .fornax bundle.
    Train(cli::train::TrainArgs),
    /// Predict every row of a CSV with a trained bundle.
    Predict(cli::predict::PredictArgs),
    /// Serve the web app and the prediction API.
    Serve(serve::ServeArgs),
}

#[derive(Subcommand)]
enum DataCommand {
    /// Column types, missing values, distinct counts, statistics and top values; for a
    /// folder (or .zip) of images, classes, sizes and per-channel statistics.
    Profile {
        file: PathBuf,
        /// The column to predict: its class balance is shown.
        #[arg(long)]
        target: Option<String>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Leave out rows with more or fewer fields than the header instead of stopping.
        #[arg(long)]
        skip_ragged: bool,
        #[command(flatten)]
        images: cli::images::ImageArgs,
    },
    /// Apply cleaning steps (a recipe exported by the studio) and write the cleaned CSV.
    Clean {
        file: PathBuf,
        /// JSON with `steps` (and optionally scaling, encoding, ...), as the studio exports it.
        #[arg(long)]
        recipe: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// Leave out rows with more or fewer fields than the header instead of stopping.
        #[arg(long)]
        skip_ragged: bool,
    },
}

fn main() -> ExitCode {
    let args = Args::parse();
    let result = match args.command {
        Command::Doctor => cli::doctor::run(),
        Command::Data { command: DataCommand::Profile { file, target, json, skip_ragged, images } } => {
            match cli::images::is_image_data(&file) {
                true => cli::profile::run_images(&file, &images, json),
                false => cli::profile::run(&file, target.as_deref(), json, skip_ragged),
            }
        }
        Command::Data { command: DataCommand::Clean { file, recipe, out, skip_ragged } } => {
            cli::clean::run(&file, &recipe, &out, skip_ragged)
        }
        Command::Train(args) => cli::train::run(args),
        Command::Predict(args) => cli::predict::run(args),
        Command::Serve(args) => serve::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
