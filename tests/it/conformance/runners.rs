//! The runners: each executes a table of cases of one operation (writes,
//! GetItem, Query, Scan, scenarios) on fresh databases, one case at a
//! time, and reports every case that disagrees with its expectation.

use dynacore::{DeleteItemRequest, Page, PutItemRequest, UpdateItemRequest, WriteOutput};

use super::*;

// ----- setup and failures ------------------------------------------------

/// Puts `items` into `table` with the plain (expression-free) API.
fn load(db: &Db, table: &str, items: &[Item]) -> Result<(), String> {
    for item in items {
        db.put_item(table, item)
            .map_err(|e| format!("setup put of {item:?} failed: {e}"))?;
    }
    Ok(())
}

/// Runs `body`, turning a panic inside it into a case failure.
fn guarded(body: impl FnOnce() -> Option<String>) -> Option<String> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(body)) {
        Ok(outcome) => outcome,
        Err(panic) => Some(format!(
            "panicked: {}",
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default()
        )),
    }
}

// ----- writes: PutItem, UpdateItem, DeleteItem ---------------------------

impl W {
    fn execute(&self, db: &Db) -> dynacore::Result<WriteOutput> {
        let table_name = self.table.to_owned();
        let update_text = match &self.op {
            Op::Update(_, Some(text)) => Some(text.as_str()),
            _ => None,
        };
        let texts: Vec<&str> = [self.cond.as_deref(), update_text]
            .into_iter()
            .flatten()
            .collect();
        let names = auto_names(&self.names, texts.iter().copied());
        let values = auto_values(&self.values, texts.iter().copied());
        match &self.op {
            Op::Put(item) => db.put_item_with(&PutItemRequest {
                table_name,
                item: item.clone(),
                condition_expression: self.cond.clone(),
                expression_attribute_names: names.clone(),
                expression_attribute_values: values.clone(),
                return_values: self.rv,
                return_values_on_condition_check_failure: self.rv_fail,
            }),
            Op::Update(key, update) => db.update_item(&UpdateItemRequest {
                table_name,
                key: key.clone(),
                update_expression: update.clone(),
                condition_expression: self.cond.clone(),
                expression_attribute_names: names.clone(),
                expression_attribute_values: values.clone(),
                return_values: self.rv,
                return_values_on_condition_check_failure: self.rv_fail,
            }),
            Op::Delete(key) => db.delete_item_with(&DeleteItemRequest {
                table_name,
                key: key.clone(),
                condition_expression: self.cond.clone(),
                expression_attribute_names: names.clone(),
                expression_attribute_values: values.clone(),
                return_values: self.rv,
                return_values_on_condition_check_failure: self.rv_fail,
            }),
        }
    }
}

/// Runs a table of write cases, reporting every failing one.
pub(super) fn run_writes(area: &'static str, cases: Vec<WriteCase>) {
    let mut report = Report::new(area);
    for case in cases {
        let failure = guarded(|| {
            let db = fresh_db();
            let setup_table = match db.describe_table(case.req.table) {
                Ok(_) => case.req.table,
                Err(_) => "hash",
            };
            if let Err(e) = load(&db, setup_table, &case.setup) {
                return Some(e);
            }
            let outcome = case.req.execute(&db).map(|output| output.attributes);
            let mut problems = Vec::new();
            if let Some(problem) = compare(outcome, &case.expect) {
                problems.push(problem);
            }
            let want_after = match (&case.expect, &case.after) {
                (Err(_), _) | (Ok(_), None) => canonical(case.setup.clone()),
                (Ok(_), Some(after)) => canonical(after.clone()),
            };
            // A request on a table that does not exist is checked against
            // the suite's default table.
            let table = match db.describe_table(case.req.table) {
                Ok(_) => case.req.table,
                Err(_) => "hash",
            };
            let got_after = table_items(&db, table);
            if got_after != want_after {
                problems.push(format!(
                    "table afterwards: expected {want_after:?}\n      got {got_after:?}"
                ));
            }
            (!problems.is_empty()).then(|| problems.join("\n    "))
        });
        report.record(case.name, failure);
    }
    report.finish();
}

// ----- GetItem ---------------------------------------------------------

/// Runs a table of GetItem cases.
pub(super) fn run_gets(area: &'static str, cases: Vec<GetCase>) {
    let mut report = Report::new(area);
    for case in cases {
        let failure = guarded(|| {
            let db = fresh_db();
            let table = if db.describe_table(&case.req.table_name).is_ok() {
                case.req.table_name.clone()
            } else {
                "hash".to_owned()
            };
            if let Err(e) = load(&db, &table, &case.setup) {
                return Some(e);
            }
            let mut req = case.req.clone();
            req.expression_attribute_names = auto_names(
                &req.expression_attribute_names,
                req.projection_expression.as_deref(),
            );
            compare(db.get_item_with(&req), &case.expect)
        });
        report.record(case.name, failure);
    }
    report.finish();
}

