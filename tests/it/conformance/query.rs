//! Query: each sort-key condition, ordering, Limit, ExclusiveStartKey,
//! filters (Count against ScannedCount), Select, and the errors of invalid
//! key conditions and parameters.

use super::*;

fn rows() -> Vec<Item> {
    let mut rows = range_items("p", &[1, 2, 3, 4, 5]);
    rows.extend(range_items("q", &[1]));
    rows
}

/// The rows of partition `p` with these sort keys, in this order.
fn p(sks: &[u32]) -> Vec<Item> {
    range_items("p", sks)
}

fn strings() -> Vec<Item> {
    ["a", "ab", "abc", "b", "ba"]
        .iter()
        .map(|sk| it(&[("pk", s("p")), ("sk", s(sk))]))
        .chain(std::iter::once(it(&[("pk", s("q")), ("sk", s("ab"))])))
        .collect()
}

fn sp(sks: &[&str]) -> Vec<Item> {
    sks.iter()
        .map(|sk| it(&[("pk", s("p")), ("sk", s(sk))]))
        .collect()
}

fn invalid_key(message: &str) -> Result<PageWant, Fail> {
    Err(verr(format!("Invalid KeyConditionExpression: {message}")))
}

/// DynamoDB's messages for key-condition shapes it does not support carry
/// no "Invalid KeyConditionExpression:" prefix.
fn unsupported_key(message: &str) -> Result<PageWant, Fail> {
    Err(verr(message))
}

