//! The table catalog: what the engine knows and stores about each table.
//!
//! A [`TableDescription`] holds what DynamoDB's DescribeTable reports and
//! must survive a restart: name, key schema and attribute definitions,
//! creation time, billing mode and provisioned throughput, status. Item
//! counts and sizes are *not* stored; they are computed when asked for
//! (`Db::describe_table_with_stats`).
//!
//! The LSM stores each table's description as an opaque blob in the
//! manifest (`created_tables`, `updated_tables` and `deleted_tables` edits),
//! so creating, updating or deleting a table is one durable manifest record
//! per shard. This module owns the blob's encoding, specified byte by byte
//! in `docs/format/manifest.md`, "Table descriptions". Version 2 is written;
//! version 1 blobs (written by earlier builds: name and key schema only) are
//! still decoded, with the fields they lack set to what such a table was:
//! ACTIVE, PAY_PER_REQUEST, attribute definitions derived from the key
//! schema, creation time unknown (0).
//!
//! Pure code; decoding is bounds-checked and never panics.

use crate::coding::{DecodeError, Decoder, put_length_prefixed, put_varint};
use crate::ids::TableId;
use crate::limits;
use crate::model::{KeyAttribute, KeyType, TableSchema};

/// The version byte of the description blob written by this build.
const DESCRIPTION_VERSION: u8 = 2;
/// The first version, still decoded.
const DESCRIPTION_VERSION_1: u8 = 1;

/// How a table is billed (DynamoDB's `BillingMode`). Tags are on disk and
/// never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum BillingMode {
    /// `PROVISIONED`: fixed read and write capacity units.
    Provisioned = 1,
    /// `PAY_PER_REQUEST`: on-demand capacity.
    PayPerRequest = 2,
}

impl BillingMode {
    /// Decodes a stored tag; `None` for an unknown one.
    pub fn from_u8(tag: u8) -> Option<BillingMode> {
        match tag {
            1 => Some(BillingMode::Provisioned),
            2 => Some(BillingMode::PayPerRequest),
            _ => None,
        }
    }

    /// DynamoDB's name: `PROVISIONED` or `PAY_PER_REQUEST`.
    pub fn as_str(self) -> &'static str {
        match self {
            BillingMode::Provisioned => "PROVISIONED",
            BillingMode::PayPerRequest => "PAY_PER_REQUEST",
        }
    }
}

/// A table's status (DynamoDB's `TableStatus`). Table changes here are
/// synchronous, so a stored table is always [`TableStatus::Active`]; a
/// deleted table's last description reports [`TableStatus::Deleting`]. The
/// other states exist for the stored format and future asynchronous work.
/// Tags are on disk and never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum TableStatus {
    /// `ACTIVE`: ready for use.
    Active = 1,
    /// `CREATING`.
    Creating = 2,
    /// `UPDATING`.
    Updating = 3,
    /// `DELETING`.
    Deleting = 4,
}

impl TableStatus {
    /// Decodes a stored tag; `None` for an unknown one.
    pub fn from_u8(tag: u8) -> Option<TableStatus> {
        match tag {
            1 => Some(TableStatus::Active),
            2 => Some(TableStatus::Creating),
            3 => Some(TableStatus::Updating),
            4 => Some(TableStatus::Deleting),
            _ => None,
        }
    }

    /// DynamoDB's name: `ACTIVE`, `CREATING`, `UPDATING` or `DELETING`.
    pub fn as_str(self) -> &'static str {
        match self {
            TableStatus::Active => "ACTIVE",
            TableStatus::Creating => "CREATING",
            TableStatus::Updating => "UPDATING",
            TableStatus::Deleting => "DELETING",
        }
    }
}

/// The role of a key attribute (DynamoDB's `KeyType`: `HASH` or `RANGE`).
/// Not to be confused with [`KeyType`], the attribute's *data* type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyRole {
    /// `HASH`: the partition key.
    Hash,
    /// `RANGE`: the sort key.
    Range,
}

