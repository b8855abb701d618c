//! Table management on a [`Db`]: DynamoDB's CreateTable, DescribeTable,
//! ListTables, UpdateTable and DeleteTable, with their requests, outputs,
//! validation order and error messages.
//!
//! Tables exist on every shard; shard 0's manifest is the authority (see the
//! module docs of [`crate::engine`]). Every change is one durable manifest
//! edit per shard, shard 0 first, made while holding the database's control
//! lock, so table changes are serialised; `open` brings any shard that
//! missed a change (a crash between shards) back in line with shard 0.
//!
//! Validation follows DynamoDB's order: first the request's *constraints*
//! (name patterns and lengths, list lengths, minimum values), all reported
//! together as "N validation errors detected: ...", then the semantic rules
//! one at a time, then the state of the catalog (an existing or missing
//! table). Invalid requests change nothing.

use crate::catalog::{
    AttributeDefinition, BillingMode, KeyRole, KeySchemaElement, ProvisionedThroughputDescription,
    TableDescription, TableStatus,
};
use crate::io::Clock;
use crate::limits::{CAPACITY_UNITS_MAX, KEY_ATTRIBUTE_NAME_BYTES_MAX, LIST_TABLES_LIMIT_MAX};
use crate::model::schema::{constraint_violation, table_name_constraints, validation_errors};
use crate::model::{KeyAttribute, TableSchema};
use crate::{Error, Result};

use super::Db;

/// DynamoDB's prefix for messages about inconsistent parameter values.
const INVALID_PARAMETERS: &str = "One or more parameter values were invalid";

/// Read and write capacity units asked for (DynamoDB's
/// `ProvisionedThroughput`). Signed, as DynamoDB's `Long`, so that a
/// negative value gets DynamoDB's message rather than being unrepresentable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProvisionedThroughput {
    /// Read capacity units, 1..=10^12.
    pub read_capacity_units: i64,
    /// Write capacity units, 1..=10^12.
    pub write_capacity_units: i64,
}

impl ProvisionedThroughput {
    /// `read` read and `write` write capacity units.
    pub fn new(read: i64, write: i64) -> Self {
        ProvisionedThroughput {
            read_capacity_units: read,
            write_capacity_units: write,
        }
    }
}

/// A CreateTable request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateTableRequest {
    /// The new table's name: 3..=255 characters of `[a-zA-Z0-9_.-]`.
    pub table_name: String,
    /// One HASH element, optionally followed by one RANGE element.
    pub key_schema: Vec<KeySchemaElement>,
    /// Exactly one definition per key attribute.
    pub attribute_definitions: Vec<AttributeDefinition>,
    /// How the table is billed.
    pub billing_mode: BillingMode,
    /// Required for PROVISIONED, forbidden for PAY_PER_REQUEST.
    pub provisioned_throughput: Option<ProvisionedThroughput>,
}

impl CreateTableRequest {
    /// A PAY_PER_REQUEST table named `table_name` with key schema `schema`
    /// (the request [`Db::create_table`] makes).
    pub fn pay_per_request(table_name: impl Into<String>, schema: &TableSchema) -> Self {
        let mut key_schema = vec![KeySchemaElement::new(
            &schema.partition_key.name,
            KeyRole::Hash,
        )];
        let mut attribute_definitions = vec![AttributeDefinition::new(
            &schema.partition_key.name,
            schema.partition_key.key_type,
        )];
        if let Some(sort_key) = &schema.sort_key {
            key_schema.push(KeySchemaElement::new(&sort_key.name, KeyRole::Range));
            attribute_definitions.push(AttributeDefinition::new(&sort_key.name, sort_key.key_type));
        }
        CreateTableRequest {
            table_name: table_name.into(),
            key_schema,
            attribute_definitions,
            billing_mode: BillingMode::PayPerRequest,
            provisioned_throughput: None,
        }
    }
}