#[test]
fn key_conditions() {
    let case = |name, req, expect| QueryCase {
        name,
        setup: rows(),
        req,
        expect,
    };
    let on_strings = |name, condition: &str, expect| QueryCase {
        name,
        setup: strings(),
        req: QueryRequest {
            table_name: "srange".into(),
            ..qry(condition)
        },
        expect,
    };
    run_queries(
        "query/key-conditions",
        vec![
            case(
                "partition only",
                qry("pk = :p"),
                Ok(page(p(&[1, 2, 3, 4, 5]))),
            ),
            case(
                "another partition",
                qry("pk = :q"),
                Ok(page(range_items("q", &[1]))),
            ),
            case("absent partition", qry("pk = :x"), Ok(page(vec![]))),
            case(
                "sort key =",
                qry("pk = :p AND sk = :three"),
                Ok(page(p(&[3]))),
            ),
            case(
                "sort key = absent",
                qry("pk = :p AND sk = :ten"),
                Ok(page(vec![])),
            ),
            case(
                "sort key <",
                qry("pk = :p AND sk < :three"),
                Ok(page(p(&[1, 2]))),
            ),
            case(
                "sort key <=",
                qry("pk = :p AND sk <= :three"),
                Ok(page(p(&[1, 2, 3]))),
            ),
            case(
                "sort key >",
                qry("pk = :p AND sk > :three"),
                Ok(page(p(&[4, 5]))),
            ),
            case(
                "sort key >=",
                qry("pk = :p AND sk >= :three"),
                Ok(page(p(&[3, 4, 5]))),
            ),
            case(
                "sort key BETWEEN",
                qry("pk = :p AND sk BETWEEN :two AND :four"),
                Ok(page(p(&[2, 3, 4]))),
            ),
            case(
                "sort key BETWEEN one value",
                qry("pk = :p AND sk BETWEEN :two AND :two"),
                Ok(page(p(&[2]))),
            ),
            case(
                "sort key condition first",
                qry("sk > :three AND pk = :p"),
                Ok(page(p(&[4, 5]))),
            ),
            case(
                "parenthesised",
                qry("(pk = :p) AND (sk < :two)"),
                Ok(page(p(&[1]))),
            ),
            case(
                "#names",
                qry("#pk = :p AND #sk >= :five"),
                Ok(page(p(&[5]))),
            ),
            case(
                "lowercase and",
                qry("pk = :p and sk < :two"),
                Ok(page(p(&[1]))),
            ),
            case(
                "descending",
                QueryRequest {
                    scan_index_forward: false,
                    ..qry("pk = :p")
                },
                Ok(page(p(&[5, 4, 3, 2, 1]))),
            ),
            case(
                "descending with a sort key condition",
                QueryRequest {
                    scan_index_forward: false,
                    ..qry("pk = :p AND sk <= :three")
                },
                Ok(page(p(&[3, 2, 1]))),
            ),
            case(
                // The setup's five `p` rows share one key in a table
                // without a sort key: the last one written remains.
                "partition-only table",
                QueryRequest {
                    table_name: "hash".into(),
                    ..qry("pk = :p")
                },
                Ok(page(p(&[5]))),
            ),
            on_strings(
                "begins_with",
                "pk = :p AND begins_with(sk, :ab)",
                Ok(page(sp(&["ab", "abc"]))),
            ),
            on_strings(
                "begins_with one letter",
                "pk = :p AND begins_with(sk, :a)",
                Ok(page(sp(&["a", "ab", "abc"]))),
            ),
            on_strings(
                "begins_with no match",
                "pk = :p AND begins_with(sk, :c)",
                Ok(page(vec![])),
            ),
            on_strings(
                "string sort key <",
                "pk = :p AND sk < :b",
                Ok(page(sp(&["a", "ab", "abc"]))),
            ),
            on_strings(
                "string sort key BETWEEN",
                "pk = :p AND sk BETWEEN :ab AND :b",
                Ok(page(sp(&["ab", "abc", "b"]))),
            ),
            case(
                "missing partition key",
                qry("sk = :one"),
                Err(verr("Query condition missed key schema element: pk")),
            ),
            case(
                "condition on a non-key attribute",
                qry("pk = :p AND v = :ten"),
                Err(verr("Query condition missed key schema element: sk")),
            ),
            case(
                "two conditions on the sort key",
                qry("pk = :p AND sk > :one AND sk < :four"),
                unsupported_key("KeyConditionExpressions must only contain one condition per key"),
            ),
            case(
                "two conditions on the partition key",
                qry("pk = :p AND pk = :q"),
                unsupported_key("KeyConditionExpressions must only contain one condition per key"),
            ),
            case(
                "OR",
                qry("pk = :p OR sk = :one"),
                unsupported_key("Invalid operator used in KeyConditionExpression: OR"),
            ),
            case(
                "NOT",
                qry("pk = :p AND NOT sk = :one"),
                unsupported_key("Invalid operator used in KeyConditionExpression: NOT"),
            ),
            case(
                "<>",
                qry("pk = :p AND sk <> :one"),
                unsupported_key("Invalid operator used in KeyConditionExpression: <>"),
            ),
            case(
                "IN",
                qry("pk = :p AND sk IN (:one)"),
                unsupported_key("Invalid operator used in KeyConditionExpression: IN"),
            ),
            case(
                "attribute_exists",
                qry("pk = :p AND attribute_exists(sk)"),
                unsupported_key(
                    "Invalid operator used in KeyConditionExpression: attribute_exists",
                ),
            ),
            case(
                "contains",
                qry("pk = :p AND contains(sk, :one)"),
                unsupported_key("Invalid operator used in KeyConditionExpression: contains"),
            ),
            case(
                "size",
                qry("pk = :p AND size(sk) = :one"),
                unsupported_key("KeyConditionExpressions cannot contain nested operations"),
            ),
            case(
                "nested key path",
                qry("pk = :p AND sk.x = :one"),
                unsupported_key(
                    "KeyConditionExpressions cannot have conditions on nested attributes",
                ),
            ),
            case(
                "partition key range",
                qry("pk > :p"),
                Err(verr("Query key condition not supported")),
            ),
            case(
                "partition key begins_with",
                qry("begins_with(pk, :p)"),
                Err(verr("Query key condition not supported")),
            ),
            case(
                "partition key value of the wrong type",
                qry("pk = :one"),
                Err(verr(
                    "One or more parameter values were invalid: Condition parameter type does not \
                     match schema type",
                )),
            ),
            case(
                "sort key value of the wrong type",
                qry("pk = :p AND sk = :a"),
                Err(verr(
                    "One or more parameter values were invalid: Condition parameter type does not \
                     match schema type",
                )),
            ),
            case(
                // unverified: the operand check of begins_with on a number
                "begins_with a number",
                qry("pk = :p AND begins_with(sk, :one)"),
                invalid_key(
                    "Incorrect operand type for operator or function; operator or function: \
                     begins_with, operand type: N",
                ),
            ),
            case(
                "BETWEEN low above high",
                qry("pk = :p AND sk BETWEEN :four AND :two"),
                invalid_key(
                    "The BETWEEN operator requires upper bound to be greater than or equal to lower \
                     bound; lower bound operand: AttributeValue: {N:4}, upper bound operand: \
                     AttributeValue: {N:2}",
                ),
            ),
            case(
                "empty",
                qry(""),
                invalid_key("The expression can not be empty;"),
            ),
            case(
                "undefined value",
                qry("pk = :nope"),
                invalid_key(
                    "An expression attribute value used in expression is not defined; attribute \
                     value: :nope",
                ),
            ),
            case(
                "reserved word",
                QueryRequest {
                    table_name: "hash".into(),
                    ..qry("pk = :p AND name = :a")
                },
                invalid_key("Attribute name is a reserved keyword; reserved keyword: name"),
            ),
            case(
                "no key condition",
                QueryRequest {
                    key_condition_expression: None,
                    ..qry("")
                },
                Err(verr(
                    "Either the KeyConditions or KeyConditionExpression parameter must be specified \
                     in the request.",
                )),
            ),
            case(
                "missing table",
                QueryRequest {
                    table_name: "nope".into(),
                    ..qry("pk = :p")
                },
                Err(no_table("nope")),
            ),
            case(
                "an index the table lacks",
                QueryRequest {
                    index_name: Some("idx".into()),
                    ..qry("pk = :p")
                },
                Err(verr("The table does not have the specified index: idx")),
            ),
        ],
    );
}

