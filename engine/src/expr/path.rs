//! Placeholder until path resolution lands (being written in parallel).

use super::ast::Path;
use crate::model::{AttributeValue, Item};

/// The value at `path` in `item`, if there is one.
pub fn get_path<'a>(_item: &'a Item, _path: &Path) -> Option<&'a AttributeValue> {
    None
}
