//! The CLI for humans: one subcommand per operation, items read and
//! printed as DynamoDB's attribute-value JSON in the AWS CLI's shapes.
//!
//! Every command takes `--endpoint HOST:PORT` (else `DYNACORE_ENDPOINT`,
//! else `127.0.0.1:7700`). JSON arguments may be inline or `file://path`.
//! Output is pretty JSON on stdout; an error is one line on stderr
//! (`dynacore: ConditionalCheckFailedException: The conditional request
//! failed`, printed by `main`) and exit status 1.

use std::io::Write;

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use dynacore::{
    BillingMode, CreateTableRequest, DeleteItemRequest, GetItemRequest, Item, KeyAttribute,
    KeyType, ListTablesRequest, ProvisionedThroughput, PutItemRequest, QueryRequest, ReturnValues,
    ScanRequest, TableSchema, UpdateItemRequest,
};
use serde_json::{Value, json};

use crate::client::{Client, ClientOptions};
use crate::json::{self, output};

/// The address used without `--endpoint` or `DYNACORE_ENDPOINT`.
pub const DEFAULT_ENDPOINT: &str = "127.0.0.1:7700";

/// Where the server is.
#[derive(Debug, Clone, Args)]
pub struct Endpoint {
    /// The server's address, HOST:PORT [env: DYNACORE_ENDPOINT; default 127.0.0.1:7700].
    #[arg(long, global = true)]
    pub endpoint: Option<String>,
}

impl Endpoint {
    pub fn resolve(&self) -> String {
        self.endpoint
            .clone()
            .or_else(|| {
                std::env::var("DYNACORE_ENDPOINT")
                    .ok()
                    .filter(|e| !e.is_empty())
            })
            .unwrap_or_else(|| DEFAULT_ENDPOINT.to_owned())
    }
}

/// `#name` and `:value` placeholders.
#[derive(Debug, Clone, Args)]
pub struct Placeholders {
    /// JSON object of `#name` to attribute names (or file://path).
    #[arg(long)]
    pub expression_attribute_names: Option<String>,
    /// JSON object of `:value` to attribute values (or file://path).
    #[arg(long)]
    pub expression_attribute_values: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
#[value(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReturnValuesArg {
    None,
    AllOld,
    UpdatedOld,
    AllNew,
    UpdatedNew,
}

