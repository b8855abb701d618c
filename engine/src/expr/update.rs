//! Placeholder until update evaluation lands (being written in parallel).

use super::ast::{Projection, UpdateExpression};
use crate::model::Item;
use crate::{Error, Result};

impl UpdateExpression {
    /// The item after the update (`item` is empty when there was none).
    pub fn apply(&self, _item: &Item) -> Result<Item> {
        Err(Error::validation(
            "updates are not evaluated yet in this build",
        ))
    }

    /// The paths the update changes, for `ReturnValues` `UPDATED_OLD` and
    /// `UPDATED_NEW`.
    pub fn updated_paths(&self) -> Projection {
        Projection::default()
    }
}
