//! `fornax predict`: one prediction per CSV row, as CSV.

use std::path::PathBuf;

use clap::Args;
use fornax_core::bundle::Bundle;
use fornax_core::predict::{Prediction, Predictor};

#[derive(Args)]
pub struct PredictArgs {
    /// A bundle written by `fornax train` or the tab.
    #[arg(long)]
    model: PathBuf,
    /// Rows to predict (CSV; a target column, if present, is ignored).
    #[arg(long)]
    data: PathBuf,
    /// Write the predictions here instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

pub fn run(args: PredictArgs) -> Result<(), String> {
    let bundle = load_bundle(&args.model)?;
    let table = super::read_table(&args.data, false)?;
    let predictor = Predictor::new(&bundle).map_err(|e| e.to_string())?;
    let predictions =
        pollster::block_on(predictor.predict_table(&table)).map_err(|e| format!("{}: {e}", args.data.display()))?;
    let csv = to_csv(&predictions);
    match &args.out {
        Some(path) => {
            crate::atomic_file::write(path, csv.as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
        None => {
            use std::io::Write;
            // A reader that stops early (`| head`) closes the pipe: that ends the output,
            // it is not an error and must not panic as `print!` would.
            match std::io::stdout().lock().write_all(csv.as_bytes()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(format!("cannot write the predictions: {e}"))
                }
                _ => Ok(()),
            }
        }
    }
}

pub fn load_bundle(path: &std::path::Path) -> Result<Bundle, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Bundle::from_bytes(&bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// `prediction` then, for classification, one `probability_<class>` column per class.
fn to_csv(predictions: &[Prediction]) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    if let Some(Prediction::Class { probabilities, .. }) = predictions.first() {
        let header =
            std::iter::once("prediction".to_string()).chain(probabilities.keys().map(|c| format!("probability_{c}")));
        writer.write_record(header).expect("writing to memory");
    } else {
        writer.write_record(["prediction"]).expect("writing to memory");
    }
    for p in predictions {
        let record: Vec<String> = match p {
            Prediction::Class { label, probabilities } => {
                std::iter::once(label.clone()).chain(probabilities.values().map(|v| format!("{v:.6}"))).collect()
            }
            Prediction::Value { value } => vec![value.to_string()],
        };
        writer.write_record(record).expect("writing to memory");
    }
    String::from_utf8(writer.into_inner().expect("in-memory writer")).expect("CSV of UTF-8 strings")
}
