//! An image dataset's run, from [`super::train`]: a seeded split stratified by class,
//! the channel statistics fitted on the training images only, the linear baseline and
//! the configured model trained on the standardized pixels (augmented per batch when
//! the config says so), both evaluated on the
//! held-out test images, the model bundled with its image recipe.

use burn::tensor::Device;

use super::evaluate::evaluate;
use super::{Augmenter, Encoded, Objective, Run, StartWeights, TrainConfig, TrainOutcome, TrainSink, train_model};
use crate::base::SplitMix64;
use crate::bundle::{Bundle, FORMAT_VERSION, Manifest};
use crate::data::images::ImageSet;
use crate::data::{DataKind, Split, split_rows};
use crate::model::ModelSpec;
use crate::model::network::Block;
use crate::recipe::{ImageRecipe, Preprocessing, Targets};
use crate::task::Task;
use crate::{Error, Result};

/// The name an image model's target goes by in its manifest and messages.
pub const IMAGE_TARGET: &str = "class";

/// The seeded split of `set` a run with `config` trains, validates and tests on:
/// stratified by class, so every class is in each part.
pub fn image_split(set: &ImageSet, config: &TrainConfig) -> Split {
    let labels = set.labels();
    split_rows(labels.len(), config.valid_fraction, config.test_fraction, Some(labels.as_slice()), config.seed)
}

/// Trains an image set's baseline and model for `run` and bundles the model.
pub(super) async fn run_images<S: TrainSink>(
    device: &Device,
    set: &ImageSet,
    mut run: Run,
    start: Option<StartWeights<'_>>,
    sink: &mut S,
) -> Result<TrainOutcome> {
    let config = run.key.config.clone();
    config.validate()?;
    if !config.prep.steps.is_empty() || config.prep.order_by.is_some() {
        return Err(Error::InvalidConfig(
            "cleaning steps and `order_by` are for tables; an image dataset takes neither".into(),
        ));
    }
    if run.key.task == Some(Task::Regression) {
        return Err(Error::InvalidTarget("images are classified by their folder: the task is classification".into()));
    }
    let labels = set.labels();
    let split = image_split(set, &config);
    if split.valid.is_empty() || split.test.is_empty() {
        return Err(Error::InvalidTarget(format!(
            "{} images leave nothing to validate or test on; add images (a few per class at least)",
            labels.len()
        )));
    }
    let recipe = ImageRecipe::fit(set, &split.train, config.channel_statistics, config.augment.clone())?;
    let encode = |items: &[usize]| Encoded {
        x: recipe.encode_set(set, items),
        width: recipe.width(),
        targets: Targets::Classes(items.iter().map(|&i| labels[i] as i64).collect()),
    };
    let (train, valid, test) = (encode(&split.train), encode(&split.valid), encode(&split.test));

    let classes = set.classes.len();
    let loss = config.loss_for(Task::Classification, classes)?;
    let spec = image_spec(config.model_spec(recipe.width(), loss.outputs(classes)), set);
    spec.validate()?;
    if let Some(start) = start {
        let model = start(&spec, config.seed)?;
        run.start_from(spec.name(), model.weights().await?);
    }
    let objective = Objective::new(loss, classes, &train.targets);
    let baseline_spec = ModelSpec::new(spec.inputs, vec![], spec.outputs);
    let vary = |image: &mut [f32], rng: &mut SplitMix64| recipe.augment_encoded(image, rng);
    let augment = (!recipe.augment.is_none()).then_some(&vary as Augmenter);
    let baseline =
        train_model(device, &baseline_spec, &config, &objective, &train, &valid, augment, sink, &mut run).await?;
    let model = train_model(device, &spec, &config, &objective, &train, &valid, augment, sink, &mut run).await?;

    let encoding = recipe.target_encoding();
    let baseline_metrics = evaluate(&baseline.model, &test, &encoding, device).await?;
    let metrics = evaluate(&model.model, &test, &encoding, device).await?;
    let manifest = Manifest {
        format_version: FORMAT_VERSION,
        data_kind: DataKind::Images,
        family: Some(spec.family()),
        fornax_version: crate::VERSION.to_string(),
        task: Task::Classification,
        target: IMAGE_TARGET.to_string(),
        inputs: Vec::new(),
        model: spec,
        preprocessing: Preprocessing::Images(recipe),
        metrics: metrics.clone(),
        baseline_metrics: baseline_metrics.clone(),
        epochs_run: model.epochs_run,
    };
    let bundle = Bundle::new(manifest, &model.model).await?;
    Ok(TrainOutcome { bundle, metrics, baseline: baseline_metrics, epochs_run: model.epochs_run })
}

/// The config's model, reading the set's images: the data decides the image size, so
/// a CNN's or named network's image is the set's square and a custom network that does not start with an
/// `image` block gets one.
fn image_spec(mut spec: ModelSpec, set: &ImageSet) -> ModelSpec {
    let side = set.side as usize;
    spec.set_image_side(side);
    if let Some(blocks) = &mut spec.network
        && !matches!(blocks.first(), Some(Block::Image { .. }))
    {
        blocks.insert(0, Block::Image { height: side, width: side });
    }
    spec
}
