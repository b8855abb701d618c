//! Table management as DynamoDB specifies it: CreateTable, DescribeTable,
//! ListTables, UpdateTable and DeleteTable through the embedded `Db`, with
//! DynamoDB's validation messages, durability of updates across reopening
//! and crashes between shards, and exact item counts and sizes.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use dynacore::io::{ManualClock, MemFs};
use dynacore::lsm::{Lsm, LsmOptions};
use dynacore::model::item_size_bytes;
use dynacore::{
    AttributeDefinition, BillingMode, CreateTableRequest, Db, Error, KeyRole, KeySchemaElement,
    KeyType, ListTablesRequest, ProvisionedThroughput, ShardId, TableDescription, TableStatus,
    UpdateTableRequest, shard_dir,
};
use dynacore_tests::{Rng, for_each_seed, item, key, string_number_schema, string_schema};

const START_MS: u64 = 1_700_000_000_000;

fn open(fs: &MemFs, clock: &ManualClock, shards: usize) -> Db {
    Db::builder("/db")
        .fs(Arc::new(fs.clone()))
        .clock(Arc::new(clock.clone()))
        .shard_count(shards)
        .shard_threads(false)
        .open()
        .unwrap()
}

fn new_db(shards: usize) -> (MemFs, ManualClock, Db) {
    let fs = MemFs::new();
    let clock = ManualClock::new();
    clock.set_unix_time_ms(START_MS);
    let db = open(&fs, &clock, shards);
    (fs, clock, db)
}

fn validation_message<T: std::fmt::Debug>(result: dynacore::Result<T>) -> String {
    match result {
        Err(Error::Validation(message)) => message,
        other => panic!("expected a ValidationException, got {other:?}"),
    }
}

fn hash(name: &str) -> KeySchemaElement {
    KeySchemaElement::new(name, KeyRole::Hash)
}

fn range(name: &str) -> KeySchemaElement {
    KeySchemaElement::new(name, KeyRole::Range)
}

fn string_definition(name: &str) -> AttributeDefinition {
    AttributeDefinition::new(name, KeyType::S)
}

/// A valid PROVISIONED request for table `name` keyed by `pk` (S) and `sk` (N).
fn provisioned_request(name: &str, read: i64, write: i64) -> CreateTableRequest {
    CreateTableRequest {
        table_name: name.into(),
        key_schema: vec![hash("pk"), range("sk")],
        attribute_definitions: vec![
            AttributeDefinition::new("pk", KeyType::S),
            AttributeDefinition::new("sk", KeyType::N),
        ],
        billing_mode: BillingMode::Provisioned,
        provisioned_throughput: Some(ProvisionedThroughput::new(read, write)),
    }
}

/// A valid PAY_PER_REQUEST request keyed by `pk` (S) only.
fn on_demand_request(name: &str) -> CreateTableRequest {
    CreateTableRequest {
        table_name: name.into(),
        key_schema: vec![hash("pk")],
        attribute_definitions: vec![string_definition("pk")],
        billing_mode: BillingMode::PayPerRequest,
        provisioned_throughput: None,
    }
}

