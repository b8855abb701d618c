//! The embedded API's behaviour: tables, items, errors, pagination.

use std::sync::Arc;

use dynacore::io::MemFs;
use dynacore::{AttributeValue, Db, Error, KeyValue, QueryOptions, ScanOptions};
use dynacore_tests::{item, key, number, string_number_schema, string_schema, tempdir};

fn db() -> Db {
    Db::builder("/db")
        .fs(Arc::new(MemFs::new()))
        .open()
        .unwrap()
}

#[test]
fn tables_are_created_described_listed_and_deleted() {
    let db = db();
    let created = db.create_table("users", string_number_schema()).unwrap();
    assert_eq!(db.describe_table("users").unwrap(), created);
    db.create_table("orders", string_schema()).unwrap();
    assert_eq!(db.list_tables(), ["orders", "users"]);
    assert!(matches!(
        db.create_table("users", string_schema()),
        Err(Error::TableAlreadyExists(_))
    ));
    assert!(matches!(
        db.create_table("x", string_schema()),
        Err(Error::Validation(_))
    ));
    db.put_item("users", &item("a", Some(&number("1")), &[]))
        .unwrap();
    db.delete_table("users").unwrap();
    assert!(matches!(
        db.describe_table("users"),
        Err(Error::TableNotFound(_))
    ));
    assert!(matches!(
        db.get_item("users", &key("a", Some(&number("1")))),
        Err(Error::TableNotFound(_))
    ));
    // A new table of the same name starts empty: ids are never reused.
    db.create_table("users", string_number_schema()).unwrap();
    assert_eq!(
        db.get_item("users", &key("a", Some(&number("1")))).unwrap(),
        None
    );
}

#[test]
fn tables_and_items_survive_reopen_on_real_files() {
    let dir = tempdir();
    {
        let db = Db::open(&dir).unwrap();
        db.create_table("tbl", string_schema()).unwrap();
        db.put_item("tbl", &item("k", None, &[("v", "1")])).unwrap();
        assert!(
            matches!(Db::open(&dir), Err(Error::Locked { .. })),
            "a second open must be refused"
        );
    }
    let db = Db::open(&dir).unwrap();
    assert_eq!(
        db.get_item("tbl", &key("k", None)).unwrap(),
        Some(item("k", None, &[("v", "1")]))
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn invalid_items_are_rejected_and_change_nothing() {
    let db = db();
    db.create_table("tbl", string_number_schema()).unwrap();
    let mut missing_sort_key = item("a", None, &[]);
    assert!(matches!(
        db.put_item("tbl", &missing_sort_key),
        Err(Error::Validation(_))
    ));
    missing_sort_key.insert("sk".into(), AttributeValue::S("not a number".into()));
    let error = db.put_item("tbl", &missing_sort_key).unwrap_err();
    assert!(error.to_string().contains("Type mismatch"), "{error}");
    let huge = item("a", Some(&number("1")), &[("v", &"x".repeat(400 * 1024))]);
    let error = db.put_item("tbl", &huge).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("Item size has exceeded the maximum allowed size"),
        "{error}"
    );
    assert_eq!(db.scan("tbl", &ScanOptions::default()).unwrap().items, []);
    assert_eq!(db.stats().counters.batches_written, 0);
}

#[test]
fn query_pages_through_a_partition_in_sort_key_order() {
    let db = db();
    db.create_table("tbl", string_number_schema()).unwrap();
    let sort_keys = ["-10", "-1.5", "0", "0.25", "2", "10", "1E3"];
    for (i, sk) in sort_keys.iter().rev().enumerate() {
        db.put_item(
            "tbl",
            &item("p", Some(&number(sk)), &[("i", &i.to_string())]),
        )
        .unwrap();
        db.put_item("tbl", &item("q", Some(&number(sk)), &[]))
            .unwrap();
    }
    let mut options = QueryOptions {
        limit: Some(3),
        ..QueryOptions::default()
    };
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let page = db.query("tbl", &KeyValue::S("p".into()), &options).unwrap();
        pages += 1;
        seen.extend(page.items.iter().map(|it| match &it["sk"] {
            AttributeValue::N(n) => *n,
            other => panic!("{other:?}"),
        }));
        match page.last_evaluated_key {
            Some(k) => options.exclusive_start_key = Some(k),
            None => break,
        }
    }
    let expected: Vec<_> = sort_keys.iter().map(|s| number(s)).collect();
    assert_eq!(seen, expected);
    assert_eq!(pages, 3);
}
