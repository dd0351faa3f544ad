//! The `.fornax` bundle: everything needed to use a trained model anywhere.
//!
//! Layout ([`crate::framed`]): `FORNAX\r\n`, format version, two sections (the manifest
//! JSON, then the weights in Burn's burnpack format), SHA-256.

use serde::{Deserialize, Serialize};

use crate::data::DataKind;
use crate::framed::{self, FrameError};
use crate::metrics::Metrics;
use crate::model::{Mlp, ModelFamily, ModelSpec};
use crate::recipe::{InputField, Preprocessing, Recipe};
use crate::task::Task;
use crate::{Error, Result};

/// The signature every bundle starts with (`\r\n` catches text-mode mangling).
const MAGIC: &[u8; 8] = b"FORNAX\r\n";
/// The bundle layout version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// What a bundle says about itself; readable without loading the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The bundle layout version it was written in; this build reads only [`FORMAT_VERSION`].
    pub format_version: u32,
    /// The kind of data the model reads (absent from bundles written before kinds were
    /// recorded, which are all tabular).
    #[serde(default)]
    pub data_kind: DataKind,
    /// The model's family (absent from bundles written before families were recorded:
    /// [`Manifest::family`] reads it from the model's shape).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family: Option<ModelFamily>,
    /// The Fornax version that wrote it.
    pub fornax_version: String,
    /// What the model predicts; the same as the recipe's.
    pub task: Task,
    /// The column the model predicts; the same as the recipe's.
    pub target: String,
    /// The columns a client sends, as [`Recipe::schema`] gives them (empty for images:
    /// a client sends one image).
    pub inputs: Vec<InputField>,
    /// The model's shape, which the weights are loaded into.
    pub model: ModelSpec,
    /// The fitted preprocessing that turns each row or image into the model's inputs:
    /// `"recipe"` (a table's, as in every older bundle) or `"image_recipe"` in JSON.
    #[serde(flatten)]
    pub preprocessing: Preprocessing,
    /// Test-set metrics of the model and of the linear baseline trained beside it.
    pub metrics: Metrics,
    /// Test-set metrics of the linear baseline, to compare the model with.
    pub baseline_metrics: Metrics,
    /// Epochs the model trained (fewer than configured when early stopping ended it).
    pub epochs_run: usize,
}

impl Manifest {
    /// The model's family, as recorded or, in an older bundle, as its shape says.
    pub fn family(&self) -> ModelFamily {
        self.family.unwrap_or_else(|| self.model.family())
    }

    /// The table recipe; for a model that reads another kind of data, an error that
    /// names it.
    pub fn table_recipe(&self) -> Result<&Recipe> {
        self.preprocessing
            .table()
            .ok_or_else(|| Error::InvalidConfig(format!("this model reads {}, not table rows", self.data_kind.name())))
    }

    /// A checksum only proves the bytes are the ones written; this checks that what was
    /// written is coherent (the recipe is valid, the model's shape fits it), so a
    /// hand-made bundle cannot make prediction divide by zero or multiply mismatched
    /// matrices.
    pub fn validate(&self) -> Result<()> {
        let bad = |msg: String| Err(Error::CorruptBundle(msg));
        if self.format_version != FORMAT_VERSION {
            return bad(format!("the manifest says format version {}", self.format_version));
        }
        let p = &self.preprocessing;
        p.validate().map_err(|e| Error::CorruptBundle(e.to_string()))?;
        self.model.validate().map_err(|e| Error::CorruptBundle(e.to_string()))?;
        if self.family() != self.model.family() || !self.family().accepts(self.data_kind) {
            return bad(format!(
                "the manifest names family `{}` for {} data, but its model is `{}`",
                self.family().name(),
                self.data_kind.name(),
                self.model.name()
            ));
        }
        if self.data_kind != p.kind() {
            return bad(format!(
                "the manifest says {} data, but its recipe is for {}",
                self.data_kind.name(),
                p.kind().name()
            ));
        }
        // A binary classifier trained with binary cross-entropy has one output.
        let binary_logit = self.task == Task::Classification && p.outputs() == 2 && self.model.outputs == 1;
        if self.model.inputs != p.width() || (self.model.outputs != p.outputs() && !binary_logit) {
            return bad(format!(
                "the model takes {} inputs and gives {} outputs, but its recipe makes {} and expects {}",
                self.model.inputs,
                self.model.outputs,
                p.width(),
                p.outputs()
            ));
        }
        let agrees = match p {
            Preprocessing::Table(r) => self.task == r.task && self.target == r.target && self.inputs == r.schema(),
            Preprocessing::Images(_) => self.task == Task::Classification && self.inputs.is_empty(),
        };
        if !agrees {
            return bad("the manifest's task, target or inputs disagree with its recipe".into());
        }
        Ok(())
    }
}

/// A trained model with everything needed to use it, as one `.fornax` file holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    /// What the bundle says about itself, recipe included.
    pub manifest: Manifest,
    /// The model's parameters in Burn's burnpack format.
    pub weights: Vec<u8>,
}

impl Bundle {
    /// Records the model's weights, from whatever device it is on.
    pub async fn new(manifest: Manifest, model: &Mlp) -> Result<Self> {
        Ok(Bundle { manifest, weights: model.weights().await? })
    }

    /// The bundle as a `.fornax` file's bytes, checksum included.
    pub fn to_bytes(&self) -> Vec<u8> {
        let manifest = serde_json::to_vec(&self.manifest).expect("a manifest always serializes");
        framed::write(MAGIC, FORMAT_VERSION, &[&manifest, &self.weights])
    }

    /// Reads a bundle, checking signature, version, checksum and structure, in that order,
    /// so the message says what is actually wrong.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let sections = framed::read(bytes, MAGIC, FORMAT_VERSION, 2).map_err(|e| match e {
            FrameError::Foreign(msg) => Error::NotABundle(msg),
            FrameError::Corrupt(msg) => Error::CorruptBundle(msg),
        })?;
        if sections.len() != 2 {
            return Err(Error::CorruptBundle("unexpected bytes after the weights".into()));
        }
        let manifest: Manifest = serde_json::from_slice(sections[0])
            .map_err(|e| Error::CorruptBundle(format!("the manifest is not valid: {e}")))?;
        manifest.validate()?;
        Ok(Bundle { manifest, weights: sections[1].to_vec() })
    }

    /// The model with its trained weights, on the CPU (Flex).
    pub fn model(&self) -> Result<Mlp> {
        self.manifest.model.load(&self.weights, &crate::device::cpu()).map_err(Error::CorruptBundle)
    }
}