#[test]
fn create_table_rejects_invalid_requests_with_dynamodb_messages_in_its_order() {
    let (_fs, _clock, db) = new_db(1);
    let with = |change: &dyn Fn(&mut CreateTableRequest)| {
        let mut request = on_demand_request("tbl");
        change(&mut request);
        request
    };
    let cases: Vec<(CreateTableRequest, String)> = vec![
        (
            with(&|r| r.table_name = "a;".into()),
            "2 validation errors detected: Value 'a;' at 'tableName' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value 'a;' at \
             'tableName' failed to satisfy constraint: Member must have length greater than or \
             equal to 3"
                .into(),
        ),
        (
            with(&|r| r.table_name = "t".repeat(256)),
            format!(
                "1 validation error detected: Value '{}' at 'tableName' failed to satisfy \
                 constraint: Member must have length less than or equal to 255",
                "t".repeat(256)
            ),
        ),
        // Every constraint at once, listed as DynamoDB lists them.
        (
            CreateTableRequest {
                table_name: "ab".into(),
                key_schema: Vec::new(),
                attribute_definitions: vec![string_definition("")],
                billing_mode: BillingMode::Provisioned,
                provisioned_throughput: Some(ProvisionedThroughput::new(-1, 0)),
            },
            "5 validation errors detected: Value '' at 'attributeDefinitions.1.member.attributeName' \
             failed to satisfy constraint: Member must have length greater than or equal to 1; \
             Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length \
             greater than or equal to 3; Value '0' at 'provisionedThroughput.writeCapacityUnits' \
             failed to satisfy constraint: Member must have value greater than or equal to 1; \
             Value '-1' at 'provisionedThroughput.readCapacityUnits' failed to satisfy constraint: \
             Member must have value greater than or equal to 1; Value '[]' at 'keySchema' failed \
             to satisfy constraint: Member must have length greater than or equal to 1"
                .into(),
        ),
        (
            with(&|r| {
                r.key_schema = vec![hash("pk"), range("sk"), range("x")];
                r.attribute_definitions = ["pk", "sk", "x"].map(string_definition).to_vec();
            }),
            "1 validation error detected: Value '[KeySchemaElement(attributeName=pk, keyType=HASH), \
             KeySchemaElement(attributeName=sk, keyType=RANGE), KeySchemaElement(attributeName=x, \
             keyType=RANGE)]' at 'keySchema' failed to satisfy constraint: Member must have length \
             less than or equal to 2"
                .into(),
        ),
        (
            with(&|r| {
                r.key_schema = vec![hash(&"k".repeat(256))];
                r.attribute_definitions = vec![string_definition(&"k".repeat(256))];
            }),
            format!(
                "2 validation errors detected: Value '{0}' at \
                 'attributeDefinitions.1.member.attributeName' failed to satisfy constraint: \
                 Member must have length less than or equal to 255; Value '{0}' at \
                 'keySchema.1.member.attributeName' failed to satisfy constraint: Member must \
                 have length less than or equal to 255",
                "k".repeat(256)
            ),
        ),
        (
            with(&|r| r.provisioned_throughput = Some(ProvisionedThroughput::new(5, 5))),
            "One or more parameter values were invalid: Neither ReadCapacityUnits nor \
             WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"
                .into(),
        ),
        (
            with(&|r| r.billing_mode = BillingMode::Provisioned),
            "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits \
             must both be specified when BillingMode is PROVISIONED"
                .into(),
        ),
        (
            provisioned_request("tbl", 1_000_000_000_001, 1_000_000_000_001),
            "Given value 1000000000001 for ReadCapacityUnits is out of bounds".into(),
        ),
        (
            provisioned_request("tbl", 1_000_000_000_000, 1_000_000_000_001),
            "Given value 1000000000001 for WriteCapacityUnits is out of bounds".into(),
        ),
        // More key elements than definitions, even if one name repeats.
        (
            with(&|r| r.key_schema = vec![hash("pk"), range("pk")]),
            "Invalid KeySchema: Some index key attribute have no definition".into(),
        ),
        (
            with(&|r| {
                r.key_schema = vec![hash("pk"), range("sk")];
                r.attribute_definitions = Vec::new();
            }),
            "Invalid KeySchema: Some index key attribute have no definition".into(),
        ),
        (
            with(&|r| {
                r.attribute_definitions =
                    vec![string_definition("pk"), AttributeDefinition::new("pk", KeyType::N)]
            }),
            "Attribute Name is duplicated: pk".into(),
        ),
        (
            with(&|r| {
                r.key_schema = vec![hash("a"), range("a")];
                r.attribute_definitions = ["a", "b"].map(string_definition).to_vec();
            }),
            "Both the Hash Key and the Range Key element in the KeySchema have the same name"
                .into(),
        ),
        (
            with(&|r| {
                r.key_schema = vec![hash("pk"), range("sk")];
                r.attribute_definitions = ["pk", "typo"].map(string_definition).to_vec();
            }),
            "One or more parameter values were invalid: Some index key attributes are not defined \
             in AttributeDefinitions. Keys: [pk, sk], AttributeDefinitions: [pk, typo]"
                .into(),
        ),
        (
            with(&|r| r.attribute_definitions = vec![string_definition("b")]),
            "One or more parameter values were invalid: Some index key attributes are not defined \
             in AttributeDefinitions. Keys: [pk], AttributeDefinitions: [b]"
                .into(),
        ),
        (
            with(&|r| {
                r.key_schema = vec![range("a"), hash("b")];
                r.attribute_definitions = ["a", "b"].map(string_definition).to_vec();
            }),
            "Invalid KeySchema: The first KeySchemaElement is not a HASH key type".into(),
        ),
        (
            with(&|r| {
                r.key_schema = vec![hash("a"), hash("b")];
                r.attribute_definitions = ["a", "b"].map(string_definition).to_vec();
            }),
            "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type".into(),
        ),
        (
            with(&|r| r.attribute_definitions = ["pk", "extra"].map(string_definition).to_vec()),
            "One or more parameter values were invalid: Number of attributes in KeySchema does not \
             exactly match number of attributes defined in AttributeDefinitions"
                .into(),
        ),
    ];
    for (request, expected) in cases {
        assert_eq!(
            validation_message(db.create_table_with(&request)),
            expected,
            "request {request:?}"
        );
    }
    assert!(
        db.list_tables().is_empty(),
        "invalid requests change nothing"
    );

    db.create_table_with(&on_demand_request("tbl")).unwrap();
    let again = db.create_table_with(&provisioned_request("tbl", 1, 1));
    match again {
        Err(error @ Error::TableAlreadyExists(_)) => assert_eq!(
            error.to_string(),
            "ResourceInUseException: Table already exists: tbl"
        ),
        other => panic!("expected ResourceInUseException, got {other:?}"),
    }
    // Validation comes before the existence check.
    let invalid_duplicate = with(&|r| r.billing_mode = BillingMode::Provisioned);
    assert!(matches!(
        db.create_table_with(&invalid_duplicate),
        Err(Error::Validation(_))
    ));
}

