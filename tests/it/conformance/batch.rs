//! BatchGetItem and BatchWriteItem: several tables, projections, absent
//! keys, the 100-key and 25-write limits, duplicates, missing tables and
//! invalid items, all validated before anything is applied.

use dynacore::{BatchGetItemRequest, BatchWriteItemRequest, KeysAndAttributes, WriteRequest};

use super::*;

/// A BatchGetItem case: items per table before, the request, the items
/// returned per table (in any order) or the error.
#[derive(Debug)]
struct GetBatch {
    name: &'static str,
    setup: Vec<(&'static str, Item)>,
    req: BatchGetItemRequest,
    expect: Result<Responses, Fail>,
}

/// A BatchWriteItem case: items per table before, the request, success or
/// the error, and every table's items afterwards (`None`: unchanged).
#[derive(Debug)]
struct WriteBatch {
    name: &'static str,
    setup: Vec<(&'static str, Item)>,
    req: BatchWriteItemRequest,
    expect: Result<(), Fail>,
    after: Option<Vec<(&'static str, Item)>>,
}

const TABLES: [&str; 3] = ["hash", "range", "num"];

fn setup() -> Vec<(&'static str, Item)> {
    vec![
        (
            "hash",
            it(&[("pk", s("a")), ("x", n("1")), ("y", s("why"))]),
        ),
        ("hash", it(&[("pk", s("b")), ("x", n("2"))])),
        ("range", with(&rk("a", "1"), &[("x", n("3"))])),
        ("num", it(&[("id", n("1")), ("x", n("4"))])),
    ]
}

fn keys(keys: Vec<Item>) -> KeysAndAttributes {
    KeysAndAttributes {
        keys,
        ..Default::default()
    }
}

fn gets(tables: Vec<(&str, KeysAndAttributes)>) -> BatchGetItemRequest {
    BatchGetItemRequest {
        request_items: tables.into_iter().map(|(t, k)| (t.to_owned(), k)).collect(),
    }
}

fn writes(tables: Vec<(&str, Vec<WriteRequest>)>) -> BatchWriteItemRequest {
    BatchWriteItemRequest {
        request_items: tables.into_iter().map(|(t, w)| (t.to_owned(), w)).collect(),
    }
}

fn wput(item: Item) -> WriteRequest {
    WriteRequest::Put { item }
}

fn wdel(key: Item) -> WriteRequest {
    WriteRequest::Delete { key }
}

fn responses(tables: Vec<(&str, Vec<Item>)>) -> Responses {
    tables
        .into_iter()
        .map(|(t, items)| (t.to_owned(), canonical(items)))
        .collect()
}

fn item_of(table: &str, key: &str) -> Item {
    setup()
        .into_iter()
        .find(|(t, item)| *t == table && format!("{item:?}").contains(&format!("\"{key}\"")))
        .map(|(_, item)| item)
        .expect("a setup item")
}

fn load_all(db: &Db, items: &[(&'static str, Item)]) -> Result<(), String> {
    for (table, item) in items {
        db.put_item(table, item)
            .map_err(|e| format!("setup put failed: {e}"))?;
    }
    Ok(())
}

fn all_tables(db: &Db) -> Vec<(String, Vec<Item>)> {
    TABLES
        .iter()
        .map(|t| ((*t).to_owned(), table_items(db, t)))
        .collect()
}

fn by_table(items: &[(&'static str, Item)]) -> Vec<(String, Vec<Item>)> {
    TABLES
        .iter()
        .map(|t| {
            let mine = items
                .iter()
                .filter(|(table, _)| table == t)
                .map(|(_, item)| item.clone());
            ((*t).to_owned(), canonical(mine.collect()))
        })
        .collect()
}

fn many_hash_keys(count: usize) -> Vec<Item> {
    (0..count).map(|i| hk(&format!("k{i}"))).collect()
}

#[test]
fn batch_get_item() {
    let cases = vec![
        GetBatch {
            name: "two tables",
            setup: setup(),
            req: gets(vec![
                ("hash", keys(vec![hk("a"), hk("b")])),
                ("range", keys(vec![rk("a", "1")])),
            ]),
            expect: Ok(responses(vec![
                ("hash", vec![item_of("hash", "a"), item_of("hash", "b")]),
                ("range", vec![item_of("range", "a")]),
            ])),
        },
        GetBatch {
            name: "three tables",
            setup: setup(),
            req: gets(vec![
                ("hash", keys(vec![hk("b")])),
                ("range", keys(vec![rk("a", "1")])),
                ("num", keys(vec![it(&[("id", n("1"))])])),
            ]),
            expect: Ok(responses(vec![
                ("hash", vec![item_of("hash", "b")]),
                ("num", vec![item_of("num", "id")]),
                ("range", vec![item_of("range", "a")]),
            ])),
        },
        GetBatch {
            name: "absent keys are left out",
            setup: setup(),
            req: gets(vec![("hash", keys(vec![hk("a"), hk("zz")]))]),
            expect: Ok(responses(vec![("hash", vec![item_of("hash", "a")])])),
        },
        GetBatch {
            name: "only absent keys",
            setup: setup(),
            req: gets(vec![("hash", keys(vec![hk("zz")]))]),
            expect: Ok(responses(vec![("hash", vec![])])),
        },
        GetBatch {
            name: "projection per table",
            setup: setup(),
            req: gets(vec![
                (
                    "hash",
                    KeysAndAttributes {
                        projection_expression: Some("x".into()),
                        ..keys(vec![hk("a"), hk("b")])
                    },
                ),
                ("range", keys(vec![rk("a", "1")])),
            ]),
            expect: Ok(responses(vec![
                ("hash", vec![it(&[("x", n("1"))]), it(&[("x", n("2"))])]),
                ("range", vec![item_of("range", "a")]),
            ])),
        },
        GetBatch {
            name: "projection with names",
            setup: setup(),
            req: gets(vec![(
                "hash",
                KeysAndAttributes {
                    projection_expression: Some("#k, y".into()),
                    expression_attribute_names: Some(names(&[("#k", "pk")])),
                    ..keys(vec![hk("a")])
                },
            )]),
            expect: Ok(responses(vec![(
                "hash",
                vec![it(&[("pk", s("a")), ("y", s("why"))])],
            )])),
        },
        GetBatch {
            name: "100 keys",
            setup: setup(),
            req: gets(vec![
                ("hash", keys(many_hash_keys(99))),
                ("range", keys(vec![rk("a", "1")])),
            ]),
            expect: Ok(responses(vec![
                ("hash", vec![]),
                ("range", vec![item_of("range", "a")]),
            ])),
        },
        GetBatch {
            name: "101 keys",
            setup: setup(),
            req: gets(vec![
                ("hash", keys(many_hash_keys(100))),
                ("range", keys(vec![rk("a", "1")])),
            ]),
            expect: Err(verr("Too many items requested for the BatchGetItem call")),
        },
        GetBatch {
            name: "duplicate keys",
            setup: setup(),
            req: gets(vec![("hash", keys(vec![hk("a"), hk("a")]))]),
            expect: Err(verr("Provided list of item keys contains duplicates")),
        },
        GetBatch {
            name: "missing table",
            setup: setup(),
            req: gets(vec![
                ("hash", keys(vec![hk("a")])),
                ("nope", keys(vec![hk("a")])),
            ]),
            expect: Err(no_table("nope")),
        },
        GetBatch {
            name: "key not matching the schema",
            setup: setup(),
            req: gets(vec![("range", keys(vec![hk("a")]))]),
            expect: Err(verr("The provided key element does not match the schema")),
        },
        GetBatch {
            name: "key of the wrong type",
            setup: setup(),
            req: gets(vec![("num", keys(vec![it(&[("id", s("1"))])]))]),
            expect: Err(verr("The provided key element does not match the schema")),
        },
        GetBatch {
            // unverified: the rendering of the empty map
            name: "no tables",
            setup: setup(),
            req: gets(vec![]),
            expect: Err(verr(
                "1 validation error detected: Value '{}' at 'requestItems' failed to satisfy \
                 constraint: Member must have length greater than or equal to 1",
            )),
        },
        GetBatch {
            // unverified: the member path
            name: "a table without keys",
            setup: setup(),
            req: gets(vec![("hash", keys(vec![]))]),
            expect: Err(verr(
                "1 validation error detected: Value '[]' at 'requestItems.hash.member.keys' \
                 failed to satisfy constraint: Member must have length greater than or equal to 1",
            )),
        },
        GetBatch {
            name: "invalid projection",
            setup: setup(),
            req: gets(vec![(
                "hash",
                KeysAndAttributes {
                    projection_expression: Some("x, x".into()),
                    ..keys(vec![hk("a")])
                },
            )]),
            expect: Err(verr(
                "Invalid ProjectionExpression: Two document paths overlap with each other; must \
                 remove or rewrite one of these paths; path one: [x], path two: [x]",
            )),
        },
    ];
    let mut report = Report::new("batch/get");
    for case in cases {
        let failure = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let db = fresh_db();
            if let Err(e) = load_all(&db, &case.setup) {
                return Some(e);
            }
            let before = all_tables(&db);
            let outcome = db.batch_get_item(&case.req).map(|output| {
                if !output.unprocessed_keys.is_empty() {
                    return Err(output.unprocessed_keys);
                }
                Ok(output
                    .responses
                    .into_iter()
                    .map(|(t, items)| (t, canonical(items)))
                    .collect::<Responses>())
            });
            let outcome = match outcome {
                Ok(Ok(responses)) => Ok(responses),
                Ok(Err(unprocessed)) => return Some(format!("unprocessed keys: {unprocessed:?}")),
                Err(e) => Err(e),
            };
            // Absent tables in the responses are as good as empty ones.
            let outcome = outcome.map(|mut r| {
                if let Ok(want) = &case.expect {
                    for table in want.keys() {
                        r.entry(table.clone()).or_default();
                    }
                }
                r
            });
            compare(outcome, &case.expect).or_else(|| {
                (all_tables(&db) != before).then(|| "BatchGetItem changed a table".to_owned())
            })
        }))
        .unwrap_or_else(|_| Some("panicked".into()));
        report.record(case.name, failure);
    }
    report.finish();
}

#[test]
fn batch_write_item() {
    let a2 = || it(&[("pk", s("a")), ("x", n("9"))]);
    let c = || it(&[("pk", s("c"))]);
    let r2 = || rk("a", "2");
    let replace = |items: Vec<(&'static str, Item)>, gone: &[(&str, Item)]| {
        let mut all: Vec<(&'static str, Item)> = setup()
            .into_iter()
            .filter(|(t, item)| {
                !gone
                    .iter()
                    .any(|(gt, key)| gt == t && key.iter().all(|(k, v)| item.get(k) == Some(v)))
            })
            .collect();
        all.extend(items);
        Some(all)
    };
    let many_puts = |count: usize| {
        (0..count)
            .map(|i| wput(hk(&format!("k{i}"))))
            .collect::<Vec<_>>()
    };
    let cases = vec![
        WriteBatch {
            name: "puts into two tables",
            setup: setup(),
            req: writes(vec![("hash", vec![wput(c())]), ("range", vec![wput(r2())])]),
            expect: Ok(()),
            after: replace(vec![("hash", c()), ("range", r2())], &[]),
        },
        WriteBatch {
            name: "a put replaces the item",
            setup: setup(),
            req: writes(vec![("hash", vec![wput(a2())])]),
            expect: Ok(()),
            after: replace(vec![("hash", a2())], &[("hash", hk("a"))]),
        },
        WriteBatch {
            name: "deletes in two tables",
            setup: setup(),
            req: writes(vec![
                ("hash", vec![wdel(hk("b"))]),
                ("num", vec![wdel(it(&[("id", n("1"))]))]),
            ]),
            expect: Ok(()),
            after: replace(vec![], &[("hash", hk("b")), ("num", it(&[("id", n("1"))]))]),
        },
        WriteBatch {
            name: "puts and deletes together",
            setup: setup(),
            req: writes(vec![
                ("hash", vec![wput(c()), wdel(hk("a"))]),
                ("range", vec![wdel(rk("a", "1"))]),
            ]),
            expect: Ok(()),
            after: replace(
                vec![("hash", c())],
                &[("hash", hk("a")), ("range", rk("a", "1"))],
            ),
        },
        WriteBatch {
            name: "deleting an absent key is no error",
            setup: setup(),
            req: writes(vec![("hash", vec![wdel(hk("zz"))])]),
            expect: Ok(()),
            after: None,
        },
        WriteBatch {
            name: "25 writes",
            setup: setup(),
            req: writes(vec![("hash", many_puts(24)), ("range", vec![wput(r2())])]),
            expect: Ok(()),
            after: replace(
                many_hash_keys(24)
                    .into_iter()
                    .map(|k| ("hash", k))
                    .chain([("range", r2())])
                    .collect(),
                &[],
            ),
        },
        WriteBatch {
            name: "26 writes",
            setup: setup(),
            req: writes(vec![("hash", many_puts(25)), ("range", vec![wput(r2())])]),
            expect: Err(verr("Too many items requested for the BatchWriteItem call")),
            after: None,
        },
        WriteBatch {
            name: "two puts of one key",
            setup: setup(),
            req: writes(vec![(
                "hash",
                vec![wput(c()), wput(with(&c(), &[("x", n("1"))]))],
            )]),
            expect: Err(verr("Provided list of item keys contains duplicates")),
            after: None,
        },
        WriteBatch {
            name: "a put and a delete of one key",
            setup: setup(),
            req: writes(vec![
                ("range", vec![wput(r2())]),
                ("hash", vec![wput(c()), wdel(hk("c"))]),
            ]),
            expect: Err(verr("Provided list of item keys contains duplicates")),
            after: None,
        },
        WriteBatch {
            name: "one key in two tables is no duplicate",
            setup: setup(),
            req: writes(vec![
                ("hash", vec![wput(c())]),
                ("srange", vec![wput(it(&[("pk", s("c")), ("sk", s("c"))]))]),
            ]),
            expect: Ok(()),
            after: replace(vec![("hash", c())], &[]),
        },
        WriteBatch {
            name: "missing table",
            setup: setup(),
            req: writes(vec![("hash", vec![wput(c())]), ("nope", vec![wput(c())])]),
            expect: Err(no_table("nope")),
            after: None,
        },
        WriteBatch {
            name: "item without its key",
            setup: setup(),
            req: writes(vec![
                ("hash", vec![wput(c())]),
                ("range", vec![wput(hk("a"))]),
            ]),
            expect: Err(verr(
                "One or more parameter values were invalid: Missing the key sk in the item",
            )),
            after: None,
        },
        WriteBatch {
            name: "item with a key of the wrong type",
            setup: setup(),
            req: writes(vec![
                ("range", vec![wput(r2())]),
                ("num", vec![wput(it(&[("id", s("1"))]))]),
            ]),
            expect: Err(verr(
                "One or more parameter values were invalid: Type mismatch for key id expected: N \
                 actual: S",
            )),
            after: None,
        },
        WriteBatch {
            name: "item over 400 KB",
            setup: setup(),
            req: writes(vec![(
                "hash",
                vec![
                    wput(c()),
                    wput(it(&[("pk", s("d")), ("big", s(&"x".repeat(410_000)))])),
                ],
            )]),
            expect: Err(verr("Item size has exceeded the maximum allowed size")),
            after: None,
        },
        WriteBatch {
            name: "empty string key",
            setup: setup(),
            req: writes(vec![("hash", vec![wput(c()), wput(hk(""))])]),
            expect: Err(verr(
                "One or more parameter values are not valid. The AttributeValue for a key \
                 attribute cannot contain an empty string value. Key: pk",
            )),
            after: None,
        },
        WriteBatch {
            name: "delete key not matching the schema",
            setup: setup(),
            req: writes(vec![
                ("hash", vec![wput(c())]),
                ("range", vec![wdel(hk("a"))]),
            ]),
            expect: Err(verr("The provided key element does not match the schema")),
            after: None,
        },
        WriteBatch {
            name: "empty set in an item",
            setup: setup(),
            req: writes(vec![(
                "hash",
                vec![wput(c()), wput(it(&[("pk", s("e")), ("s", empty_ss())]))],
            )]),
            expect: Err(verr(
                "One or more parameter values were invalid: An string set  may not be empty",
            )),
            after: None,
        },
        WriteBatch {
            // unverified: the member path
            name: "a table without writes",
            setup: setup(),
            req: writes(vec![("hash", vec![])]),
            expect: Err(verr(
                "1 validation error detected: Value '[]' at 'requestItems.hash.member' failed to \
                 satisfy constraint: Member must have length greater than or equal to 1",
            )),
            after: None,
        },
        WriteBatch {
            // unverified: the rendering of the empty map
            name: "no tables",
            setup: setup(),
            req: writes(vec![]),
            expect: Err(verr(
                "1 validation error detected: Value '{}' at 'requestItems' failed to satisfy \
                 constraint: Member must have length greater than or equal to 1",
            )),
            after: None,
        },
    ];
    let mut report = Report::new("batch/write");
    for case in cases {
        let failure = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let db = fresh_db();
            if let Err(e) = load_all(&db, &case.setup) {
                return Some(e);
            }
            let outcome = db
                .batch_write_item(&case.req)
                .map(|output| output.unprocessed_items);
            let mut problems = Vec::new();
            match (outcome, &case.expect) {
                (Ok(unprocessed), _) if !unprocessed.is_empty() => {
                    problems.push(format!("unprocessed items: {unprocessed:?}"));
                }
                (Ok(_), expect) => problems.extend(compare(Ok(()), expect)),
                (Err(e), expect) => problems.extend(compare(Err(e), expect)),
            }
            let want = match (&case.expect, &case.after) {
                (Ok(()), Some(after)) => by_table(after),
                _ => by_table(&case.setup),
            };
            let got = all_tables(&db);
            if got != want {
                problems.push(format!(
                    "tables afterwards: expected {want:?}\n      got {got:?}"
                ));
            }
            (!problems.is_empty()).then(|| problems.join("\n    "))
        }))
        .unwrap_or_else(|_| Some("panicked".into()));
        report.record(case.name, failure);
    }
    report.finish();
}