// ----- Query and Scan ----------------------------------------------------

fn check_page(got: &Page, want: &PageWant, ordered: bool) -> Option<String> {
    let mut problems = Vec::new();
    if let Some(items) = &want.items {
        let (got_items, want_items) = if ordered {
            (got.items.clone(), items.clone())
        } else {
            (canonical(got.items.clone()), canonical(items.clone()))
        };
        if got_items != want_items {
            problems.push(format!(
                "items: expected {want_items:?}\n      got {got_items:?}"
            ));
        }
    }
    if want.count.is_some_and(|c| c != got.count) {
        problems.push(format!(
            "Count: expected {:?}, got {}",
            want.count, got.count
        ));
    }
    if want.scanned.is_some_and(|c| c != got.scanned_count) {
        problems.push(format!(
            "ScannedCount: expected {:?}, got {}",
            want.scanned, got.scanned_count
        ));
    }
    if let Some(last) = &want.last_key
        && last != &got.last_evaluated_key
    {
        problems.push(format!(
            "LastEvaluatedKey: expected {last:?}, got {:?}",
            got.last_evaluated_key
        ));
    }
    (!problems.is_empty()).then(|| problems.join("\n    "))
}

fn run_pages<R>(
    area: &'static str,
    cases: Vec<PageCase<R>>,
    table_of: impl Fn(&R) -> &str,
    execute: impl Fn(&Db, &R) -> dynacore::Result<Page>,
    ordered: bool,
) {
    let mut report = Report::new(area);
    for case in cases {
        let failure = guarded(|| {
            let db = fresh_db();
            let table = match table_of(&case.req) {
                name if db.describe_table(name).is_ok() => name.to_owned(),
                _ => "hash".to_owned(),
            };
            if let Err(e) = load(&db, &table, &case.setup) {
                return Some(e);
            }
            match (execute(&db, &case.req), &case.expect) {
                (Ok(got), Ok(want)) => check_page(&got, want, ordered),
                (Ok(got), Err(want)) => Some(format!("expected error {want:?}\n      got {got:?}")),
                (Err(error), Ok(want)) => {
                    Some(format!("expected {want:?}\n      got error {error}"))
                }
                (Err(error), Err(want)) => compare::<()>(Err(error), &Err(want.clone())),
            }
        });
        report.record(case.name, failure);
    }
    report.finish();
}

/// Runs a table of Query cases (items compared in order).
pub(super) fn run_queries(area: &'static str, cases: Vec<QueryCase>) {
    run_pages(
        area,
        cases,
        |r| &r.table_name,
        |db, r| db.query(&filled_query(r)),
        true,
    );
}

/// `request` with its placeholders filled from the palette (unless given).
pub(super) fn filled_query(request: &QueryRequest) -> QueryRequest {
    let mut r = request.clone();
    let texts = [
        r.key_condition_expression.as_deref(),
        r.filter_expression.as_deref(),
        r.projection_expression.as_deref(),
    ];
    r.expression_attribute_names =
        auto_names(&r.expression_attribute_names, texts.into_iter().flatten());
    r.expression_attribute_values =
        auto_values(&r.expression_attribute_values, texts.into_iter().flatten());
    r
}

/// `request` with its placeholders filled from the palette (unless given).
pub(super) fn filled_scan(request: &ScanRequest) -> ScanRequest {
    let mut r = request.clone();
    let texts = [
        r.filter_expression.as_deref(),
        r.projection_expression.as_deref(),
    ];
    r.expression_attribute_names =
        auto_names(&r.expression_attribute_names, texts.into_iter().flatten());
    r.expression_attribute_values =
        auto_values(&r.expression_attribute_values, texts.into_iter().flatten());
    r
}

/// Runs a table of Scan cases (items compared in any order).
pub(super) fn run_scans(area: &'static str, cases: Vec<ScanCase>) {
    run_pages(
        area,
        cases,
        |r| &r.table_name,
        |db, r| db.scan(&filled_scan(r)),
        false,
    );
}

// ----- scenarios ---------------------------------------------------------

/// Runs a table of scenarios.
pub(super) fn run_scenarios(area: &'static str, cases: Vec<Scenario>) {
    let mut report = Report::new(area);
    for case in cases {
        let failure = guarded(|| {
            let db = fresh_db();
            if let Err(e) = load(&db, case.table, &case.setup) {
                return Some(e);
            }
            (case.check)(&db).err()
        });
        report.record(case.name, failure);
    }
    report.finish();
}