#[test]
fn created_tables_describe_what_was_asked_and_the_simple_create_is_on_demand() {
    let (fs, clock, db) = new_db(2);
    let created = db
        .create_table_with(&provisioned_request("orders", 5, 10))
        .unwrap();
    assert_eq!(created.status, TableStatus::Active);
    assert_eq!(created.creation_date_time_ms, START_MS);
    assert_eq!(created.billing_mode, BillingMode::Provisioned);
    assert_eq!(created.provisioned_throughput.read_capacity_units, 5);
    assert_eq!(created.provisioned_throughput.write_capacity_units, 10);
    assert_eq!(
        created.provisioned_throughput.last_increase_date_time_ms,
        None
    );
    assert_eq!(created.key_schema(), [hash("pk"), range("sk")]);
    assert_eq!(
        created.attribute_definitions,
        [
            AttributeDefinition::new("pk", KeyType::S),
            AttributeDefinition::new("sk", KeyType::N)
        ]
    );
    assert_eq!(created.schema, string_number_schema());
    assert_eq!(db.describe_table("orders").unwrap(), created);

    clock.advance(std::time::Duration::from_secs(1));
    let simple = db.create_table("users", string_schema()).unwrap();
    assert_eq!(simple.billing_mode, BillingMode::PayPerRequest);
    assert_eq!(simple.provisioned_throughput.read_capacity_units, 0);
    assert_eq!(simple.creation_date_time_ms, START_MS + 1000);
    assert_eq!(simple.attribute_definitions, [string_definition("pk")]);
    assert_eq!(simple.key_schema(), [hash("pk")]);

    // Everything DescribeTable reports survives reopening.
    drop(db);
    let db = open(&fs, &clock, 2);
    assert_eq!(db.describe_table("orders").unwrap(), created);
    assert_eq!(db.describe_table("users").unwrap(), simple);
    let described = db.describe_table_with_stats("orders").unwrap();
    assert_eq!(described.table, created);
    assert_eq!((described.item_count, described.table_size_bytes), (0, 0));
    assert!(matches!(
        db.describe_table_with_stats("missing"),
        Err(Error::TableNotFound(_))
    ));
}

