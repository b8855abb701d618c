//! The operations answered by the API layer itself, without an engine
//! request: DescribeEndpoints, DescribeLimits, and the table tags
//! (TagResource, UntagResource, ListTagsOfResource).
//!
//! Tags live in [`Tags`], one map per table name, kept in memory and
//! written whole to a JSON file in the data directory after every change
//! (written to a temporary file, synced, renamed), so they survive a
//! restart. They are control-plane data of a few KB; the engine's storage
//! is not involved. Tags are kept per table incarnation (`name/id`), so a
//! table dropped any way (the binary protocol, the embedded `Db`) and
//! created again starts without the old table's tags; a DeleteTable through
//! this API also removes them from the file.
//!
//! Known exception to "a core never blocks": a tag change writes and syncs
//! the file on the core that took the request (about 10 ms here), under a
//! lock other cores' tag requests wait on. Tag changes are rare
//! control-plane calls; moving the save to a background thread is the fix
//! if they ever are not.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Mutex;

use dynacore::Db;
use serde_json::{Map, Value, json};

use super::error::DynamoError;
use super::messages;

type Object = Map<String, Value>;

/// DynamoDB's limits, per table and per account (its defaults for
/// provisioned capacity; dynacore enforces none of them).
pub fn describe_limits() -> Value {
    json!({
        "AccountMaxReadCapacityUnits": 80000,
        "AccountMaxWriteCapacityUnits": 80000,
        "TableMaxReadCapacityUnits": 40000,
        "TableMaxWriteCapacityUnits": 40000,
    })
}

/// The one endpoint: the address the client reached (its `Host` header).
pub fn describe_endpoints(host: &str) -> Value {
    json!({"Endpoints": [{"Address": host, "CachePeriodInMinutes": 1440}]})
}

/// At most this many tags per table (DynamoDB's limit).
const MAX_TAGS: usize = 50;
const MAX_KEY_CHARS: usize = 128;
const MAX_VALUE_CHARS: usize = 256;

/// Every table's tags, persisted in `file` (`None`: memory only).
#[derive(Debug)]
pub struct Tags {
    file: Option<PathBuf>,
    tables: Mutex<BTreeMap<String, BTreeMap<String, String>>>,
}