#[test]
fn pages_filters_and_select() {
    let case = |name, req, expect| QueryCase {
        name,
        setup: rows(),
        req,
        expect,
    };
    let limited = |limit| QueryRequest {
        limit: Some(limit),
        ..qry("pk = :p")
    };
    let filtered = |filter: &str| QueryRequest {
        filter_expression: Some(filter.into()),
        ..qry("pk = :p")
    };
    run_queries(
        "query/pages",
        vec![
            case(
                "Limit",
                limited(2),
                Ok(page_of(p(&[1, 2]), 2, Some(rk("p", "2")))),
            ),
            case(
                "Limit 1",
                limited(1),
                Ok(page_of(p(&[1]), 1, Some(rk("p", "1")))),
            ),
            case(
                "Limit above the count",
                limited(10),
                Ok(page(p(&[1, 2, 3, 4, 5]))),
            ),
            case(
                "Limit descending",
                QueryRequest {
                    scan_index_forward: false,
                    ..limited(2)
                },
                Ok(page_of(p(&[5, 4]), 2, Some(rk("p", "4")))),
            ),
            case(
                "ExclusiveStartKey",
                QueryRequest {
                    exclusive_start_key: Some(rk("p", "2")),
                    ..qry("pk = :p")
                },
                Ok(page(p(&[3, 4, 5]))),
            ),
            case(
                "ExclusiveStartKey of a deleted item",
                QueryRequest {
                    exclusive_start_key: Some(rk("p", "2.5")),
                    ..qry("pk = :p")
                },
                Ok(page(p(&[3, 4, 5]))),
            ),
            case(
                "ExclusiveStartKey with Limit",
                QueryRequest {
                    exclusive_start_key: Some(rk("p", "1")),
                    ..limited(2)
                },
                Ok(page_of(p(&[2, 3]), 2, Some(rk("p", "3")))),
            ),
            case(
                "ExclusiveStartKey descending",
                QueryRequest {
                    exclusive_start_key: Some(rk("p", "4")),
                    scan_index_forward: false,
                    ..qry("pk = :p")
                },
                Ok(page(p(&[3, 2, 1]))),
            ),
            case(
                "ExclusiveStartKey with a sort key condition",
                QueryRequest {
                    exclusive_start_key: Some(rk("p", "3")),
                    ..qry("pk = :p AND sk >= :two")
                },
                Ok(page(p(&[4, 5]))),
            ),
            case(
                // unverified
                "ExclusiveStartKey without its sort key",
                QueryRequest {
                    exclusive_start_key: Some(hk("p")),
                    ..qry("pk = :p")
                },
                // Query's text is the bare one; Scan's adds the reason.
                Err(verr("The provided starting key is invalid")),
            ),
            case(
                // unverified
                "ExclusiveStartKey of another partition",
                QueryRequest {
                    exclusive_start_key: Some(rk("q", "1")),
                    ..qry("pk = :p")
                },
                Err(verr(
                    "The provided starting key does not match the range key predicate",
                )),
            ),
            case(
                "filter Count and ScannedCount",
                filtered("v > :twenty"),
                Ok(page_of(p(&[3, 4, 5]), 5, None)),
            ),
            case(
                "filter keeping nothing",
                filtered("v > :seven AND v < :ten"),
                Ok(page_of(vec![], 5, None)),
            ),
            case(
                "filter on a missing attribute",
                filtered("attribute_exists(nope)"),
                Ok(page_of(vec![], 5, None)),
            ),
            case(
                "filter with Limit counts items read",
                QueryRequest {
                    limit: Some(2),
                    ..filtered("v > :twenty")
                },
                Ok(page_of(vec![], 2, Some(rk("p", "2")))),
            ),
            case(
                "filter with Limit keeps some",
                QueryRequest {
                    limit: Some(3),
                    ..filtered("v > :twenty")
                },
                Ok(page_of(p(&[3]), 3, Some(rk("p", "3")))),
            ),
            case(
                "filter on the sort key",
                filtered("sk > :two"),
                Err(verr(
                    "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk",
                )),
            ),
            case(
                "filter on the partition key",
                filtered("pk = :p"),
                Err(verr(
                    "Filter Expression can only contain non-primary key attributes: Primary key attribute: pk",
                )),
            ),
            case(
                "invalid filter",
                filtered("v = :nope"),
                Err(verr(
                    "Invalid FilterExpression: An expression attribute value used in expression is \
                     not defined; attribute value: :nope",
                )),
            ),
            case(
                "Select COUNT",
                QueryRequest {
                    select: sel(Select::Count),
                    ..qry("pk = :p")
                },
                Ok(counted(5, 5)),
            ),
            case(
                "Select COUNT with a filter",
                QueryRequest {
                    select: sel(Select::Count),
                    ..filtered("v >= :twenty")
                },
                Ok(counted(4, 5)),
            ),
            case(
                "Select ALL_ATTRIBUTES",
                QueryRequest {
                    select: sel(Select::AllAttributes),
                    ..qry("pk = :p AND sk = :one")
                },
                Ok(page(p(&[1]))),
            ),
            case(
                "Select SPECIFIC_ATTRIBUTES without a projection",
                QueryRequest {
                    select: sel(Select::SpecificAttributes),
                    ..qry("pk = :p")
                },
                Err(verr(
                    "Must specify the AttributesToGet or ProjectionExpression when choosing to get \
                     SPECIFIC_ATTRIBUTES",
                )),
            ),
            case(
                // unverified
                "Select ALL_ATTRIBUTES with a projection",
                QueryRequest {
                    select: sel(Select::AllAttributes),
                    projection_expression: Some("v".into()),
                    ..qry("pk = :p")
                },
                Err(verr(
                    "Cannot specify the ProjectionExpression when choosing to get ALL_ATTRIBUTES",
                )),
            ),
            case(
                // unverified
                "Select COUNT with a projection",
                QueryRequest {
                    select: sel(Select::Count),
                    projection_expression: Some("v".into()),
                    ..qry("pk = :p")
                },
                Err(verr(
                    "Cannot specify the ProjectionExpression when choosing to get only the Count",
                )),
            ),
            case(
                // unverified
                "Select ALL_PROJECTED_ATTRIBUTES without an index",
                QueryRequest {
                    select: sel(Select::AllProjectedAttributes),
                    ..qry("pk = :p")
                },
                Err(verr(
                    "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName",
                )),
            ),
            case(
                "Limit 0",
                limited(0),
                Err(verr(
                    "1 validation error detected: Value '0' at 'limit' failed to satisfy \
                     constraint: Member must have value greater than or equal to 1",
                )),
            ),
            case(
                "unused value",
                QueryRequest {
                    expression_attribute_values: Some(vals(&[(":p", s("p")), (":x", s("x"))])),
                    ..qry("pk = :p")
                },
                Err(verr(
                    "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}",
                )),
            ),
        ],
    );
}

