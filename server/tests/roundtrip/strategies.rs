//! proptest strategies for every request and reply of the protocol.

use dynacore::catalog::ProvisionedThroughputDescription;
use dynacore::catalog::TableDescription;
use dynacore::expr::{AttributeNames, AttributeValues};
use dynacore::ids::TableId;
use dynacore::{
    AttributeDefinition, AttributeValue, BatchGetItemOutput, BatchGetItemRequest,
    BatchWriteItemOutput, BatchWriteItemRequest, BillingMode, CreateTableRequest,
    DeleteItemRequest, GetItemRequest, Item, KeyAttribute, KeyRole, KeySchemaElement, KeyType,
    KeysAndAttributes, ListTablesOutput, ListTablesRequest, Number, Page, ProvisionedThroughput,
    PutItemRequest, QueryRequest, ReturnValues, ReturnValuesOnConditionCheckFailure, ScanRequest,
    Select, TableSchema, TableStatus, UpdateItemRequest, UpdateTableRequest, WriteOutput,
    WriteRequest,
};
use dynacore_server::protocol::{Hello, HelloReply, Opcode, Request, Response};
use proptest::collection::{btree_map, btree_set, vec};
use proptest::option::of;
use proptest::prelude::*;

pub fn text() -> impl Strategy<Value = String> {
    prop_oneof![Just(String::new()), "[a-z#:. =]{1,12}", any::<String>()]
}

fn number() -> impl Strategy<Value = Number> {
    (any::<bool>(), 0u128..10u128.pow(20), -130i32..126)
        .prop_filter_map("out of range", |(negative, mantissa, exponent)| {
            Number::from_parts(negative, mantissa, exponent).ok()
        })
}

fn value() -> impl Strategy<Value = AttributeValue> {
    let leaf = prop_oneof![
        text().prop_map(AttributeValue::S),
        number().prop_map(AttributeValue::N),
        vec(any::<u8>(), 0..8).prop_map(AttributeValue::B),
        any::<bool>().prop_map(AttributeValue::Bool),
        Just(AttributeValue::Null),
        btree_set(text(), 1..3).prop_map(AttributeValue::Ss),
        btree_set(number(), 1..3).prop_map(AttributeValue::Ns),
        btree_set(vec(any::<u8>(), 0..4), 1..3).prop_map(AttributeValue::Bs),
    ];
    leaf.prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..3).prop_map(AttributeValue::L),
            btree_map("[a-z]{0,3}", inner, 0..3).prop_map(AttributeValue::M),
        ]
    })
}

pub fn item() -> impl Strategy<Value = Item> {
    btree_map("[a-zA-Z_]{1,6}", value(), 0..4)
}

fn names() -> impl Strategy<Value = Option<AttributeNames>> {
    of(btree_map("#[a-z]{1,4}", text(), 0..3))
}

fn values() -> impl Strategy<Value = Option<AttributeValues>> {
    of(btree_map(":[a-z]{1,4}", value(), 0..3))
}

fn return_values() -> impl Strategy<Value = ReturnValues> {
    prop_oneof![
        Just(ReturnValues::None),
        Just(ReturnValues::AllOld),
        Just(ReturnValues::UpdatedOld),
        Just(ReturnValues::AllNew),
        Just(ReturnValues::UpdatedNew),
    ]
}

fn on_failure() -> impl Strategy<Value = ReturnValuesOnConditionCheckFailure> {
    prop_oneof![
        Just(ReturnValuesOnConditionCheckFailure::None),
        Just(ReturnValuesOnConditionCheckFailure::AllOld),
    ]
}

fn select() -> impl Strategy<Value = Option<Select>> {
    of(prop_oneof![
        Just(Select::AllAttributes),
        Just(Select::AllProjectedAttributes),
        Just(Select::SpecificAttributes),
        Just(Select::Count),
    ])
}

fn billing_mode() -> impl Strategy<Value = BillingMode> {
    prop_oneof![
        Just(BillingMode::Provisioned),
        Just(BillingMode::PayPerRequest)
    ]
}

fn key_type() -> impl Strategy<Value = KeyType> {
    prop_oneof![Just(KeyType::S), Just(KeyType::N), Just(KeyType::B)]
}

fn throughput() -> impl Strategy<Value = Option<ProvisionedThroughput>> {
    of((any::<i64>(), any::<i64>()).prop_map(|(r, w)| ProvisionedThroughput::new(r, w)))
}

fn limit() -> impl Strategy<Value = Option<usize>> {
    of((0..=u32::MAX).prop_map(|n| n as usize))
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    of(text())
}

fn write_request() -> impl Strategy<Value = WriteRequest> {
    prop_oneof![
        item().prop_map(|item| WriteRequest::Put { item }),
        item().prop_map(|key| WriteRequest::Delete { key }),
    ]
}

fn keys_and_attributes() -> impl Strategy<Value = KeysAndAttributes> {
    (vec(item(), 0..3), opt_text(), names(), any::<bool>()).prop_map(
        |(keys, projection_expression, expression_attribute_names, consistent_read)| {
            KeysAndAttributes {
                keys,
                projection_expression,
                expression_attribute_names,
                consistent_read,
            }
        },
    )
}