impl Tags {
    /// Loads the tags kept in `file`, if it exists (keys are `name/id`).
    #[allow(clippy::disallowed_methods)] // API metadata beside, not inside, the engine's files.
    pub fn open(file: Option<PathBuf>) -> anyhow::Result<Tags> {
        let mut tables = BTreeMap::new();
        if let Some(path) = &file {
            match std::fs::read(path) {
                Ok(bytes) => {
                    tables = serde_json::from_slice(&bytes).map_err(|e| {
                        anyhow::anyhow!("reading the table tags in {}: {e}", path.display())
                    })?;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => anyhow::bail!("reading the table tags in {}: {e}", path.display()),
            }
        }
        Ok(Tags {
            file,
            tables: Mutex::new(tables),
        })
    }

    #[allow(clippy::disallowed_methods)] // See `open`.
    fn save(&self, tables: &BTreeMap<String, BTreeMap<String, String>>) -> std::io::Result<()> {
        let Some(path) = &self.file else {
            return Ok(());
        };
        let temporary = path.with_extension("json.tmp");
        let mut out = std::fs::File::create(&temporary)?;
        out.write_all(&serde_json::to_vec_pretty(tables).map_err(std::io::Error::other)?)?;
        out.sync_all()?;
        std::fs::rename(&temporary, path)?;
        if let Some(dir) = path.parent() {
            std::fs::File::open(dir)?.sync_all()?;
        }
        Ok(())
    }

    /// Forgets a dropped table's tags (every incarnation of the name).
    pub fn forget(&self, table: &str) {
        let mut tables = self.tables.lock().unwrap_or_else(|p| p.into_inner());
        let prefix = format!("{table}/");
        let before = tables.len();
        tables.retain(|key, _| !key.starts_with(&prefix));
        if tables.len() != before {
            // A failed save leaves the old tags in the file; they belong to
            // a table id that no longer exists, so they are never shown.
            let _ = self.save(&tables);
        }
    }

    fn update(
        &self,
        table: &str,
        change: impl FnOnce(&mut BTreeMap<String, String>) -> Result<(), DynamoError>,
    ) -> Result<(), DynamoError> {
        let mut tables = self.tables.lock().unwrap_or_else(|p| p.into_inner());
        let mut tags = tables.get(table).cloned().unwrap_or_default();
        change(&mut tags)?;
        let previous = if tags.is_empty() {
            tables.remove(table)
        } else {
            tables.insert(table.to_owned(), tags)
        };
        if let Err(e) = self.save(&tables) {
            // Not kept: put the previous tags back.
            match previous {
                Some(old) => tables.insert(table.to_owned(), old),
                None => tables.remove(table),
            };
            return Err(DynamoError::internal(format!("saving the tags: {e}")));
        }
        Ok(())
    }

    /// TagResource, UntagResource or ListTagsOfResource.
    pub fn answer(&self, operation: &str, body: &Value, db: &Db) -> Result<Value, DynamoError> {
        let Value::Object(object) = body else {
            return Err(DynamoError::serialization(messages::BODY_NOT_OBJECT));
        };
        let table = table_of(object, db)?;
        match operation {
            "TagResource" => {
                let new = tag_list(object)?;
                self.update(&table, |tags| {
                    for (key, value) in new {
                        tags.insert(key, value);
                    }
                    if tags.len() > MAX_TAGS {
                        return Err(DynamoError::validation(messages::TOO_MANY_TAGS));
                    }
                    Ok(())
                })?;
                Ok(json!({}))
            }
            "UntagResource" => {
                let keys = string_list(object, "TagKeys")?;
                self.update(&table, |tags| {
                    for key in keys {
                        tags.remove(&key);
                    }
                    Ok(())
                })?;
                Ok(json!({}))
            }
            _ => {
                let tables = self.tables.lock().unwrap_or_else(|p| p.into_inner());
                let list: Vec<Value> = tables
                    .get(&table)
                    .into_iter()
                    .flatten()
                    .map(|(k, v)| json!({"Key": k, "Value": v}))
                    .collect();
                Ok(json!({"Tags": list}))
            }
        }
    }
}

/// The table a `ResourceArn` names, which must exist, as its tag key
/// (`name/id`: this incarnation of the name).
fn table_of(object: &Object, db: &Db) -> Result<String, DynamoError> {
    let arn = match object.get("ResourceArn") {
        None | Some(Value::Null) => {
            return Err(DynamoError::validation(messages::member_null(
                "resourceArn",
            )));
        }
        Some(Value::String(s)) => s,
        Some(_) => return Err(DynamoError::serialization(messages::ARN_NOT_STRING)),
    };
    // arn:aws:dynamodb:<region>:<account>:table/<name>; any region and
    // account name this server's tables.
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let table = match parts.as_slice() {
        ["arn", _, "dynamodb", _, _, resource] => resource.strip_prefix("table/"),
        _ => None,
    };
    let Some(table) = table.filter(|t| !t.is_empty() && !t.contains('/')) else {
        return Err(DynamoError::validation(messages::invalid_arn(arn)));
    };
    match db.describe_table(table) {
        Ok(description) => Ok(format!("{table}/{}", description.id.0)),
        Err(_) => Err(DynamoError::resource_not_found(messages::arn_not_found(
            arn,
        ))),
    }
}

fn tag_list(object: &Object) -> Result<Vec<(String, String)>, DynamoError> {
    let Some(Value::Array(tags)) = object.get("Tags") else {
        return match object.get("Tags") {
            None | Some(Value::Null) => Err(DynamoError::validation(messages::member_null("tags"))),
            Some(_) => Err(DynamoError::serialization(messages::STRUCTURE_NOT_EXPECTED)),
        };
    };
    let mut out = Vec::with_capacity(tags.len());
    for (index, tag) in tags.iter().enumerate() {
        let path = format!("tags.{}.member", index + 1);
        let Value::Object(tag) = tag else {
            return Err(DynamoError::serialization(messages::STRUCTURE_NOT_EXPECTED));
        };
        let text = |name: &str| match tag.get(name) {
            None | Some(Value::Null) => Err(DynamoError::validation(messages::member_null(
                &format!("{path}.{}", name.to_lowercase()),
            ))),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(_) => Err(DynamoError::serialization(messages::scalar_not(
                "NUMBER_VALUE",
                "String",
            ))),
        };
        let key = text("Key")?;
        let value = text("Value")?;
        let key_chars = key.chars().count();
        if key_chars == 0 || key_chars > MAX_KEY_CHARS {
            return Err(DynamoError::validation(messages::tag_length(
                &format!("{path}.key"),
                &key,
                1,
                MAX_KEY_CHARS,
            )));
        }
        if value.chars().count() > MAX_VALUE_CHARS {
            return Err(DynamoError::validation(messages::tag_length(
                &format!("{path}.value"),
                &value,
                0,
                MAX_VALUE_CHARS,
            )));
        }
        out.push((key, value));
    }
    Ok(out)
}

fn string_list(object: &Object, member: &str) -> Result<Vec<String>, DynamoError> {
    match object.get(member) {
        None | Some(Value::Null) => Err(DynamoError::validation(messages::member_null("tagKeys"))),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                _ => Err(DynamoError::serialization(messages::STRUCTURE_NOT_EXPECTED)),
            })
            .collect(),
        Some(_) => Err(DynamoError::serialization(messages::STRUCTURE_NOT_EXPECTED)),
    }
}