impl KeyRole {
    /// DynamoDB's name: `HASH` or `RANGE`.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyRole::Hash => "HASH",
            KeyRole::Range => "RANGE",
        }
    }
}

/// One element of a key schema (DynamoDB's `KeySchemaElement`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeySchemaElement {
    /// The key attribute's name.
    pub attribute_name: String,
    /// Whether it is the partition (`HASH`) or sort (`RANGE`) key.
    pub key_type: KeyRole,
}

impl KeySchemaElement {
    /// An element naming `attribute_name` in role `key_type`.
    pub fn new(attribute_name: impl Into<String>, key_type: KeyRole) -> Self {
        KeySchemaElement {
            attribute_name: attribute_name.into(),
            key_type,
        }
    }
}

/// The data type of a key attribute (DynamoDB's `AttributeDefinition`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AttributeDefinition {
    /// The attribute's name.
    pub attribute_name: String,
    /// Its type: `S`, `N` or `B`.
    pub attribute_type: KeyType,
}

impl AttributeDefinition {
    /// A definition of `attribute_name` as `attribute_type`.
    pub fn new(attribute_name: impl Into<String>, attribute_type: KeyType) -> Self {
        AttributeDefinition {
            attribute_name: attribute_name.into(),
            attribute_type,
        }
    }
}

/// A table's provisioned throughput as DescribeTable reports it (DynamoDB's
/// `ProvisionedThroughputDescription`). Both units are 0 for a
/// PAY_PER_REQUEST table, as DynamoDB reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ProvisionedThroughputDescription {
    /// Read capacity units.
    pub read_capacity_units: u64,
    /// Write capacity units.
    pub write_capacity_units: u64,
    /// When either unit was last raised, in milliseconds since the Unix
    /// epoch; `None` if never.
    pub last_increase_date_time_ms: Option<u64>,
    /// When either unit was last lowered; `None` if never.
    pub last_decrease_date_time_ms: Option<u64>,
}

/// A table as the catalog knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableDescription {
    /// The table's name (unique among live tables).
    pub name: String,
    /// Its internal id (never reused).
    pub id: TableId,
    /// Its primary-key schema.
    pub schema: TableSchema,
    /// Its status; always ACTIVE while it exists (see [`TableStatus`]).
    pub status: TableStatus,
    /// When it was created, in milliseconds since the Unix epoch (the
    /// database's wall clock); 0 for a table created by a build that did not
    /// record it (a version 1 description).
    pub creation_date_time_ms: u64,
    /// The types of its key attributes, in the order they were given.
    /// Always includes every attribute of `schema`, with the same types.
    pub attribute_definitions: Vec<AttributeDefinition>,
    /// How it is billed.
    pub billing_mode: BillingMode,
    /// Its provisioned throughput (zero units for PAY_PER_REQUEST).
    pub provisioned_throughput: ProvisionedThroughputDescription,
    /// When it last switched to PAY_PER_REQUEST (DynamoDB's
    /// `BillingModeSummary.LastUpdateToPayPerRequestDateTime`), in
    /// milliseconds since the Unix epoch; `None` if it never switched.
    pub last_update_to_pay_per_request_ms: Option<u64>,
}

impl TableDescription {
    /// A new ACTIVE table billed PAY_PER_REQUEST, its attribute definitions
    /// derived from `schema`. The id is assigned when the table is recorded.
    pub fn new(
        name: impl Into<String>,
        schema: TableSchema,
        creation_date_time_ms: u64,
    ) -> TableDescription {
        TableDescription {
            name: name.into(),
            id: TableId(0),
            attribute_definitions: definitions_of(&schema),
            schema,
            status: TableStatus::Active,
            creation_date_time_ms,
            billing_mode: BillingMode::PayPerRequest,
            provisioned_throughput: ProvisionedThroughputDescription::default(),
            last_update_to_pay_per_request_ms: None,
        }
    }