impl From<ReturnValuesArg> for ReturnValues {
    fn from(value: ReturnValuesArg) -> Self {
        match value {
            ReturnValuesArg::None => ReturnValues::None,
            ReturnValuesArg::AllOld => ReturnValues::AllOld,
            ReturnValuesArg::UpdatedOld => ReturnValues::UpdatedOld,
            ReturnValuesArg::AllNew => ReturnValues::AllNew,
            ReturnValuesArg::UpdatedNew => ReturnValues::UpdatedNew,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
#[value(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BillingModeArg {
    PayPerRequest,
    Provisioned,
}

/// The CLI's subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a table.
    CreateTable {
        #[arg(long)]
        table_name: String,
        /// NAME:TYPE, TYPE one of S, N, B.
        #[arg(long)]
        partition_key: String,
        /// NAME:TYPE.
        #[arg(long)]
        sort_key: Option<String>,
        #[arg(long, value_enum, default_value = "PAY_PER_REQUEST")]
        billing_mode: BillingModeArg,
        /// For PROVISIONED.
        #[arg(long)]
        read_capacity_units: Option<i64>,
        /// For PROVISIONED.
        #[arg(long)]
        write_capacity_units: Option<i64>,
        #[command(flatten)]
        endpoint: Endpoint,
    },
    /// Delete a table.
    DeleteTable {
        #[arg(long)]
        table_name: String,
        #[command(flatten)]
        endpoint: Endpoint,
    },
    /// Describe a table (with ItemCount and TableSizeBytes).
    Describe {
        #[arg(long)]
        table_name: String,
        #[command(flatten)]
        endpoint: Endpoint,
    },
    /// List the tables.
    ListTables {
        /// Names per page.
        #[arg(long)]
        limit: Option<i64>,
        #[arg(long)]
        exclusive_start_table_name: Option<String>,
        #[command(flatten)]
        endpoint: Endpoint,
    },
    /// Put an item.
    Put {
        #[arg(long)]
        table_name: String,
        /// The item as attribute-value JSON (or file://path).
        #[arg(long)]
        item: String,
        #[arg(long)]
        condition_expression: Option<String>,
        #[command(flatten)]
        placeholders: Placeholders,
        #[arg(long, value_enum)]
        return_values: Option<ReturnValuesArg>,
        #[command(flatten)]
        endpoint: Endpoint,
    },
    /// Get an item.
    Get {
        #[arg(long)]
        table_name: String,
        /// The key as attribute-value JSON (or file://path).
        #[arg(long)]
        key: String,
        #[arg(long)]
        projection_expression: Option<String>,
        /// JSON object of `#name` to attribute names (or file://path).
        #[arg(long)]
        expression_attribute_names: Option<String>,
        #[arg(long)]
        consistent_read: bool,
        #[command(flatten)]
        endpoint: Endpoint,
    },
    /// Update an item.
    Update {
        #[arg(long)]
        table_name: String,
        #[arg(long)]
        key: String,
        #[arg(long)]
        update_expression: Option<String>,
        #[arg(long)]
        condition_expression: Option<String>,
        #[command(flatten)]
        placeholders: Placeholders,
        #[arg(long, value_enum)]
        return_values: Option<ReturnValuesArg>,
        #[command(flatten)]
        endpoint: Endpoint,
    },
    /// Delete an item.
    Delete {
        #[arg(long)]
        table_name: String,
        #[arg(long)]
        key: String,
        #[arg(long)]
        condition_expression: Option<String>,
        #[command(flatten)]
        placeholders: Placeholders,
        #[arg(long, value_enum)]
        return_values: Option<ReturnValuesArg>,
        #[command(flatten)]
        endpoint: Endpoint,
    },
    /// Query one partition.
    Query {
        #[arg(long)]
        table_name: String,
        #[arg(long)]
        key_condition_expression: String,
        #[command(flatten)]
        read: ReadArgs,
        /// Descending sort-key order.
        #[arg(long)]
        no_scan_index_forward: bool,
        #[command(flatten)]
        endpoint: Endpoint,
    },
    /// Scan a table (or one segment of it).
    Scan {
        #[arg(long)]
        table_name: String,
        #[command(flatten)]
        read: ReadArgs,
        #[arg(long, requires = "total_segments")]
        segment: Option<u32>,
        #[arg(long, requires = "segment")]
        total_segments: Option<u32>,
        #[command(flatten)]
        endpoint: Endpoint,
    },
    /// The server's metrics (Prometheus text).
    Stats {
        #[command(flatten)]
        endpoint: Endpoint,
    },
}

/// What Query and Scan share.
#[derive(Debug, Clone, Args)]
pub struct ReadArgs {
    #[arg(long)]
    pub filter_expression: Option<String>,
    #[arg(long)]
    pub projection_expression: Option<String>,
    #[command(flatten)]
    pub placeholders: Placeholders,
    /// Items read per page.
    #[arg(long)]
    pub limit: Option<usize>,
    /// Resume after this key (a LastEvaluatedKey; JSON or file://path).
    #[arg(long)]
    pub exclusive_start_key: Option<String>,
    #[arg(long)]
    pub consistent_read: bool,
    /// Follow LastEvaluatedKey and print every page's items as one.
    #[arg(long)]
    pub all: bool,
}

/// Reads a JSON argument: inline, or `file://path`.
pub fn json_arg(what: &str, text: &str) -> anyhow::Result<Value> {
    let owned;
    let text = match text.strip_prefix("file://") {
        Some(path) => {
            owned = std::fs::read_to_string(path).with_context(|| format!("{what}: {path}"))?;
            owned.as_str()
        }
        None => text,
    };
    serde_json::from_str(text).with_context(|| format!("{what}: not JSON"))
}

fn item_arg(what: &str, text: &str) -> anyhow::Result<Item> {
    json::item_from_json(&json_arg(what, text)?).with_context(|| what.to_owned())
}

impl Placeholders {
    #[allow(clippy::type_complexity)]
    fn parse(
        &self,
    ) -> anyhow::Result<(
        Option<std::collections::BTreeMap<String, String>>,
        Option<Item>,
    )> {
        let names = match &self.expression_attribute_names {
            Some(text) => Some(
                json::names_from_json(&json_arg("--expression-attribute-names", text)?)
                    .context("--expression-attribute-names")?,
            ),
            None => None,
        };
        let values = match &self.expression_attribute_values {
            Some(text) => Some(item_arg("--expression-attribute-values", text)?),
            None => None,
        };
        Ok((names, values))
    }
}

/// Parses `NAME:TYPE`.
pub fn key_attribute(text: &str) -> anyhow::Result<KeyAttribute> {
    let Some((name, kind)) = text.rsplit_once(':') else {
        bail!("{text:?}: expected NAME:TYPE (TYPE one of S, N, B)");
    };
    let key_type = match kind {
        "S" => KeyType::S,
        "N" => KeyType::N,
        "B" => KeyType::B,
        other => bail!("{text:?}: key type {other:?} is not one of S, N, B"),
    };
    if name.is_empty() {
        bail!("{text:?}: empty attribute name");
    }
    Ok(KeyAttribute::new(name, key_type))
}

fn print(value: &Value) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

fn connect(endpoint: &Endpoint) -> anyhow::Result<Client> {
    let addr = endpoint.resolve();
    // One short-lived connection: shard awareness would only add more.
    let options = ClientOptions {
        connections_per_shard: 1,
        shard_aware: false,
        ..ClientOptions::default()
    };
    Client::connect_with(&addr, options).with_context(|| format!("connecting to {addr}"))
}

/// What a command prints.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// Printed pretty.
    Json(Value),
    /// Printed as is (`stats`).
    Text(String),
}

