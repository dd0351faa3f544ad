//! The registry of model families: what the studio offers, `fornax train --model` takes
//! and a bundle records, each with the kinds of data it reads.

use serde::{Deserialize, Serialize};

use crate::data::DataKind;

/// A kind of model, independent of its sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelFamily {
    /// Linear or logistic regression: no hidden layers, the baseline every run trains.
    Linear,
    /// A multilayer perceptron: dense hidden layers.
    Mlp,
    /// Convolutional blocks over rows read as images, then dense layers.
    Cnn,
    /// A network composed block by block ([`super::network`]), then dense layers.
    Custom,
    /// A ResNet-style network ([`super::resnet`]): stages of basic residual blocks.
    Resnet,
    /// An EfficientNet-style network or MobileNetV2 ([`super::efficientnet`]): stages of
    /// inverted residual blocks.
    Efficientnet,
}

/// What the registry says about one family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FamilyInfo {
    /// The family.
    pub family: ModelFamily,
    /// Its name in JSON, on the command line and in bundles.
    pub name: &'static str,
    /// How the studio names it.
    pub label: &'static str,
    /// The data kinds it reads.
    pub accepts: &'static [DataKind],
}

/// Every family, in the order the studio lists them.
pub static FAMILIES: [FamilyInfo; 6] = [
    FamilyInfo { family: ModelFamily::Linear, name: "linear", label: "Linear baseline", accepts: BOTH },
    FamilyInfo { family: ModelFamily::Mlp, name: "mlp", label: "MLP", accepts: BOTH },
    FamilyInfo { family: ModelFamily::Cnn, name: "cnn", label: "CNN", accepts: BOTH },
    FamilyInfo { family: ModelFamily::Resnet, name: "resnet", label: "ResNet-style", accepts: BOTH },
    FamilyInfo { family: ModelFamily::Efficientnet, name: "efficientnet", label: "EfficientNet-style", accepts: BOTH },
    FamilyInfo { family: ModelFamily::Custom, name: "custom", label: "Custom network", accepts: BOTH },
];

/// Every family so far reads rows of numbers, and an image is one: its pixels,
/// channel first.
const BOTH: &[DataKind] = &[DataKind::Tabular, DataKind::Images];

impl ModelFamily {
    /// The family's entry in [`FAMILIES`].
    pub fn info(self) -> &'static FamilyInfo {
        FAMILIES.iter().find(|f| f.family == self).expect("every family is registered")
    }

    /// The family registered under `name` (`linear`, `mlp`, `cnn`).
    pub fn from_name(name: &str) -> Option<ModelFamily> {
        FAMILIES.iter().find(|f| f.name == name).map(|f| f.family)
    }

    /// The family of a network with these parts: a named network's ([`super::NamedNet`]),
    /// custom with blocks, a CNN with convolutions, the linear baseline without hidden
    /// layers, an MLP otherwise.
    pub fn of(named: Option<ModelFamily>, blocks: bool, convolutions: bool, hidden_layers: usize) -> ModelFamily {
        match (named, blocks, convolutions, hidden_layers) {
            (Some(family), ..) => family,
            (None, true, _, _) => ModelFamily::Custom,
            (None, false, true, _) => ModelFamily::Cnn,
            (None, false, false, 0) => ModelFamily::Linear,
            (None, false, false, _) => ModelFamily::Mlp,
        }
    }

    /// Its name: `linear`, `mlp`, `cnn`, `resnet`, `efficientnet` or `custom`.
    pub fn name(self) -> &'static str {
        self.info().name
    }

    /// Whether it can train on data of `kind`.
    pub fn accepts(self, kind: DataKind) -> bool {
        self.info().accepts.contains(&kind)
    }

    /// The families that read `kind`, in registry order.
    pub fn for_kind(kind: DataKind) -> impl Iterator<Item = ModelFamily> {
        FAMILIES.iter().filter(move |f| f.accepts.contains(&kind)).map(|f| f.family)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_family_is_registered_once_under_its_serde_name() {
        for info in &FAMILIES {
            assert_eq!(info.family.info(), info);
            assert_eq!(serde_json::to_value(info.family).unwrap(), info.name);
            assert_eq!(ModelFamily::from_name(info.name), Some(info.family));
        }
        assert_eq!(ModelFamily::from_name("vit"), None);
        let tabular: Vec<_> = ModelFamily::for_kind(DataKind::Tabular).collect();
        assert_eq!(
            tabular,
            [
                ModelFamily::Linear,
                ModelFamily::Mlp,
                ModelFamily::Cnn,
                ModelFamily::Resnet,
                ModelFamily::Efficientnet,
                ModelFamily::Custom
            ]
        );
    }
}