    /// The key schema as DynamoDB lists it: HASH, then RANGE if any.
    pub fn key_schema(&self) -> Vec<KeySchemaElement> {
        let mut elements = vec![KeySchemaElement::new(
            &self.schema.partition_key.name,
            KeyRole::Hash,
        )];
        if let Some(sort_key) = &self.schema.sort_key {
            elements.push(KeySchemaElement::new(&sort_key.name, KeyRole::Range));
        }
        elements
    }
}

/// The attribute definitions a key schema implies, partition key first.
fn definitions_of(schema: &TableSchema) -> Vec<AttributeDefinition> {
    std::iter::once(&schema.partition_key)
        .chain(schema.sort_key.as_ref())
        .map(|key| AttributeDefinition::new(&key.name, key.key_type))
        .collect()
}

fn put_attribute(out: &mut Vec<u8>, attribute: &KeyAttribute) {
    put_length_prefixed(out, attribute.name.as_bytes());
    out.push(attribute.key_type as u8);
}

fn put_optional_time(out: &mut Vec<u8>, time_ms: Option<u64>) {
    match time_ms {
        Some(time_ms) => {
            out.push(1);
            put_varint(out, time_ms);
        }
        None => out.push(0),
    }
}

fn take_string(decoder: &mut Decoder<'_>, max: usize) -> Result<String, DecodeError> {
    let bytes = decoder.length_prefixed(max)?;
    String::from_utf8(bytes.to_vec()).map_err(|_| decoder.error("name is not UTF-8"))
}

fn take_key_type(decoder: &mut Decoder<'_>) -> Result<KeyType, DecodeError> {
    KeyType::from_u8(decoder.u8()?).ok_or_else(|| decoder.error("unknown key type"))
}

fn take_attribute(decoder: &mut Decoder<'_>) -> Result<KeyAttribute, DecodeError> {
    let name = take_string(decoder, limits::KEY_ATTRIBUTE_NAME_BYTES_MAX)?;
    let key_type = take_key_type(decoder)?;
    Ok(KeyAttribute { name, key_type })
}

fn take_optional_time(decoder: &mut Decoder<'_>) -> Result<Option<u64>, DecodeError> {
    match decoder.u8()? {
        0 => Ok(None),
        1 => Ok(Some(decoder.varint()?)),
        _ => Err(decoder.error("bad presence flag for a time")),
    }
}

impl TableDescription {
    /// The blob stored in the manifest (version 2; the id is stored beside it).
    ///
    /// Panics if there are more than [`limits::ATTRIBUTE_DEFINITION_COUNT_MAX`]
    /// attribute definitions (the engine validates requests before this).
    pub fn encode(&self) -> Vec<u8> {
        assert!(self.attribute_definitions.len() <= limits::ATTRIBUTE_DEFINITION_COUNT_MAX);
        let mut out = vec![DESCRIPTION_VERSION];
        // The version 1 fields, unchanged.
        put_length_prefixed(&mut out, self.name.as_bytes());
        put_attribute(&mut out, &self.schema.partition_key);
        match &self.schema.sort_key {
            Some(sort_key) => {
                out.push(1);
                put_attribute(&mut out, sort_key);
            }
            None => out.push(0),
        }
        // Added in version 2.
        out.push(self.status as u8);
        put_varint(&mut out, self.creation_date_time_ms);
        put_varint(&mut out, self.attribute_definitions.len() as u64);
        for definition in &self.attribute_definitions {
            put_length_prefixed(&mut out, definition.attribute_name.as_bytes());
            out.push(definition.attribute_type as u8);
        }
        out.push(self.billing_mode as u8);
        let throughput = &self.provisioned_throughput;
        put_varint(&mut out, throughput.read_capacity_units);
        put_varint(&mut out, throughput.write_capacity_units);
        put_optional_time(&mut out, throughput.last_increase_date_time_ms);
        put_optional_time(&mut out, throughput.last_decrease_date_time_ms);
        put_optional_time(&mut out, self.last_update_to_pay_per_request_ms);
        out
    }

