//! The networks that are written as a spec and expand into the custom network's blocks:
//! a ResNet ([`super::resnet`]) or an EfficientNet / MobileNetV2
//! ([`super::efficientnet`]). A model spec and a training config each hold at most one,
//! in place of `conv` and `network`; this is the one place that says which and checks it.

use super::network::Block;
use super::{EfficientNetSpec, ModelFamily, ResNetSpec};
use crate::{Error, Result};

/// A named network's spec.
#[derive(Debug, Clone, Copy)]
pub enum NamedNet<'a> {
    /// The `resnet` family.
    ResNet(&'a ResNetSpec),
    /// The `efficientnet` family.
    EfficientNet(&'a EfficientNetSpec),
}

impl<'a> NamedNet<'a> {
    /// The one named network among these fields, or why they do not go together.
    pub fn pick(
        conv: bool,
        network: bool,
        resnet: Option<&'a ResNetSpec>,
        efficientnet: Option<&'a EfficientNetSpec>,
    ) -> Result<Option<NamedNet<'a>>> {
        let named = match (resnet, efficientnet) {
            (Some(_), Some(_)) => {
                return Err(Error::InvalidConfig("a model is a ResNet or an EfficientNet, not both".into()));
            }
            (Some(r), None) => NamedNet::ResNet(r),
            (None, Some(e)) => NamedNet::EfficientNet(e),
            (None, None) => return Ok(None),
        };
        if conv || network {
            return Err(Error::InvalidConfig(format!(
                "a {} is a model of its own: leave out `conv` and `network`",
                named.kind()
            )));
        }
        Ok(Some(named))
    }

    /// `ResNet` or `EfficientNet`, for messages.
    fn kind(self) -> &'static str {
        match self {
            NamedNet::ResNet(_) => "ResNet",
            NamedNet::EfficientNet(_) => "EfficientNet",
        }
    }

    /// Its family.
    pub fn family(self) -> ModelFamily {
        match self {
            NamedNet::ResNet(_) => ModelFamily::Resnet,
            NamedNet::EfficientNet(_) => ModelFamily::Efficientnet,
        }
    }

    /// Its blocks, image block first.
    pub fn blocks(self) -> Vec<Block> {
        match self {
            NamedNet::ResNet(r) => r.blocks(),
            NamedNet::EfficientNet(e) => e.blocks(),
        }
    }

    /// Refuses settings its blocks cannot be built from.
    pub fn validate(self) -> Result<()> {
        match self {
            NamedNet::ResNet(r) => r.validate(),
            NamedNet::EfficientNet(e) => e.validate(),
        }
    }

    /// Its name in summaries: `ResNet-18`, `MobileNetV2`.
    pub fn describe(self) -> String {
        match self {
            NamedNet::ResNet(r) => r.describe(),
            NamedNet::EfficientNet(e) => e.describe(),
        }
    }

    /// The height and width of the image it reads.
    pub fn image(self) -> [usize; 2] {
        match self {
            NamedNet::ResNet(r) => r.image,
            NamedNet::EfficientNet(e) => e.image,
        }
    }
}
