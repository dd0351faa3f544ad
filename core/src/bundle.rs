//! The `.fornax` bundle: everything needed to use a trained model anywhere.
//!
//! Layout (integers little-endian):
//! `FORNAX\r\n` | u32 format version | u64 manifest length | manifest JSON |
//! u64 weights length | weights (Burn's burnpack) | SHA-256 of all the bytes before it.

use burn::module::Module;
use burn::tensor::Bytes;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::{Mlp, ModelSpec};
use crate::recipe::{InputField, Recipe, Task};
use crate::train::Metrics;
use crate::{Error, Result};

/// The signature every bundle starts with (`\r\n` catches text-mode mangling).
const MAGIC: &[u8; 8] = b"FORNAX\r\n";
/// The bundle layout version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;
const CHECKSUM_LEN: usize = 32;

/// What a bundle says about itself; readable without loading the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format_version: u32,
    /// The Fornax version that wrote it.
    pub fornax_version: String,
    pub task: Task,
    pub target: String,
    pub inputs: Vec<InputField>,
    pub model: ModelSpec,
    pub recipe: Recipe,
    /// Test-set metrics of the model and of the linear baseline trained beside it.
    pub metrics: Metrics,
    pub baseline_metrics: Metrics,
    pub epochs_run: usize,
}

impl Manifest {
    /// A checksum only proves the bytes are the ones written; this checks that what was
    /// written is coherent (the recipe is valid, the model's shape fits it), so a
    /// hand-made bundle cannot make prediction divide by zero or multiply mismatched
    /// matrices.
    pub fn validate(&self) -> Result<()> {
        let bad = |msg: String| Err(Error::CorruptBundle(msg));
        if self.format_version != FORMAT_VERSION {
            return bad(format!("the manifest says format version {}", self.format_version));
        }
        self.recipe.validate().map_err(|e| Error::CorruptBundle(e.to_string()))?;
        self.model.validate().map_err(|e| Error::CorruptBundle(e.to_string()))?;
        let r = &self.recipe;
        // A binary classifier trained with binary cross-entropy has one output.
        let binary_logit = r.task == Task::Classification && r.outputs() == 2 && self.model.outputs == 1;
        if self.model.inputs != r.width() || (self.model.outputs != r.outputs() && !binary_logit) {
            return bad(format!(
                "the model takes {} inputs and gives {} outputs, but its recipe makes {} and expects {}",
                self.model.inputs,
                self.model.outputs,
                r.width(),
                r.outputs()
            ));
        }
        if self.task != r.task || self.target != r.target || self.inputs != r.schema() {
            return bad("the manifest's task, target or inputs disagree with its recipe".into());
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    pub manifest: Manifest,
    /// The model's parameters in Burn's burnpack format.
    pub weights: Vec<u8>,
}

impl Bundle {
    /// Records a CPU-resident model's weights (see [`Mlp::copy_to`] for GPU models).
    pub fn new(manifest: Manifest, model: Mlp) -> Result<Self> {
        let weights = model
            .into_record()
            .into_bytes()
            .map_err(|e| Error::Backend(format!("could not record the weights: {e:?}")))?;
        Ok(Bundle { manifest, weights: weights.to_vec() })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let manifest = serde_json::to_vec(&self.manifest).expect("a manifest always serializes");
        let mut out = Vec::with_capacity(manifest.len() + self.weights.len() + 64);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(manifest.len() as u64).to_le_bytes());
        out.extend_from_slice(&manifest);
        out.extend_from_slice(&(self.weights.len() as u64).to_le_bytes());
        out.extend_from_slice(&self.weights);
        let checksum = Sha256::digest(&out);
        out.extend_from_slice(&checksum);
        out
    }

    /// Reads a bundle, checking signature, version, checksum and structure, in that order,
    /// so the message says what is actually wrong.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        if bytes.len() < MAGIC.len() || &bytes[..MAGIC.len()] != MAGIC {
            return Err(Error::NotABundle("it does not start with the Fornax signature".into()));
        }
        let mut reader = Reader { bytes, pos: MAGIC.len() };
        let version = u32::from_le_bytes(reader.take(4)?.try_into().expect("4 bytes"));
        if version != FORMAT_VERSION {
            return Err(Error::CorruptBundle(format!(
                "format version {version} is not supported (this Fornax reads version {FORMAT_VERSION})"
            )));
        }
        if bytes.len() < reader.pos + CHECKSUM_LEN {
            return Err(Error::CorruptBundle("the file is truncated".into()));
        }
        let (body, checksum) = bytes.split_at(bytes.len() - CHECKSUM_LEN);
        if Sha256::digest(body).as_slice() != checksum {
            return Err(Error::CorruptBundle("the checksum does not match: the file was truncated or altered".into()));
        }
        let mut reader = Reader { bytes: body, pos: reader.pos };
        let manifest_len = reader.length()?;
        let manifest: Manifest = serde_json::from_slice(reader.take(manifest_len)?)
            .map_err(|e| Error::CorruptBundle(format!("the manifest is not valid: {e}")))?;
        manifest.validate()?;
        let weights_len = reader.length()?;
        let weights = reader.take(weights_len)?.to_vec();
        if reader.pos != body.len() {
            return Err(Error::CorruptBundle("unexpected bytes after the weights".into()));
        }
        Ok(Bundle { manifest, weights })
    }

    /// The model with its trained weights, on the CPU (Flex).
    pub fn model(&self) -> Result<Mlp> {
        // Cast every tensor to the model's own dtype: a record that declares another one
        // (say integers where floats belong) would otherwise stop Burn with a panic.
        let record = burn::store::ModuleRecord::from_bytes(Bytes::from_bytes_vec(self.weights.clone()))
            .map_err(|e| Error::CorruptBundle(format!("the weights cannot be read: {e:?}")))?
            .cast_to_module_dtype();
        let model = self
            .manifest
            .model
            .init(&crate::device::cpu())
            .try_load_record(record)
            .map_err(|e| Error::CorruptBundle(format!("the weights do not fit the model: {e:?}")))?;
        if !model.is_finite() {
            return Err(Error::CorruptBundle("the weights hold NaN or infinite values".into()));
        }
        Ok(model)
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        let end = self.pos.checked_add(n).filter(|&end| end <= self.bytes.len());
        let end = end.ok_or_else(|| Error::CorruptBundle("the file is truncated".into()))?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn length(&mut self) -> Result<usize> {
        let n = u64::from_le_bytes(self.take(8)?.try_into().expect("8 bytes"));
        usize::try_from(n).map_err(|_| Error::CorruptBundle("a length field is out of range".into()))
    }
}