/// An UpdateTable request: a change of billing mode and/or throughput.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateTableRequest {
    /// The table to change.
    pub table_name: String,
    /// The new billing mode, if it changes (or is restated).
    pub billing_mode: Option<BillingMode>,
    /// The new throughput: required when switching to PROVISIONED, allowed
    /// only for a PROVISIONED table (or one switching to it).
    pub provisioned_throughput: Option<ProvisionedThroughput>,
}

/// A ListTables request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListTablesRequest {
    /// List the names after this one (the previous page's
    /// `last_evaluated_table_name`); it need not name an existing table.
    pub exclusive_start_table_name: Option<String>,
    /// Names per page, 1..=100 (default 100).
    pub limit: Option<i64>,
}

/// One page of table names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListTablesOutput {
    /// Names in ascending (byte) order.
    pub table_names: Vec<String>,
    /// Set when more names follow: pass it as `exclusive_start_table_name`.
    pub last_evaluated_table_name: Option<String>,
}

/// DescribeTable's answer: the stored description and the counts computed
/// by reading the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DescribeTableOutput {
    /// What the catalog stores.
    pub table: TableDescription,
    /// Live items, over all shards (DynamoDB's `ItemCount`).
    pub item_count: u64,
    /// Sum of the items' DynamoDB sizes (DynamoDB's `TableSizeBytes`).
    pub table_size_bytes: u64,
}

/// Collects constraint violations in the order DynamoDB lists them.
#[derive(Default)]
struct Violations(Vec<String>);

impl Violations {
    fn add(&mut self, value: Option<&str>, member: &str, constraint: &str) {
        self.0.push(constraint_violation(value, member, constraint));
    }

    fn table_name(&mut self, name: &str, member: &str) {
        for constraint in table_name_constraints(name) {
            self.add(Some(name), member, &constraint);
        }
    }

    fn attribute_name(&mut self, name: &str, member: &str) {
        if name.is_empty() {
            self.add(
                Some(name),
                member,
                "Member must have length greater than or equal to 1",
            );
        } else if name.len() > KEY_ATTRIBUTE_NAME_BYTES_MAX {
            self.add(
                Some(name),
                member,
                &format!(
                    "Member must have length less than or equal to {KEY_ATTRIBUTE_NAME_BYTES_MAX}"
                ),
            );
        }
    }

    fn throughput(&mut self, throughput: Option<&ProvisionedThroughput>) {
        let Some(throughput) = throughput else {
            return;
        };
        // DynamoDB lists the write units first.
        let units = [
            (
                throughput.write_capacity_units,
                "provisionedThroughput.writeCapacityUnits",
            ),
            (
                throughput.read_capacity_units,
                "provisionedThroughput.readCapacityUnits",
            ),
        ];
        for (value, member) in units {
            if value < 1 {
                self.add(
                    Some(&value.to_string()),
                    member,
                    "Member must have value greater than or equal to 1",
                );
            }
        }
    }