#[test]
fn pagination() {
    run_scenarios(
        "query/pagination",
        vec![
            Scenario {
                name: "pages of 2 cover the partition in order",
                table: "range",
                setup: rows(),
                check: |db| {
                    let got = follow(
                        db,
                        QueryRequest {
                            limit: Some(2),
                            ..qry("pk = :p")
                        },
                    )?;
                    expect_items(got, p(&[1, 2, 3, 4, 5]))
                },
            },
            Scenario {
                name: "descending pages of 3 cover the partition in reverse",
                table: "range",
                setup: rows(),
                check: |db| {
                    let got = follow(
                        db,
                        QueryRequest {
                            limit: Some(3),
                            scan_index_forward: false,
                            ..qry("pk = :p")
                        },
                    )?;
                    expect_items(got, p(&[5, 4, 3, 2, 1]))
                },
            },
            Scenario {
                name: "filtered pages of 1 keep only matches",
                table: "range",
                setup: rows(),
                check: |db| {
                    let got = follow(
                        db,
                        QueryRequest {
                            limit: Some(1),
                            filter_expression: Some("v <> :twenty".into()),
                            ..qry("pk = :p")
                        },
                    )?;
                    expect_items(got, p(&[1, 3, 4, 5]))
                },
            },
        ],
    );
}

/// Every page of `request`, concatenated.
fn follow(db: &Db, request: QueryRequest) -> Result<Vec<Item>, String> {
    let mut request = filled_query(&request);
    let mut items = Vec::new();
    for _ in 0..100 {
        let page = db
            .query(&request)
            .map_err(|e| format!("query failed: {e}"))?;
        if request
            .limit
            .is_some_and(|limit| page.scanned_count > limit)
        {
            return Err(format!("page over its Limit: {page:?}"));
        }
        items.extend(page.items);
        match page.last_evaluated_key {
            Some(key) => request.exclusive_start_key = Some(key),
            None => return Ok(items),
        }
    }
    Err("more than 100 pages".into())
}

fn expect_items(got: Vec<Item>, want: Vec<Item>) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("expected {want:?}\n      got {got:?}"))
    }
}
