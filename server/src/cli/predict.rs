//! `fornax predict`: one prediction per CSV row, or per image for an image model, as CSV.

use std::path::PathBuf;

use clap::Args;
use fornax_core::bundle::Bundle;
use fornax_core::data::DataKind;
use fornax_core::predict::{Prediction, Predictor};

#[derive(Args)]
pub struct PredictArgs {
    /// A bundle written by `fornax train` or the tab.
    #[arg(long)]
    model: PathBuf,
    /// Rows to predict (CSV; a target column, if present, is ignored), or for an
    /// image model one image or a folder of them.
    #[arg(long)]
    data: PathBuf,
    /// Write the predictions here instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
}

pub fn run(args: PredictArgs) -> Result<(), String> {
    let bundle = load_bundle(&args.model)?;
    let predictor = Predictor::new(&bundle).map_err(|e| e.to_string())?;
    let csv = match bundle.manifest.data_kind {
        DataKind::Tabular => {
            let table = super::read_table(&args.data, false)?;
            let predictions = pollster::block_on(predictor.predict_table(&table))
                .map_err(|e| format!("{}: {e}", args.data.display()))?;
            to_csv(&predictions, None)
        }
        DataKind::Images => {
            let pictures = super::images::read_pictures(&args.data)?;
            let (files, pictures): (Vec<String>, Vec<_>) = pictures.into_iter().unzip();
            let predictions = pollster::block_on(predictor.predict_pictures(&pictures))
                .map_err(|e| format!("{}: {e}", args.data.display()))?;
            to_csv(&predictions, Some(&files))
        }
    };
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

/// `file` for images, `prediction`, then, for classification, one
/// `probability_<class>` column per class.
fn to_csv(predictions: &[Prediction], files: Option<&[String]>) -> String {
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = files.map(|_| "file".to_string()).into_iter().collect();
    header.push("prediction".into());
    if let Some(Prediction::Class { probabilities, .. }) = predictions.first() {
        header.extend(probabilities.keys().map(|c| format!("probability_{c}")));
    }
    writer.write_record(header).expect("writing to memory");
    for (i, p) in predictions.iter().enumerate() {
        let mut record: Vec<String> = files.map(|f| f[i].clone()).into_iter().collect();
        match p {
            Prediction::Class { label, probabilities } => {
                record.push(label.clone());
                record.extend(probabilities.values().map(|v| format!("{v:.6}")));
            }
            Prediction::Value { value } => record.push(value.to_string()),
        }
        writer.write_record(record).expect("writing to memory");
    }
    String::from_utf8(writer.into_inner().expect("in-memory writer")).expect("CSV of UTF-8 strings")
}