#[test]
fn list_tables_pages_with_random_limits_cover_every_name_once_in_order() {
    for_each_seed(8, |seed| {
        let mut rng = Rng::new(seed);
        let (_fs, _clock, db) = new_db(1 + rng.below(3) as usize);
        let mut names = BTreeSet::new();
        let count = rng.below(40) as usize;
        while names.len() < count {
            let length = 2 + rng.below(4) as usize;
            let name = format!("t{}", rng.letters(length));
            if names.insert(name.clone()) {
                db.create_table(&name, string_schema()).unwrap();
            }
        }
        let expected: Vec<String> = names.into_iter().collect();
        assert_eq!(db.list_tables(), expected);
        let mut listed = Vec::new();
        let mut start = None;
        let mut pages = 0;
        loop {
            let limit = match rng.below(4) {
                0 => None,
                _ => Some(1 + rng.below(12) as i64),
            };
            let page = db
                .list_tables_with(&ListTablesRequest {
                    exclusive_start_table_name: start.clone(),
                    limit,
                })
                .unwrap();
            let limit = limit.unwrap_or(100) as usize;
            assert!(page.table_names.len() <= limit, "seed {seed}");
            pages += 1;
            assert!(
                pages <= expected.len() + 1,
                "seed {seed}: pagination does not end"
            );
            listed.extend(page.table_names.iter().cloned());
            match page.last_evaluated_table_name {
                Some(last) => {
                    assert_eq!(
                        page.table_names.len(),
                        limit,
                        "seed {seed}: a short page says more"
                    );
                    assert_eq!(Some(&last), page.table_names.last(), "seed {seed}");
                    start = Some(last);
                }
                None => break,
            }
        }
        assert_eq!(
            listed, expected,
            "seed {seed}: pages concatenated are all names, sorted"
        );

        // A start name need not exist: listing resumes after it.
        if let Some(first) = expected.first() {
            let after = format!("{first}0");
            let page = db
                .list_tables_with(&ListTablesRequest {
                    exclusive_start_table_name: Some(after.clone()),
                    limit: None,
                })
                .unwrap();
            let rest: Vec<String> = expected.iter().filter(|n| **n > after).cloned().collect();
            assert_eq!(page.table_names, rest, "seed {seed}");
        }
    });
}

#[test]
fn list_tables_rejects_bad_limits_and_start_names() {
    let (_fs, _clock, db) = new_db(1);
    let list = |start: Option<&str>, limit: Option<i64>| {
        validation_message(db.list_tables_with(&ListTablesRequest {
            exclusive_start_table_name: start.map(str::to_owned),
            limit,
        }))
    };
    assert_eq!(
        list(None, Some(0)),
        "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member \
         must have value greater than or equal to 1"
    );
    assert_eq!(
        list(None, Some(101)),
        "1 validation error detected: Value '101' at 'limit' failed to satisfy constraint: Member \
         must have value less than or equal to 100"
    );
    assert_eq!(
        list(Some("x"), Some(-3)),
        "2 validation errors detected: Value 'x' at 'exclusiveStartTableName' failed to satisfy \
         constraint: Member must have length greater than or equal to 3; Value '-3' at 'limit' \
         failed to satisfy constraint: Member must have value greater than or equal to 1"
    );
    let empty = db.list_tables_with(&ListTablesRequest::default()).unwrap();
    assert!(empty.table_names.is_empty() && empty.last_evaluated_table_name.is_none());
}

fn update(
    name: &str,
    billing_mode: Option<BillingMode>,
    units: Option<(i64, i64)>,
) -> UpdateTableRequest {
    UpdateTableRequest {
        table_name: name.into(),
        billing_mode,
        provisioned_throughput: units.map(|(read, write)| ProvisionedThroughput::new(read, write)),
    }
}

#[test]
fn update_table_rejects_invalid_requests_with_dynamodb_messages() {
    let (_fs, _clock, db) = new_db(1);
    db.create_table_with(&provisioned_request("prov", 5, 5))
        .unwrap();
    db.create_table("ondemand", string_schema()).unwrap();
    let cases = [
        (
            update("a;", None, Some((0, 1))),
            "3 validation errors detected: Value 'a;' at 'tableName' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; Value 'a;' at \
             'tableName' failed to satisfy constraint: Member must have length greater than or \
             equal to 3; Value '0' at 'provisionedThroughput.readCapacityUnits' failed to satisfy \
             constraint: Member must have value greater than or equal to 1"
                .to_owned(),
        ),
        (
            update("prov", None, None),
            "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, \
             GlobalSecondaryIndexUpdates or SSESpecification or ReplicaUpdates is required"
                .to_owned(),
        ),
        (
            update("prov", Some(BillingMode::Provisioned), None),
            "One or more parameter values were invalid: ProvisionedThroughput must be specified \
             when BillingMode is PROVISIONED"
                .to_owned(),
        ),
        (
            update("prov", Some(BillingMode::PayPerRequest), Some((1, 1))),
            "One or more parameter values were invalid: Neither ReadCapacityUnits nor \
             WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"
                .to_owned(),
        ),
        (
            update("prov", None, Some((1, 1_000_000_000_001))),
            "Given value 1000000000001 for WriteCapacityUnits is out of bounds".to_owned(),
        ),
        (
            update("ondemand", None, Some((1, 1))),
            "One or more parameter values were invalid: Neither ReadCapacityUnits nor \
             WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST"
                .to_owned(),
        ),
        (
            update("prov", Some(BillingMode::Provisioned), Some((5, 5))),
            "The provisioned throughput for the table will not change. The requested value equals \
             the current value. Current ReadCapacityUnits provisioned for the table: 5. Requested \
             ReadCapacityUnits: 5. Current WriteCapacityUnits provisioned for the table: 5. \
             Requested WriteCapacityUnits: 5. Refer to the Amazon DynamoDB Developer Guide for \
             current limits and how to request higher limits."
                .to_owned(),
        ),
    ];
    for (request, expected) in cases {
        assert_eq!(
            validation_message(db.update_table(&request)),
            expected,
            "request {request:?}"
        );
    }
    match db.update_table(&update("missing", None, Some((1, 1)))) {
        Err(error @ Error::TableNotFound(_)) => assert_eq!(
            error.to_string(),
            "ResourceNotFoundException: Requested resource not found: Table: missing not found"
        ),
        other => panic!("expected ResourceNotFoundException, got {other:?}"),
    }
    // Nothing changed.
    let prov = db.describe_table("prov").unwrap();
    assert_eq!(prov.provisioned_throughput.read_capacity_units, 5);
    assert_eq!(prov.provisioned_throughput.last_increase_date_time_ms, None);
}

