//! Table management on a [`Db`]: creating, describing, listing and
//! deleting tables. Tables exist on every shard; shard 0's manifest is the
//! authority (see the module docs of [`crate::engine`]).

use crate::catalog::TableDescription;
use crate::ids::TableId;
use crate::model::{TableSchema, validate_table_name};
use crate::{Error, Result};

use super::Db;

impl Db {
    // ----- tables -------------------------------------------------------

    /// Creates a table. Errors: invalid name or schema (`Validation`), a
    /// table of that name exists (`TableAlreadyExists`).
    pub fn create_table(&self, name: &str, schema: TableSchema) -> Result<TableDescription> {
        validate_table_name(name)?;
        schema.validate()?;
        let _control = self.inner.control.lock().unwrap_or_else(|e| e.into_inner());
        if self.table(name).is_ok() {
            return Err(Error::TableAlreadyExists(name.to_owned()));
        }
        let mut description = TableDescription {
            name: name.to_owned(),
            id: TableId(0),
            schema,
        };
        // Shard 0 allocates the id and is the authority; the others follow.
        let blob = description.encode();
        description.id = self.inner.shards[0].lock().lsm.create_table(blob.clone())?;
        // The table exists once shard 0 recorded it, even if a later shard
        // fails below (the next open copies it to the shards that missed it).
        self.inner
            .tables
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name.to_owned(), description.clone());
        for shard in &self.inner.shards[1..] {
            shard
                .lock()
                .lsm
                .create_table_with_id(description.id, blob.clone())?;
        }
        Ok(description)
    }

    /// The description of table `name`.
    pub fn describe_table(&self, name: &str) -> Result<TableDescription> {
        self.table(name)
    }

    /// The names of all tables, sorted.
    pub fn list_tables(&self) -> Vec<String> {
        self.inner
            .tables
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect()
    }

    /// Deletes table `name` and (lazily, through compaction) its items.
    pub fn delete_table(&self, name: &str) -> Result<TableDescription> {
        let _control = self.inner.control.lock().unwrap_or_else(|e| e.into_inner());
        let description = self.table(name)?;
        // Gone from reads at once: nothing routes to it any more.
        self.inner
            .tables
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(name);
        for shard in &self.inner.shards {
            shard.lock().lsm.delete_table(description.id)?;
        }
        Ok(description)
    }
}
