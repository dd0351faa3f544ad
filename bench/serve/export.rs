//! `serve-export`: writes a `.fornax` bundle's MLP and recipe as plain JSON, so the
//! serving benchmark's peer (PyTorch -> ONNX -> onnxruntime under FastAPI) serves the
//! very same weights and preprocessing.
//!
//! Output: `{"features": [{"name", "mean", "std"}], "classes": [...], "activation",
//! "layers": [{"inputs", "outputs", "weight": [inputs x outputs, row-major], "bias"}]}`.

use std::path::PathBuf;

use clap::Parser;
use fornax_core::bundle::Bundle;
use fornax_core::recipe::{Feature, TargetEncoding};
use serde_json::json;

#[derive(Parser)]
struct Args {
    /// The bundle to export.
    #[arg(long)]
    model: PathBuf,
    /// Where to write the JSON.
    #[arg(long)]
    out: PathBuf,
}

fn main() -> Result<(), String> {
    let args = Args::parse();
    let bytes = std::fs::read(&args.model).map_err(|e| format!("cannot read {}: {e}", args.model.display()))?;
    let exported = export(&Bundle::from_bytes(&bytes).map_err(|e| e.to_string())?)?;
    std::fs::write(&args.out, exported.to_string()).map_err(|e| format!("cannot write {}: {e}", args.out.display()))
}

/// The JSON described above; only numeric features, classes and no batch norm (what
/// the benchmark's model has) are supported.
fn export(bundle: &Bundle) -> Result<serde_json::Value, String> {
    let manifest = &bundle.manifest;
    let recipe = manifest.table_recipe().map_err(|e| e.to_string())?;
    if !recipe.steps.is_empty() {
        return Err("models with cleaning steps are not exported".into());
    }
    if manifest.model.batch_norm {
        return Err("models with batch normalization are not exported".into());
    }
    let features = recipe
        .features
        .iter()
        .map(|f| match f {
            Feature::Standardize { name, mean, std } => Ok(json!({ "name": name, "mean": mean, "std": std })),
            other => Err(format!("only standardized numeric features are exported, not {other:?}")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let TargetEncoding::Classes { classes } = &recipe.target_encoding else {
        return Err("only classifiers are exported".into());
    };
    let model = bundle.model().map_err(|e| e.to_string())?;
    let layers: Vec<_> = model
        .linear_layers()
        .ok_or("models with convolutions are not exported")?
        .iter()
        .map(|layer| {
            let [inputs, outputs] = layer.weight.val().dims();
            let weight: Vec<f32> = layer.weight.val().into_data().try_to_vec::<f32>().expect("f32 weights");
            let bias: Vec<f32> = layer
                .bias
                .as_ref()
                .map_or(vec![0.0; outputs], |b| b.val().into_data().try_to_vec::<f32>().expect("f32 bias"));
            json!({ "inputs": inputs, "outputs": outputs, "weight": weight, "bias": bias })
        })
        .collect();
    Ok(json!({
        "features": features,
        "classes": classes,
        "activation": manifest.model.activation,
        "layers": layers,
    }))
}
