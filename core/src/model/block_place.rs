//! A block's place in a custom network (`3`, or `3.2` for the second block inside the
//! third, a residual), and the edits the studio's builder makes there: add a block at
//! the end of the network or of a residual, move a block among its neighbours, remove it.
//! Places read as [`super::network::stack`] numbers its rows.

use super::network::Block;

/// Where a block sits: the index at each level, outermost first (zero-based; shown
/// one-based as `3.2`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Place(pub Vec<usize>);

impl Place {
    /// Reads `3.2`; `None` for an empty or malformed place.
    pub fn parse(text: &str) -> Option<Place> {
        let indices: Option<Vec<usize>> =
            text.split('.').map(|n| n.trim().parse::<usize>().ok()?.checked_sub(1)).collect();
        indices.filter(|v| !v.is_empty()).map(Place)
    }

    /// How deep it sits: 0 at the top, 1 inside a residual.
    pub fn depth(&self) -> usize {
        self.0.len().saturating_sub(1)
    }
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown: Vec<String> = self.0.iter().map(|i| (i + 1).to_string()).collect();
        f.write_str(&shown.join("."))
    }
}

/// Every block with its place, depth first (a residual before its blocks): the order of
/// [`super::network::stack`]'s rows.
pub fn places(blocks: &[Block]) -> Vec<(Place, &Block)> {
    fn walk<'a>(blocks: &'a [Block], prefix: &[usize], out: &mut Vec<(Place, &'a Block)>) {
        for (i, block) in blocks.iter().enumerate() {
            let place = [prefix, &[i]].concat();
            out.push((Place(place.clone()), block));
            if let Block::Residual { blocks } = block {
                walk(blocks, &place, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(blocks, &[], &mut out);
    out
}

/// Adds `block` at the end of the network (`inside: None`) or of the residual at
/// `inside`; false when there is no residual there.
pub fn push(blocks: &mut Vec<Block>, inside: Option<&Place>, block: Block) -> bool {
    let list = match inside {
        None => Some(blocks),
        Some(place) => match block_at(blocks, place) {
            Some(Block::Residual { blocks }) => Some(blocks),
            _ => None,
        },
    };
    list.map(|l| l.push(block)).is_some()
}

/// Removes the block at `place` (with what is inside it); false when there is none.
pub fn remove(blocks: &mut Vec<Block>, place: &Place) -> bool {
    let Some((list, i)) = siblings(blocks, place) else { return false };
    list.remove(i);
    true
}

/// Swaps the block at `place` with the one before it (`earlier`) or after it; false
/// when there is no such neighbour.
pub fn shift(blocks: &mut Vec<Block>, place: &Place, earlier: bool) -> bool {
    let Some((list, i)) = siblings(blocks, place) else { return false };
    let other = if earlier { i.checked_sub(1) } else { Some(i + 1).filter(|j| *j < list.len()) };
    other.map(|j| list.swap(i, j)).is_some()
}

fn block_at<'a>(blocks: &'a mut [Block], place: &Place) -> Option<&'a mut Block> {
    let (first, rest) = place.0.split_first()?;
    let block = blocks.get_mut(*first)?;
    match (rest.is_empty(), block) {
        (true, block) => Some(block),
        (false, Block::Residual { blocks }) => block_at(blocks, &Place(rest.to_vec())),
        (false, _) => None,
    }
}

/// The list that holds `place`, and its index there.
fn siblings<'a>(blocks: &'a mut Vec<Block>, place: &Place) -> Option<(&'a mut Vec<Block>, usize)> {
    let (last, parent) = place.0.split_last()?;
    let list = match parent {
        [] => blocks,
        _ => match block_at(blocks, &Place(parent.to_vec()))? {
            Block::Residual { blocks } => blocks,
            _ => return None,
        },
    };
    (*last < list.len()).then_some((list, *last))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::network;

    fn names(blocks: &[Block]) -> Vec<String> {
        places(blocks).iter().map(|(p, b)| format!("{p} {}", b.name())).collect()
    }

    #[test]
    fn places_follow_the_rows_of_stack() {
        let mut net = vec![Block::Linear { units: 8 }, Block::Residual { blocks: vec![] }];
        let residual = Place::parse("2").unwrap();
        assert!(push(&mut net, Some(&residual), Block::Linear { units: 8 }));
        assert!(push(&mut net, Some(&residual), Block::LayerNorm));
        assert!(push(&mut net, None, Block::Flatten));
        assert!(!push(&mut net, Some(&Place::parse("1").unwrap()), Block::Flatten), "linear holds no blocks");
        assert_eq!(names(&net), ["1 linear", "2 residual", "2.1 linear", "2.2 layer_norm", "3 flatten"]);
        let rows = network::stack(4, &net).unwrap();
        let stacked: Vec<_> = rows.iter().map(|r| r.place.clone()).collect();
        let placed: Vec<_> = places(&net).iter().map(|(p, _)| p.to_string()).collect();
        assert_eq!(stacked, placed);

        assert!(shift(&mut net, &Place::parse("2.2").unwrap(), true));
        assert_eq!(names(&net)[2..4], ["2.1 layer_norm", "2.2 linear"]);
        assert!(!shift(&mut net, &Place::parse("2.1").unwrap(), true), "first in its residual");
        assert!(!shift(&mut net, &Place::parse("3").unwrap(), false), "last of the network");
        assert!(shift(&mut net, &Place::parse("1").unwrap(), false));
        assert_eq!(names(&net)[0], "1 residual");
        assert!(remove(&mut net, &Place::parse("1").unwrap()));
        assert_eq!(names(&net), ["1 linear", "2 flatten"]);
        assert!(!remove(&mut net, &Place::parse("5").unwrap()));
        assert!(!remove(&mut net, &Place::parse("1.1").unwrap()));
    }

    #[test]
    fn places_parse_and_show_one_based() {
        assert_eq!(Place::parse("3.2"), Some(Place(vec![2, 1])));
        assert_eq!(Place::parse("3.2").unwrap().to_string(), "3.2");
        assert_eq!(Place::parse("3.2").unwrap().depth(), 1);
        for bad in ["", "0", "a", "1..2", "-1"] {
            assert_eq!(Place::parse(bad), None, "{bad}");
        }
    }
}