fn table_name() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9_.-]{3,20}"
}

/// A description the engine's blob decoder accepts: definitions cover the
/// key schema with the same types, names within limits.
pub fn table() -> impl Strategy<Value = TableDescription> {
    (
        table_name(),
        any::<u32>(),
        ("[a-z]{1,8}", key_type()),
        of(("[A-Z]{1,8}", key_type())),
        prop_oneof![
            Just(TableStatus::Active),
            Just(TableStatus::Creating),
            Just(TableStatus::Updating),
            Just(TableStatus::Deleting),
        ],
        any::<u64>(),
        billing_mode(),
        (
            any::<u64>(),
            any::<u64>(),
            of(any::<u64>()),
            of(any::<u64>()),
        ),
        of(any::<u64>()),
    )
        .prop_map(
            |(name, id, (pk, pk_type), sk, status, created, billing, tp, to_ppr)| {
                let schema = TableSchema {
                    partition_key: KeyAttribute::new(pk, pk_type),
                    sort_key: sk.map(|(name, key_type)| KeyAttribute::new(name, key_type)),
                };
                let mut table = TableDescription::new(name, schema, created);
                table.id = TableId(id);
                table.status = status;
                table.billing_mode = billing;
                table.provisioned_throughput = ProvisionedThroughputDescription {
                    read_capacity_units: tp.0,
                    write_capacity_units: tp.1,
                    last_increase_date_time_ms: tp.2,
                    last_decrease_date_time_ms: tp.3,
                };
                table.last_update_to_pay_per_request_ms = to_ppr;
                table
            },
        )
}

fn create_table() -> impl Strategy<Value = CreateTableRequest> {
    let role = prop_oneof![Just(KeyRole::Hash), Just(KeyRole::Range)];
    (
        text(),
        vec(
            (text(), role).prop_map(|(n, r)| KeySchemaElement::new(n, r)),
            0..3,
        ),
        vec(
            (text(), key_type()).prop_map(|(n, t)| AttributeDefinition::new(n, t)),
            0..3,
        ),
        billing_mode(),
        throughput(),
    )
        .prop_map(
            |(table_name, key_schema, attribute_definitions, billing_mode, tp)| {
                CreateTableRequest {
                    table_name,
                    key_schema,
                    attribute_definitions,
                    billing_mode,
                    provisioned_throughput: tp,
                }
            },
        )
}

fn query() -> impl Strategy<Value = QueryRequest> {
    (
        (text(), opt_text(), opt_text(), opt_text(), opt_text()),
        (names(), values(), any::<bool>(), limit()),
        (of(item()), select(), any::<bool>()),
    )
        .prop_map(
            |(
                (table_name, index, kce, filter, projection),
                (n, v, forward, limit),
                (esk, select, consistent),
            )| {
                QueryRequest {
                    table_name,
                    index_name: index,
                    key_condition_expression: kce,
                    filter_expression: filter,
                    projection_expression: projection,
                    expression_attribute_names: n,
                    expression_attribute_values: v,
                    scan_index_forward: forward,
                    limit,
                    exclusive_start_key: esk,
                    select,
                    consistent_read: consistent,
                }
            },
        )
}

fn scan() -> impl Strategy<Value = ScanRequest> {
    (
        (text(), opt_text(), opt_text(), opt_text()),
        (names(), values(), limit(), of(item())),
        (select(), any::<bool>(), of(any::<u32>()), of(any::<u32>())),
    )
        .prop_map(
            |(
                (table_name, index, filter, projection),
                (n, v, limit, esk),
                (select, consistent, segment, total),
            )| {
                ScanRequest {
                    table_name,
                    index_name: index,
                    filter_expression: filter,
                    projection_expression: projection,
                    expression_attribute_names: n,
                    expression_attribute_values: v,
                    limit,
                    exclusive_start_key: esk,
                    select,
                    consistent_read: consistent,
                    segment,
                    total_segments: total,
                }
            },
        )
}