    /// Decodes a blob written by [`TableDescription::encode`] (version 2) or
    /// by an earlier build (version 1).
    ///
    /// Errors: a [`DecodeError`] for an unknown version, truncation, a name
    /// over its limit or not UTF-8, an unknown tag (key type, status,
    /// billing mode), a flag byte other than 0 or 1, too many attribute
    /// definitions, a key attribute without a definition of its type, and
    /// trailing bytes.
    pub fn decode(id: TableId, bytes: &[u8]) -> Result<TableDescription, DecodeError> {
        let mut decoder = Decoder::new(bytes);
        let version = decoder.u8()?;
        if version != DESCRIPTION_VERSION && version != DESCRIPTION_VERSION_1 {
            return Err(decoder.error("unknown table description version"));
        }
        let name = take_string(&mut decoder, limits::TABLE_NAME_LENGTH_MAX)?;
        let partition_key = take_attribute(&mut decoder)?;
        let sort_key = match decoder.u8()? {
            0 => None,
            1 => Some(take_attribute(&mut decoder)?),
            _ => return Err(decoder.error("bad sort-key flag")),
        };
        let schema = TableSchema {
            partition_key,
            sort_key,
        };
        let mut description = TableDescription::new(name, schema, 0);
        description.id = id;
        if version == DESCRIPTION_VERSION {
            description.status = TableStatus::from_u8(decoder.u8()?)
                .ok_or_else(|| decoder.error("unknown table status"))?;
            description.creation_date_time_ms = decoder.varint()?;
            let count = decoder.varint_at_most(limits::ATTRIBUTE_DEFINITION_COUNT_MAX)?;
            let mut definitions = Vec::with_capacity(count);
            for _ in 0..count {
                let attribute_name =
                    take_string(&mut decoder, limits::KEY_ATTRIBUTE_NAME_BYTES_MAX)?;
                let attribute_type = take_key_type(&mut decoder)?;
                definitions.push(AttributeDefinition {
                    attribute_name,
                    attribute_type,
                });
            }
            let keys_defined = definitions_of(&description.schema)
                .iter()
                .all(|key| definitions.contains(key));
            if !keys_defined {
                return Err(decoder.error("a key attribute has no definition of its type"));
            }
            description.attribute_definitions = definitions;
            description.billing_mode = BillingMode::from_u8(decoder.u8()?)
                .ok_or_else(|| decoder.error("unknown billing mode"))?;
            let throughput = &mut description.provisioned_throughput;
            throughput.read_capacity_units = decoder.varint()?;
            throughput.write_capacity_units = decoder.varint()?;
            throughput.last_increase_date_time_ms = take_optional_time(&mut decoder)?;
            throughput.last_decrease_date_time_ms = take_optional_time(&mut decoder)?;
            description.last_update_to_pay_per_request_ms = take_optional_time(&mut decoder)?;
        }
        if !decoder.is_empty() {
            return Err(decoder.error("trailing bytes after table description"));
        }
        Ok(description)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{golden_hex, hex};

    fn usertable_schema() -> TableSchema {
        TableSchema {
            partition_key: KeyAttribute {
                name: "pk".into(),
                key_type: KeyType::S,
            },
            sort_key: Some(KeyAttribute {
                name: "sk".into(),
                key_type: KeyType::N,
            }),
        }
    }

    /// The table of the version 2 worked example in
    /// `docs/format/manifest.md`, "Table descriptions".
    fn usertable() -> TableDescription {
        TableDescription {
            name: "usertable".into(),
            id: TableId(7),
            schema: usertable_schema(),
            status: TableStatus::Active,
            creation_date_time_ms: 1_700_000_000_000,
            attribute_definitions: vec![
                AttributeDefinition::new("pk", KeyType::S),
                AttributeDefinition::new("sk", KeyType::N),
            ],
            billing_mode: BillingMode::Provisioned,
            provisioned_throughput: ProvisionedThroughputDescription {
                read_capacity_units: 5,
                write_capacity_units: 10,
                last_increase_date_time_ms: Some(1_700_000_060_000),
                last_decrease_date_time_ms: None,
            },
            last_update_to_pay_per_request_ms: None,
        }
    }

    #[test]
    fn description_round_trips_and_rejects_garbage() {
        let mut on_demand = TableDescription::new("orders", usertable_schema(), 42);
        on_demand.id = TableId(7);
        on_demand.last_update_to_pay_per_request_ms = Some(43);
        on_demand.provisioned_throughput.last_decrease_date_time_ms = Some(41);
        for description in [usertable(), on_demand] {
            let bytes = description.encode();
            assert_eq!(
                TableDescription::decode(TableId(7), &bytes).unwrap(),
                description
            );
            for cut in 0..bytes.len() {
                assert!(TableDescription::decode(TableId(7), &bytes[..cut]).is_err());
            }
            let mut bad = bytes.clone();
            bad.push(0);
            assert!(TableDescription::decode(TableId(7), &bad).is_err());
        }
    }

    #[test]
    fn description_decode_rejects_bad_tags_and_missing_definitions() {
        let good = usertable().encode();
        // Offsets in the worked example: version 0, status 20, billing 29.
        let status_offset = 20;
        let billing_offset = 1 + 10 + 3 + 1 + 1 + 3 + 1 + 1 + 6 + 1 + 3 + 1 + 3 + 1;
        assert_eq!(good[status_offset], TableStatus::Active as u8);
        assert_eq!(good[billing_offset], BillingMode::Provisioned as u8);
        for (offset, byte) in [(0, 3), (0, 0), (status_offset, 0), (status_offset, 5)] {
            let mut bad = good.clone();
            bad[offset] = byte;
            assert!(TableDescription::decode(TableId(7), &bad).is_err());
        }
        for byte in [0, 3] {
            let mut bad = good.clone();
            bad[billing_offset] = byte;
            assert!(TableDescription::decode(TableId(7), &bad).is_err());
        }
        // A sort key whose definition names another type.
        let mut mistyped = usertable();
        mistyped.attribute_definitions[1].attribute_type = KeyType::S;
        let error = TableDescription::decode(TableId(7), &mistyped.encode()).unwrap_err();
        assert_eq!(
            error.reason,
            "a key attribute has no definition of its type"
        );
    }

    #[test]
    fn description_decode_never_panics_on_mutations() {
        let good = usertable().encode();
        for offset in 0..good.len() {
            for bit in 0..8 {
                let mut bad = good.clone();
                bad[offset] ^= 1 << bit;
                let _ = TableDescription::decode(TableId(7), &bad);
            }
        }
    }

    #[test]
    fn description_golden_example_matches_the_format_doc() {
        let doc = include_str!("../../docs/format/manifest.md");
        let expected = golden_hex(doc, "table-description");
        let bytes = usertable().encode();
        assert_eq!(
            hex(&bytes),
            hex(&expected),
            "docs/format/manifest.md is out of date with the catalog"
        );
        assert_eq!(
            TableDescription::decode(TableId(7), &expected).unwrap(),
            usertable()
        );
    }

    #[test]
    fn version_1_description_from_the_format_doc_still_decodes() {
        let doc = include_str!("../../docs/format/manifest.md");
        let v1 = golden_hex(doc, "table-description-v1");
        let decoded = TableDescription::decode(TableId(7), &v1).unwrap();
        let mut expected = TableDescription::new("usertable", usertable_schema(), 0);
        expected.id = TableId(7);
        assert_eq!(decoded, expected);
        assert_eq!(decoded.status, TableStatus::Active);
        assert_eq!(decoded.billing_mode, BillingMode::PayPerRequest);
        assert_eq!(
            decoded.attribute_definitions,
            [
                AttributeDefinition::new("pk", KeyType::S),
                AttributeDefinition::new("sk", KeyType::N)
            ]
        );
        // Re-encoding writes version 2.
        assert_eq!(decoded.encode()[0], DESCRIPTION_VERSION);
    }
}
