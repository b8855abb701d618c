//! The table catalog: table names, ids and key schemas.
//!
//! The LSM stores each table's description as an opaque blob in the
//! manifest (`created_tables` / `deleted_tables` edits), so creating or
//! deleting a table is one durable manifest record. This module owns the
//! blob's encoding (layout in `docs/format/manifest.md`, "Table descriptions"):
//!
//! ```text
//! version u8 (=1) | name (varint len + UTF-8) |
//! partition key: name (varint len + UTF-8), type u8 |
//! has sort key u8 (0/1) | [sort key: name, type u8]
//! ```

use crate::coding::{DecodeError, Decoder, put_length_prefixed};
use crate::ids::TableId;
use crate::limits;
use crate::model::{KeyAttribute, KeyType, TableSchema};

const DESCRIPTION_VERSION: u8 = 1;

/// A table as the catalog knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableDescription {
    /// The table's name (unique among live tables).
    pub name: String,
    /// Its internal id (never reused).
    pub id: TableId,
    /// Its primary-key schema.
    pub schema: TableSchema,
}

fn put_attribute(out: &mut Vec<u8>, attribute: &KeyAttribute) {
    put_length_prefixed(out, attribute.name.as_bytes());
    out.push(attribute.key_type as u8);
}

fn take_string(decoder: &mut Decoder<'_>, max: usize) -> Result<String, DecodeError> {
    let bytes = decoder.length_prefixed(max)?;
    String::from_utf8(bytes.to_vec()).map_err(|_| decoder.error("name is not UTF-8"))
}

fn take_attribute(decoder: &mut Decoder<'_>) -> Result<KeyAttribute, DecodeError> {
    let name = take_string(decoder, limits::KEY_ATTRIBUTE_NAME_BYTES_MAX)?;
    let key_type =
        KeyType::from_u8(decoder.u8()?).ok_or_else(|| decoder.error("unknown key type"))?;
    Ok(KeyAttribute { name, key_type })
}

impl TableDescription {
    /// The blob stored in the manifest (the id is stored beside it).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![DESCRIPTION_VERSION];
        put_length_prefixed(&mut out, self.name.as_bytes());
        put_attribute(&mut out, &self.schema.partition_key);
        match &self.schema.sort_key {
            Some(sort_key) => {
                out.push(1);
                put_attribute(&mut out, sort_key);
            }
            None => out.push(0),
        }
        out
    }

    /// Decodes a blob written by [`TableDescription::encode`].
    pub fn decode(id: TableId, bytes: &[u8]) -> Result<TableDescription, DecodeError> {
        let mut decoder = Decoder::new(bytes);
        if decoder.u8()? != DESCRIPTION_VERSION {
            return Err(decoder.error("unknown table description version"));
        }
        let name = take_string(&mut decoder, limits::TABLE_NAME_LENGTH_MAX)?;
        let partition_key = take_attribute(&mut decoder)?;
        let sort_key = match decoder.u8()? {
            0 => None,
            1 => Some(take_attribute(&mut decoder)?),
            _ => return Err(decoder.error("bad sort-key flag")),
        };
        if !decoder.is_empty() {
            return Err(decoder.error("trailing bytes after table description"));
        }
        Ok(TableDescription {
            name,
            id,
            schema: TableSchema {
                partition_key,
                sort_key,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{golden_hex, hex};

    /// The table of the worked example in `docs/format/manifest.md`, "Table
    /// descriptions".
    fn usertable() -> TableDescription {
        TableDescription {
            name: "usertable".into(),
            id: TableId(7),
            schema: TableSchema {
                partition_key: KeyAttribute {
                    name: "pk".into(),
                    key_type: KeyType::S,
                },
                sort_key: Some(KeyAttribute {
                    name: "sk".into(),
                    key_type: KeyType::N,
                }),
            },
        }
    }

    #[test]
    fn description_round_trips_and_rejects_garbage() {
        let description = usertable();
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
}