#[test]
fn update_table_is_durable_on_every_shard_and_survives_reopen() {
    let (fs, clock, db) = new_db(3);
    db.create_table_with(&provisioned_request("tbl", 5, 5))
        .unwrap();
    db.put_item(
        "tbl",
        &item("a", Some(&"1".parse().unwrap()), &[("v", "x")]),
    )
    .unwrap();

    clock.advance(std::time::Duration::from_secs(60));
    let raised = db
        .update_table(&update("tbl", None, Some((10, 5))))
        .unwrap();
    assert_eq!(
        raised.status,
        TableStatus::Updating,
        "UpdateTable's response"
    );
    assert_eq!(raised.provisioned_throughput.read_capacity_units, 10);
    assert_eq!(
        raised.provisioned_throughput.last_increase_date_time_ms,
        Some(START_MS + 60_000)
    );
    let stored = db.describe_table("tbl").unwrap();
    assert_eq!(stored.status, TableStatus::Active);
    assert_eq!(
        TableDescription {
            status: TableStatus::Updating,
            ..stored.clone()
        },
        raised
    );

    clock.advance(std::time::Duration::from_secs(60));
    let on_demand = db
        .update_table(&update("tbl", Some(BillingMode::PayPerRequest), None))
        .unwrap();
    assert_eq!(on_demand.billing_mode, BillingMode::PayPerRequest);
    assert_eq!(on_demand.provisioned_throughput.read_capacity_units, 0);
    assert_eq!(
        on_demand.last_update_to_pay_per_request_ms,
        Some(START_MS + 120_000)
    );
    // Restating on-demand succeeds and changes nothing.
    let restated = db
        .update_table(&update("tbl", Some(BillingMode::PayPerRequest), None))
        .unwrap();
    assert_eq!(restated, on_demand);

    let before_reopen = db.describe_table("tbl").unwrap();
    drop(db);
    let db = open(&fs, &clock, 3);
    assert_eq!(db.describe_table("tbl").unwrap(), before_reopen);
    assert_eq!(
        db.get_item("tbl", &key("a", Some(&"1".parse().unwrap())))
            .unwrap()
            .map(|i| i.len()),
        Some(3),
        "an update leaves the items alone"
    );
    drop(db);
    for shard in 0..3 {
        assert_eq!(
            shard_description(&fs, shard, "tbl"),
            Some(before_reopen.clone()),
            "shard {shard} holds the update"
        );
    }
}

/// The description of table `name` as shard `shard`'s own manifest records
/// it (the database must be closed).
fn shard_description(fs: &MemFs, shard: u16, name: &str) -> Option<TableDescription> {
    let mut options = LsmOptions::new(shard_dir("/db".as_ref(), ShardId(shard)));
    options.fs = Arc::new(fs.clone());
    let lsm = Lsm::open(options).unwrap();
    lsm.catalog()
        .tables
        .iter()
        .map(|(id, blob)| TableDescription::decode(*id, blob).unwrap())
        .find(|d| d.name == name)
}