/// Runs one CLI command, printing its output.
pub fn run(command: Command) -> anyhow::Result<()> {
    match execute(command)? {
        Output::Json(value) => print(&value),
        Output::Text(text) => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())?;
            Ok(out.flush()?)
        }
    }
}

/// Runs one CLI command and returns what it would print.
pub fn execute(command: Command) -> anyhow::Result<Output> {
    Ok(Output::Json(match command {
        Command::CreateTable {
            table_name,
            partition_key,
            sort_key,
            billing_mode,
            read_capacity_units,
            write_capacity_units,
            endpoint,
        } => {
            let schema = TableSchema {
                partition_key: key_attribute(&partition_key)?,
                sort_key: sort_key.as_deref().map(key_attribute).transpose()?,
            };
            let mut request = CreateTableRequest::pay_per_request(table_name, &schema);
            if let BillingModeArg::Provisioned = billing_mode {
                request.billing_mode = BillingMode::Provisioned;
            }
            if read_capacity_units.is_some() || write_capacity_units.is_some() {
                request.provisioned_throughput = Some(ProvisionedThroughput {
                    read_capacity_units: read_capacity_units.unwrap_or(0),
                    write_capacity_units: write_capacity_units.unwrap_or(0),
                });
            }
            let table = connect(&endpoint)?.create_table(request)?;
            json!({"TableDescription": output::table_description(&table, Some((0, 0)))})
        }
        Command::DeleteTable {
            table_name,
            endpoint,
        } => {
            let table = connect(&endpoint)?.delete_table(&table_name)?;
            json!({"TableDescription": output::table_description(&table, None)})
        }
        Command::Describe {
            table_name,
            endpoint,
        } => {
            let out = connect(&endpoint)?.describe_table_with_stats(&table_name)?;
            let stats = Some((out.item_count, out.table_size_bytes));
            json!({"Table": output::table_description(&out.table, stats)})
        }
        Command::ListTables {
            limit,
            exclusive_start_table_name,
            endpoint,
        } => {
            let request = ListTablesRequest {
                exclusive_start_table_name,
                limit,
            };
            let out = connect(&endpoint)?.list_tables(request)?;
            output::list_tables(&out, limit.map(|l| l.max(0) as usize))
        }
        Command::Put {
            table_name,
            item,
            condition_expression,
            placeholders,
            return_values,
            endpoint,
        } => {
            let (names, values) = placeholders.parse()?;
            let request = PutItemRequest {
                table_name,
                item: item_arg("--item", &item)?,
                condition_expression,
                expression_attribute_names: names,
                expression_attribute_values: values,
                return_values: return_values.map(Into::into).unwrap_or_default(),
                ..PutItemRequest::default()
            };
            output::write_output(&connect(&endpoint)?.put_item(request)?)
        }
        Command::Get {
            table_name,
            key,
            projection_expression,
            expression_attribute_names,
            consistent_read,
            endpoint,
        } => {
            let names = Placeholders {
                expression_attribute_names,
                expression_attribute_values: None,
            }
            .parse()?
            .0;
            let request = GetItemRequest {
                table_name,
                key: item_arg("--key", &key)?,
                projection_expression,
                expression_attribute_names: names,
                consistent_read,
            };
            output::get_item(connect(&endpoint)?.get_item(request)?.as_ref())
        }
        Command::Update {
            table_name,
            key,
            update_expression,
            condition_expression,
            placeholders,
            return_values,
            endpoint,
        } => {
            let (names, values) = placeholders.parse()?;
            let request = UpdateItemRequest {
                table_name,
                key: item_arg("--key", &key)?,
                update_expression,
                condition_expression,
                expression_attribute_names: names,
                expression_attribute_values: values,
                return_values: return_values.map(Into::into).unwrap_or_default(),
                ..UpdateItemRequest::default()
            };
            output::write_output(&connect(&endpoint)?.update_item(request)?)
        }
        Command::Delete {
            table_name,
            key,
            condition_expression,
            placeholders,
            return_values,
            endpoint,
        } => {
            let (names, values) = placeholders.parse()?;
            let request = DeleteItemRequest {
                table_name,
                key: item_arg("--key", &key)?,
                condition_expression,
                expression_attribute_names: names,
                expression_attribute_values: values,
                return_values: return_values.map(Into::into).unwrap_or_default(),
                ..DeleteItemRequest::default()
            };
            output::write_output(&connect(&endpoint)?.delete_item(request)?)
        }
        Command::Query {
            table_name,
            key_condition_expression,
            read,
            no_scan_index_forward,
            endpoint,
        } => {
            let (names, values) = read.placeholders.parse()?;
            let mut request = QueryRequest {
                table_name,
                key_condition_expression: Some(key_condition_expression),
                filter_expression: read.filter_expression.clone(),
                projection_expression: read.projection_expression.clone(),
                expression_attribute_names: names,
                expression_attribute_values: values,
                scan_index_forward: !no_scan_index_forward,
                limit: read.limit,
                exclusive_start_key: start_key(&read)?,
                consistent_read: read.consistent_read,
                ..QueryRequest::default()
            };
            let client = connect(&endpoint)?;
            pages(read.all, |start| {
                if let Some(start) = start {
                    request.exclusive_start_key = Some(start);
                }
                Ok(client.query(request.clone())?)
            })?
        }
        Command::Scan {
            table_name,
            read,
            segment,
            total_segments,
            endpoint,
        } => {
            let (names, values) = read.placeholders.parse()?;
            let mut request = ScanRequest {
                table_name,
                filter_expression: read.filter_expression.clone(),
                projection_expression: read.projection_expression.clone(),
                expression_attribute_names: names,
                expression_attribute_values: values,
                limit: read.limit,
                exclusive_start_key: start_key(&read)?,
                consistent_read: read.consistent_read,
                segment,
                total_segments,
                ..ScanRequest::default()
            };
            let client = connect(&endpoint)?;
            pages(read.all, |start| {
                if let Some(start) = start {
                    request.exclusive_start_key = Some(start);
                }
                Ok(client.scan(request.clone())?)
            })?
        }
        Command::Stats { endpoint } => {
            // Prometheus text is printed as is, not as JSON.
            return Ok(Output::Text(connect(&endpoint)?.stats()?));
        }
    }))
}

fn start_key(read: &ReadArgs) -> anyhow::Result<Option<Item>> {
    read.exclusive_start_key
        .as_deref()
        .map(|text| item_arg("--exclusive-start-key", text))
        .transpose()
}

/// One page, or with `all` every page merged (`Count` and `ScannedCount`
/// summed, no `LastEvaluatedKey`).
fn pages(
    all: bool,
    mut next: impl FnMut(Option<Item>) -> anyhow::Result<dynacore::Page>,
) -> anyhow::Result<Value> {
    let mut merged = next(None)?;
    while all && let Some(start) = merged.last_evaluated_key.take() {
        let page = next(Some(start))?;
        merged.items.extend(page.items);
        merged.count += page.count;
        merged.scanned_count += page.scanned_count;
        merged.last_evaluated_key = page.last_evaluated_key;
    }
    Ok(output::page(&merged))
}