    fn into_result(self) -> Result<()> {
        match validation_errors(&self.0) {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}

fn invalid(message: impl std::fmt::Display) -> Error {
    Error::validation(format!("{INVALID_PARAMETERS}: {message}"))
}

/// DynamoDB's rendering of a key schema in a constraint message.
fn render_key_schema(elements: &[KeySchemaElement]) -> String {
    let rendered: Vec<String> = elements
        .iter()
        .map(|e| {
            format!(
                "KeySchemaElement(attributeName={}, keyType={})",
                e.attribute_name,
                e.key_type.as_str()
            )
        })
        .collect();
    format!("[{}]", rendered.join(", "))
}

/// DynamoDB's upper bound on capacity units.
fn check_capacity_bounds(throughput: Option<&ProvisionedThroughput>) -> Result<()> {
    let Some(throughput) = throughput else {
        return Ok(());
    };
    for (value, name) in [
        (throughput.read_capacity_units, "ReadCapacityUnits"),
        (throughput.write_capacity_units, "WriteCapacityUnits"),
    ] {
        if value > CAPACITY_UNITS_MAX {
            return Err(Error::validation(format!(
                "Given value {value} for {name} is out of bounds"
            )));
        }
    }
    Ok(())
}

const NEITHER_UNITS_FOR_PAY_PER_REQUEST: &str = "Neither ReadCapacityUnits nor WriteCapacityUnits \
                                                 can be specified when BillingMode is \
                                                 PAY_PER_REQUEST";

/// Checks a CreateTable request in DynamoDB's order and returns the schema
/// it asks for. See the module docs for the phases.
fn validate_create(request: &CreateTableRequest) -> Result<TableSchema> {
    // 1. Constraints, all reported together.
    let mut violations = Violations::default();
    for (index, definition) in request.attribute_definitions.iter().enumerate() {
        violations.attribute_name(
            &definition.attribute_name,
            &format!("attributeDefinitions.{}.member.attributeName", index + 1),
        );
    }
    violations.table_name(&request.table_name, "tableName");
    violations.throughput(request.provisioned_throughput.as_ref());
    let keys = &request.key_schema;
    if keys.is_empty() {
        violations.add(
            Some("[]"),
            "keySchema",
            "Member must have length greater than or equal to 1",
        );
    } else if keys.len() > 2 {
        violations.add(
            Some(&render_key_schema(keys)),
            "keySchema",
            "Member must have length less than or equal to 2",
        );
    }
    for (index, element) in keys.iter().enumerate() {
        violations.attribute_name(
            &element.attribute_name,
            &format!("keySchema.{}.member.attributeName", index + 1),
        );
    }
    violations.into_result()?;

    // 2. Billing mode against throughput.
    match (request.billing_mode, &request.provisioned_throughput) {
        (BillingMode::PayPerRequest, Some(_)) => {
            return Err(invalid(NEITHER_UNITS_FOR_PAY_PER_REQUEST));
        }
        (BillingMode::Provisioned, None) => {
            return Err(invalid(
                "ReadCapacityUnits and WriteCapacityUnits must both be specified when \
                 BillingMode is PROVISIONED",
            ));
        }
        _ => {}
    }
    check_capacity_bounds(request.provisioned_throughput.as_ref())?;

    // 3. The key schema against the attribute definitions.
    let definitions = &request.attribute_definitions;
    if keys.len() > definitions.len() {
        return Err(Error::validation(
            "Invalid KeySchema: Some index key attribute have no definition",
        ));
    }
    for (index, definition) in definitions.iter().enumerate() {
        if definitions[..index]
            .iter()
            .any(|d| d.attribute_name == definition.attribute_name)
        {
            return Err(Error::validation(format!(
                "Attribute Name is duplicated: {}",
                definition.attribute_name
            )));
        }
    }
    if keys.len() == 2 && keys[0].attribute_name == keys[1].attribute_name {
        return Err(Error::validation(
            "Both the Hash Key and the Range Key element in the KeySchema have the same name",
        ));
    }
    let definition_of = |name: &str| definitions.iter().find(|d| d.attribute_name == name);
    if keys
        .iter()
        .any(|k| definition_of(&k.attribute_name).is_none())
    {
        let names = |list: Vec<&str>| list.join(", ");
        return Err(invalid(format!(
            "Some index key attributes are not defined in AttributeDefinitions. Keys: [{}], \
             AttributeDefinitions: [{}]",
            names(keys.iter().map(|k| k.attribute_name.as_str()).collect()),
            names(
                definitions
                    .iter()
                    .map(|d| d.attribute_name.as_str())
                    .collect()
            ),
        )));
    }
    if keys[0].key_type != KeyRole::Hash {
        return Err(Error::validation(
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
        ));
    }
    if keys.len() == 2 && keys[1].key_type != KeyRole::Range {
        return Err(Error::validation(
            "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type",
        ));
    }
    if definitions.len() != keys.len() {
        return Err(invalid(
            "Number of attributes in KeySchema does not exactly match number of attributes \
             defined in AttributeDefinitions",
        ));
    }

    let key_attribute = |element: &KeySchemaElement| {
        let definition = definition_of(&element.attribute_name)
            .expect("every key attribute was checked to have a definition");
        KeyAttribute::new(&element.attribute_name, definition.attribute_type)
    };
    Ok(TableSchema {
        partition_key: key_attribute(&keys[0]),
        sort_key: keys.get(1).map(key_attribute),
    })
}

/// Checks an UpdateTable request's own consistency (before the table is
/// looked up), in DynamoDB's order.
fn validate_update(request: &UpdateTableRequest) -> Result<()> {
    let mut violations = Violations::default();
    violations.table_name(&request.table_name, "tableName");
    violations.throughput(request.provisioned_throughput.as_ref());
    violations.into_result()?;
    match (request.billing_mode, &request.provisioned_throughput) {
        (None, None) => Err(Error::validation(
            "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, \
             GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required",
        )),
        (Some(BillingMode::Provisioned), None) => Err(invalid(
            "ProvisionedThroughput must be specified when BillingMode is PROVISIONED",
        )),
        (Some(BillingMode::PayPerRequest), Some(_)) => {
            Err(invalid(NEITHER_UNITS_FOR_PAY_PER_REQUEST))
        }
        _ => check_capacity_bounds(request.provisioned_throughput.as_ref()),
    }
}

/// Applies a validated update to `current` at wall-clock time `now_ms`.
/// `Ok(None)`: nothing changes (PAY_PER_REQUEST restated), nothing to record.
fn apply_update(
    current: &TableDescription,
    request: &UpdateTableRequest,
    now_ms: u64,
) -> Result<Option<TableDescription>> {
    let target_mode = request.billing_mode.unwrap_or(current.billing_mode);
    let mut updated = current.clone();
    match (target_mode, request.provisioned_throughput) {
        (BillingMode::PayPerRequest, Some(_)) => {
            // Units asked of a table that is (and stays) on demand.
            Err(invalid(NEITHER_UNITS_FOR_PAY_PER_REQUEST))
        }
        (BillingMode::PayPerRequest, None) => {
            if current.billing_mode == BillingMode::PayPerRequest {
                return Ok(None);
            }
            updated.billing_mode = BillingMode::PayPerRequest;
            updated.last_update_to_pay_per_request_ms = Some(now_ms);
            updated.provisioned_throughput = ProvisionedThroughputDescription {
                read_capacity_units: 0,
                write_capacity_units: 0,
                ..current.provisioned_throughput
            };
            Ok(Some(updated))
        }
        (BillingMode::Provisioned, None) => {
            unreachable!("validate_update requires throughput for PROVISIONED")
        }
        (BillingMode::Provisioned, Some(asked)) => {
            // Validated: both units are in 1..=CAPACITY_UNITS_MAX.
            let read = asked.read_capacity_units as u64;
            let write = asked.write_capacity_units as u64;
            let old = current.provisioned_throughput;
            if current.billing_mode == BillingMode::Provisioned {
                if read == old.read_capacity_units && write == old.write_capacity_units {
                    return Err(Error::validation(format!(
                        "The provisioned throughput for the table will not change. The requested \
                         value equals the current value. Current ReadCapacityUnits provisioned \
                         for the table: {}. Requested ReadCapacityUnits: {read}. Current \
                         WriteCapacityUnits provisioned for the table: {}. Requested \
                         WriteCapacityUnits: {write}. Refer to the Amazon DynamoDB Developer \
                         Guide for current limits and how to request higher limits.",
                        old.read_capacity_units, old.write_capacity_units
                    )));
                }
                let throughput = &mut updated.provisioned_throughput;
                if read > old.read_capacity_units || write > old.write_capacity_units {
                    throughput.last_increase_date_time_ms = Some(now_ms);
                }
                if read < old.read_capacity_units || write < old.write_capacity_units {
                    throughput.last_decrease_date_time_ms = Some(now_ms);
                }
            }
            updated.billing_mode = BillingMode::Provisioned;
            updated.provisioned_throughput.read_capacity_units = read;
            updated.provisioned_throughput.write_capacity_units = write;
            Ok(Some(updated))
        }
    }
}

impl Db {
    // ----- tables -------------------------------------------------------

    /// The database's clock (the same for every shard).
    fn clock(&self) -> std::sync::Arc<dyn Clock> {
        self.inner.shards[0].lock().lsm.options().clock.clone()
    }

    /// Creates a PAY_PER_REQUEST table with key schema `schema`: the simple
    /// form of [`Db::create_table_with`], with the same errors.
    pub fn create_table(&self, name: &str, schema: TableSchema) -> Result<TableDescription> {
        self.create_table_with(&CreateTableRequest::pay_per_request(name, &schema))
    }

    /// DynamoDB's CreateTable: validates `request`, records the table on
    /// every shard (shard 0 first) and returns its description (ACTIVE at
    /// once: creation is synchronous).
    ///
    /// # Errors
    /// [`Error::Validation`] with DynamoDB's message for an invalid request
    /// (see the module docs for the order of the checks);
    /// [`Error::TableAlreadyExists`] (`ResourceInUseException`) if a table
    /// of that name exists; I/O errors from recording it. If a shard other
    /// than 0 fails, the table exists (shard 0 recorded it) and the next
    /// open copies it to the shards that missed it.
    pub fn create_table_with(&self, request: &CreateTableRequest) -> Result<TableDescription> {
        let schema = validate_create(request)?;
        let _control = self.inner.control.lock().unwrap_or_else(|e| e.into_inner());
        if self.table(&request.table_name).is_ok() {
            return Err(Error::TableAlreadyExists(request.table_name.clone()));
        }
        let mut description =
            TableDescription::new(&request.table_name, schema, self.clock().unix_time_ms());
        description.attribute_definitions = request.attribute_definitions.clone();
        description.billing_mode = request.billing_mode;
        if let Some(throughput) = request.provisioned_throughput {
            // Validated: both units are in 1..=CAPACITY_UNITS_MAX.
            description.provisioned_throughput.read_capacity_units =
                throughput.read_capacity_units as u64;
            description.provisioned_throughput.write_capacity_units =
                throughput.write_capacity_units as u64;
        }
        // Shard 0 allocates the id and is the authority; the others follow.
        let blob = description.encode();
        description.id = self.inner.shards[0].lock().lsm.create_table(blob.clone())?;
        // The table exists once shard 0 recorded it, even if a later shard
        // fails below (the next open copies it to the shards that missed it).
        self.inner
            .tables
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(request.table_name.clone(), description.clone());
        for shard in &self.inner.shards[1..] {
            shard
                .lock()
                .lsm
                .create_table_with_id(description.id, blob.clone())?;
        }
        Ok(description)
    }

    /// The stored description of table `name` (no item counts; cheap). See
    /// [`Db::describe_table_with_stats`] for DescribeTable's counts.
    ///
    /// # Errors
    /// [`Error::TableNotFound`] (`ResourceNotFoundException`).
    pub fn describe_table(&self, name: &str) -> Result<TableDescription> {
        self.table(name)
    }

    /// DynamoDB's DescribeTable: the description plus `ItemCount` and
    /// `TableSizeBytes`, computed exactly by reading every item of the table
    /// on every shard. Cost: proportional to the table's size (it reads the
    /// whole table, in chunks that let writers in between; see
    /// `shard/table_stats.rs`). Items written during the count may or may
    /// not be counted.
    ///
    /// # Errors
    /// [`Error::TableNotFound`]; read errors; [`Error::Corruption`] for a
    /// stored item that does not decode.
    pub fn describe_table_with_stats(&self, name: &str) -> Result<DescribeTableOutput> {
        let table = self.table(name)?;
        let mut item_count = 0;
        let mut table_size_bytes = 0;
        for shard in &self.inner.shards {
            let stats = shard.table_item_stats(table.id)?;
            item_count += stats.item_count;
            table_size_bytes += stats.size_bytes;
        }
        Ok(DescribeTableOutput {
            table,
            item_count,
            table_size_bytes,
        })
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

    /// DynamoDB's ListTables: one page of names in ascending order, after
    /// `exclusive_start_table_name` if given, at most `limit` (default and
    /// maximum 100). `last_evaluated_table_name` is set only when more
    /// names follow.
    ///
    /// # Errors
    /// [`Error::Validation`]: a limit outside 1..=100, or a start name that
    /// breaks the table-name constraints (all reported together).
    pub fn list_tables_with(&self, request: &ListTablesRequest) -> Result<ListTablesOutput> {
        let mut violations = Violations::default();
        if let Some(start) = &request.exclusive_start_table_name {
            violations.table_name(start, "exclusiveStartTableName");
        }
        if let Some(limit) = request.limit {
            if limit < 1 {
                violations.add(
                    Some(&limit.to_string()),
                    "limit",
                    "Member must have value greater than or equal to 1",
                );
            } else if limit > LIST_TABLES_LIMIT_MAX as i64 {
                violations.add(
                    Some(&limit.to_string()),
                    "limit",
                    &format!(
                        "Member must have value less than or equal to {LIST_TABLES_LIMIT_MAX}"
                    ),
                );
            }
        }
        violations.into_result()?;
        let limit = request
            .limit
            .map_or(LIST_TABLES_LIMIT_MAX, |limit| limit as usize);
        let tables = self.inner.tables.read().unwrap_or_else(|e| e.into_inner());
        let start = match &request.exclusive_start_table_name {
            Some(after) => std::ops::Bound::Excluded(after.as_str()),
            None => std::ops::Bound::Unbounded,
        };
        let mut names = tables
            .range::<str, _>((start, std::ops::Bound::Unbounded))
            .map(|(name, _)| name.clone());
        let table_names: Vec<String> = names.by_ref().take(limit).collect();
        let last_evaluated_table_name = match names.next() {
            Some(_) => table_names.last().cloned(),
            None => None,
        };
        Ok(ListTablesOutput {
            table_names,
            last_evaluated_table_name,
        })
    }

    /// DynamoDB's UpdateTable for billing mode and provisioned throughput:
    /// validates `request`, records the new description on every shard
    /// (shard 0 first; the change survives reopening, and a crash between
    /// shards is repaired at the next open) and returns it with status
    /// UPDATING, as DynamoDB's response does; the stored table is ACTIVE at
    /// once (the change is synchronous). Restating PAY_PER_REQUEST for an
    /// on-demand table records nothing and succeeds.
    ///
    /// Raising either unit sets the last-increase time, lowering either the
    /// last-decrease time; switching to PAY_PER_REQUEST zeroes the units
    /// and sets the last-switch time (all from the database's wall clock).
    ///
    /// # Errors
    /// [`Error::Validation`] with DynamoDB's messages (nothing to update;
    /// PROVISIONED without throughput; throughput for an on-demand table;
    /// units out of range; units equal to the current ones);
    /// [`Error::TableNotFound`]; I/O errors from recording it.
    pub fn update_table(&self, request: &UpdateTableRequest) -> Result<TableDescription> {
        validate_update(request)?;
        let _control = self.inner.control.lock().unwrap_or_else(|e| e.into_inner());
        let current = self.table(&request.table_name)?;
        let Some(updated) = apply_update(&current, request, self.clock().unix_time_ms())? else {
            return Ok(TableDescription {
                status: TableStatus::Updating,
                ..current
            });
        };
        let blob = updated.encode();
        self.inner.shards[0]
            .lock()
            .lsm
            .update_table(updated.id, blob.clone())?;
        // Shard 0 is the authority: from here the update has happened, even
        // if a later shard fails (the next open copies it there).
        self.inner
            .tables
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(updated.name.clone(), updated.clone());
        for shard in &self.inner.shards[1..] {
            shard.lock().lsm.update_table(updated.id, blob.clone())?;
        }
        Ok(TableDescription {
            status: TableStatus::Updating,
            ..updated
        })
    }

    /// DynamoDB's DeleteTable: removes table `name` (its items go lazily,
    /// through compaction) and returns its last description with status
    /// DELETING. The name is free for a new table at once; a new table of
    /// the same name gets a new id and starts empty.
    ///
    /// # Errors
    /// [`Error::TableNotFound`]; I/O errors from recording it (shard 0 is
    /// changed first; a crash before the other shards follow is repaired at
    /// the next open).
    pub fn delete_table(&self, name: &str) -> Result<TableDescription> {
        let _control = self.inner.control.lock().unwrap_or_else(|e| e.into_inner());
        let description = self.table(name)?;
        // Gone from reads at once: nothing routes to it any more.
        self.inner
            .tables
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .remove(name);
        // Gone from the caches on every shard whatever the outcome below:
        // nothing routes to the table any more.
        for shard in &self.inner.shards {
            shard.lock().cache.drop_table(description.id);
        }
        self.forget_table_cache(description.id);
        for shard in &self.inner.shards {
            shard.lock().lsm.delete_table(description.id)?;
        }
        Ok(TableDescription {
            status: TableStatus::Deleting,
            ..description
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::KeyType;

    fn provisioned(read: u64, write: u64) -> TableDescription {
        let schema = TableSchema::partition_only(KeyAttribute::new("pk", KeyType::S));
        let mut description = TableDescription::new("tbl", schema, 10);
        description.billing_mode = BillingMode::Provisioned;
        description.provisioned_throughput.read_capacity_units = read;
        description.provisioned_throughput.write_capacity_units = write;
        description
    }

    fn update(mode: Option<BillingMode>, units: Option<(i64, i64)>) -> UpdateTableRequest {
        UpdateTableRequest {
            table_name: "tbl".into(),
            billing_mode: mode,
            provisioned_throughput: units.map(|(r, w)| ProvisionedThroughput::new(r, w)),
        }
    }

    #[test]
    fn throughput_changes_stamp_increase_and_decrease_times() {
        let up = apply_update(&provisioned(5, 5), &update(None, Some((6, 5))), 100)
            .unwrap()
            .unwrap();
        assert_eq!(up.provisioned_throughput.read_capacity_units, 6);
        assert_eq!(
            up.provisioned_throughput.last_increase_date_time_ms,
            Some(100)
        );
        assert_eq!(up.provisioned_throughput.last_decrease_date_time_ms, None);
        let both = apply_update(&up, &update(None, Some((1, 9))), 200)
            .unwrap()
            .unwrap();
        assert_eq!(
            both.provisioned_throughput.last_increase_date_time_ms,
            Some(200)
        );
        assert_eq!(
            both.provisioned_throughput.last_decrease_date_time_ms,
            Some(200)
        );
    }

    #[test]
    fn switching_billing_modes_moves_units_and_times() {
        let on_demand = apply_update(
            &provisioned(5, 7),
            &update(Some(BillingMode::PayPerRequest), None),
            300,
        )
        .unwrap()
        .unwrap();
        assert_eq!(on_demand.billing_mode, BillingMode::PayPerRequest);
        assert_eq!(on_demand.provisioned_throughput.read_capacity_units, 0);
        assert_eq!(on_demand.last_update_to_pay_per_request_ms, Some(300));
        // Restating on-demand changes nothing.
        assert_eq!(
            apply_update(
                &on_demand,
                &update(Some(BillingMode::PayPerRequest), None),
                400
            )
            .unwrap(),
            None
        );
        // Units for an on-demand table need the switch.
        assert!(apply_update(&on_demand, &update(None, Some((1, 1))), 400).is_err());
        let back = apply_update(
            &on_demand,
            &update(Some(BillingMode::Provisioned), Some((2, 3))),
            500,
        )
        .unwrap()
        .unwrap();
        assert_eq!(back.billing_mode, BillingMode::Provisioned);
        assert_eq!(back.provisioned_throughput.write_capacity_units, 3);
        assert_eq!(back.provisioned_throughput.last_increase_date_time_ms, None);
    }

    #[test]
    fn key_schema_renders_as_dynamodb_prints_it() {
        assert_eq!(
            render_key_schema(&[
                KeySchemaElement::new("a", KeyRole::Hash),
                KeySchemaElement::new("b", KeyRole::Range)
            ]),
            "[KeySchemaElement(attributeName=a, keyType=HASH), \
             KeySchemaElement(attributeName=b, keyType=RANGE)]"
        );
    }
}