/// Every request variant.
pub fn request() -> impl Strategy<Value = Request> {
    prop_oneof![
        (any::<u8>(), any::<u8>(), text()).prop_map(|(min_version, max_version, client_name)| {
            Request::Hello(Hello {
                min_version,
                max_version,
                client_name,
            })
        }),
        create_table().prop_map(Request::CreateTable),
        text().prop_map(|table_name| Request::DeleteTable { table_name }),
        (text(), any::<bool>()).prop_map(|(table_name, with_stats)| Request::DescribeTable {
            table_name,
            with_stats
        }),
        (opt_text(), of(any::<i64>())).prop_map(|(start, limit)| Request::ListTables(
            ListTablesRequest {
                exclusive_start_table_name: start,
                limit
            }
        )),
        (text(), of(billing_mode()), throughput()).prop_map(|(table_name, billing_mode, tp)| {
            Request::UpdateTable(UpdateTableRequest {
                table_name,
                billing_mode,
                provisioned_throughput: tp,
            })
        }),
        (text(), item(), opt_text(), names(), any::<bool>()).prop_map(|(t, key, p, n, c)| {
            Request::GetItem(GetItemRequest {
                table_name: t,
                key,
                projection_expression: p,
                expression_attribute_names: n,
                consistent_read: c,
            })
        }),
        (
            text(),
            item(),
            opt_text(),
            names(),
            values(),
            return_values(),
            on_failure()
        )
            .prop_map(
                |(t, item, c, n, v, rv, f)| Request::PutItem(PutItemRequest {
                    table_name: t,
                    item,
                    condition_expression: c,
                    expression_attribute_names: n,
                    expression_attribute_values: v,
                    return_values: rv,
                    return_values_on_condition_check_failure: f,
                })
            ),
        (
            (text(), item(), opt_text(), opt_text()),
            (names(), values(), return_values(), on_failure())
        )
            .prop_map(|((t, key, u, c), (n, v, rv, f))| Request::UpdateItem(
                UpdateItemRequest {
                    table_name: t,
                    key,
                    update_expression: u,
                    condition_expression: c,
                    expression_attribute_names: n,
                    expression_attribute_values: v,
                    return_values: rv,
                    return_values_on_condition_check_failure: f,
                }
            )),
        (
            text(),
            item(),
            opt_text(),
            names(),
            values(),
            return_values(),
            on_failure()
        )
            .prop_map(
                |(t, key, c, n, v, rv, f)| Request::DeleteItem(DeleteItemRequest {
                    table_name: t,
                    key,
                    condition_expression: c,
                    expression_attribute_names: n,
                    expression_attribute_values: v,
                    return_values: rv,
                    return_values_on_condition_check_failure: f,
                })
            ),
        query().prop_map(Request::Query),
        scan().prop_map(Request::Scan),
        btree_map(text(), keys_and_attributes(), 0..3)
            .prop_map(|request_items| Request::BatchGetItem(BatchGetItemRequest { request_items })),
        btree_map(text(), vec(write_request(), 0..3), 0..3).prop_map(|request_items| {
            Request::BatchWriteItem(BatchWriteItemRequest { request_items })
        }),
        Just(Request::Stats),
    ]
}

/// Every reply variant.
pub fn response() -> impl Strategy<Value = Response> {
    prop_oneof![
        (
            any::<u8>(),
            text(),
            any::<u16>(),
            vec(any::<u16>(), 0..16),
            vec(text(), 0..4),
            any::<u32>(),
            any::<u32>()
        )
            .prop_map(
                |(version, server_version, this_shard, vp, addrs, max_body, max_in_flight)| {
                    Response::Hello(HelloReply {
                        version,
                        server_version,
                        this_shard,
                        virtual_partitions: vp,
                        shard_addresses: addrs,
                        max_body_bytes: max_body,
                        max_in_flight,
                    })
                }
            ),
        table().prop_map(Response::Table),
        (table(), of((any::<u64>(), any::<u64>())))
            .prop_map(|(table, stats)| Response::DescribeTable { table, stats }),
        (vec(text(), 0..4), opt_text()).prop_map(|(table_names, last)| Response::ListTables(
            ListTablesOutput {
                table_names,
                last_evaluated_table_name: last
            }
        )),
        of(item()).prop_map(Response::Item),
        of(item()).prop_map(|attributes| Response::Write(WriteOutput { attributes })),
        (vec(item(), 0..4), any::<u32>(), any::<u32>(), of(item())).prop_map(
            |(items, count, scanned, lek)| Response::Page(Page {
                items,
                count: count as usize,
                scanned_count: scanned as usize,
                last_evaluated_key: lek,
            })
        ),
        (
            btree_map(text(), vec(item(), 0..3), 0..3),
            btree_map(text(), keys_and_attributes(), 0..3)
        )
            .prop_map(|(responses, unprocessed_keys)| Response::BatchGetItem(
                BatchGetItemOutput {
                    responses,
                    unprocessed_keys
                }
            )),
        btree_map(text(), vec(write_request(), 0..3), 0..3).prop_map(|unprocessed_items| {
            Response::BatchWriteItem(BatchWriteItemOutput { unprocessed_items })
        }),
        text().prop_map(Response::Stats),
    ]
}

/// The opcodes whose successful reply is `response`'s variant.
pub fn opcodes_of(response: &Response) -> Vec<Opcode> {
    Opcode::ALL
        .into_iter()
        .filter(|op| Response::variant_for(*op) == variant_name(response))
        .collect()
}

fn variant_name(response: &Response) -> &'static str {
    match response {
        Response::Hello(_) => "Hello",
        Response::Table(_) => "Table",
        Response::DescribeTable { .. } => "DescribeTable",
        Response::ListTables(_) => "ListTables",
        Response::Item(_) => "Item",
        Response::Write(_) => "Write",
        Response::Page(_) => "Page",
        Response::BatchGetItem(_) => "BatchGetItem",
        Response::BatchWriteItem(_) => "BatchWriteItem",
        Response::Stats(_) => "Stats",
    }
}
