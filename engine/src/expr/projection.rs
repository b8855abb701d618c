//! Placeholder until projection lands (being written in parallel).

use super::ast::Projection;
use crate::model::Item;

impl Projection {
    /// The parts of `item` the projection names.
    pub fn apply(&self, item: &Item) -> Item {
        item.clone()
    }
}