#[test]
fn open_repairs_a_crash_between_shard_0s_update_and_the_other_shards() {
    let (fs, clock, db) = new_db(3);
    db.create_table_with(&provisioned_request("tbl", 5, 5))
        .unwrap();
    let original = db.describe_table("tbl").unwrap();
    // Power fails right after shard 0's manifest edit is durable: the
    // other shards' edits never reach the medium.
    fs.crash_at_sync(1);
    let result = db.update_table(&update("tbl", None, Some((7, 3))));
    assert!(
        result.is_err(),
        "the write to shard 1 fails after the power cut"
    );
    drop(db);
    fs.restart();

    assert_eq!(
        shard_description(&fs, 0, "tbl")
            .unwrap()
            .provisioned_throughput
            .read_capacity_units,
        7,
        "shard 0 recorded the update"
    );
    for shard in 1..3 {
        assert_eq!(
            shard_description(&fs, shard, "tbl"),
            Some(original.clone()),
            "shard {shard} missed it"
        );
    }

    let db = open(&fs, &clock, 3);
    let repaired = db.describe_table("tbl").unwrap();
    assert_eq!(repaired.provisioned_throughput.read_capacity_units, 7);
    assert_eq!(repaired.provisioned_throughput.write_capacity_units, 3);
    drop(db);
    for shard in 0..3 {
        assert_eq!(
            shard_description(&fs, shard, "tbl"),
            Some(repaired.clone()),
            "open brought shard {shard} in line with shard 0"
        );
    }
}

#[test]
fn describe_counts_items_and_sizes_exactly_across_shards() {
    for_each_seed(3, |seed| {
        let mut rng = Rng::new(seed);
        let fs = MemFs::new();
        let clock = ManualClock::new();
        // A small memtable, so that items also live in SSTables.
        let open_small = || {
            Db::builder("/db")
                .fs(Arc::new(fs.clone()))
                .clock(Arc::new(clock.clone()))
                .shard_count(4)
                .shard_threads(false)
                .memtable_size_bytes_max(64 * 1024)
                .open()
                .unwrap()
        };
        let db = open_small();
        db.create_table("tbl", string_schema()).unwrap();
        db.create_table("other", string_schema()).unwrap();
        let mut expected = BTreeMap::new();
        // Enough items that every shard reads several chunks.
        for index in 0..1500 {
            let name = format!("k{index}");
            let length = rng.below(200) as usize;
            let value = rng.letters(length);
            let item = item(&name, None, &[("value", &value)]);
            db.put_item("tbl", &item).unwrap();
            expected.insert(name, item_size_bytes(&item) as u64);
        }
        db.put_item("other", &item("not-counted", None, &[]))
            .unwrap();
        for index in 0..1500 {
            let name = format!("k{index}");
            if rng.chance(30) {
                db.delete_item("tbl", &key(&name, None)).unwrap();
                expected.remove(&name);
            } else if rng.chance(10) {
                // An overwrite counts once, at its new size.
                let item = item(&name, None, &[("value", "overwritten")]);
                db.put_item("tbl", &item).unwrap();
                expected.insert(name, item_size_bytes(&item) as u64);
            }
        }
        let check = |db: &Db, context: &str| {
            let described = db.describe_table_with_stats("tbl").unwrap();
            assert_eq!(
                described.item_count,
                expected.len() as u64,
                "seed {seed}: {context}"
            );
            assert_eq!(
                described.table_size_bytes,
                expected.values().sum::<u64>(),
                "seed {seed}: {context}"
            );
        };
        check(&db, "before reopen");
        drop(db);
        let db = open_small();
        check(&db, "after reopen");
        let other = db.describe_table_with_stats("other").unwrap();
        assert_eq!(other.item_count, 1);
    });
}

#[test]
fn delete_table_reports_deleting_and_frees_the_name() {
    let (_fs, _clock, db) = new_db(2);
    db.create_table_with(&provisioned_request("tbl", 3, 4))
        .unwrap();
    db.put_item("tbl", &item("a", Some(&"1".parse().unwrap()), &[]))
        .unwrap();
    let deleted = db.delete_table("tbl").unwrap();
    assert_eq!(deleted.status, TableStatus::Deleting);
    assert_eq!(deleted.provisioned_throughput.read_capacity_units, 3);
    assert!(matches!(
        db.delete_table("tbl"),
        Err(Error::TableNotFound(_))
    ));
    assert!(db.list_tables().is_empty());
    let recreated = db.create_table_with(&on_demand_request("tbl")).unwrap();
    assert_ne!(recreated.id, deleted.id, "ids are never reused");
    assert_eq!(recreated.billing_mode, BillingMode::PayPerRequest);
    let described = db.describe_table_with_stats("tbl").unwrap();
    assert_eq!(described.item_count, 0, "the new table starts empty");
}
