//! Exposition validity, histogram merging, and the HTTP endpoint over a real
//! loopback socket.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use dynacore::ids::TableId;
use dynacore::lsm::{LevelStats, LsmCounters};
use dynacore::shard::{GroupCommitStats, LatencySummary, OperationCounts};
use dynacore::{
    CacheCounters, DbStats, Handoff, LsmStats, ShardCacheStats, ShardId, ShardStats,
    TableCacheStats,
};

use super::http::{Route, route};
use super::{CloseReason, CoreMetrics, merged_latency_us, render_prometheus, spawn_http};
use crate::protocol::{ErrorCode, Opcode};

fn db_stats(shard_count: u16) -> DbStats {
    let shards = (0..shard_count)
        .map(|i| {
            let lsm = LsmStats {
                levels: vec![
                    LevelStats {
                        file_count: 2,
                        size_bytes: 4096,
                    },
                    LevelStats {
                        file_count: 1,
                        size_bytes: 1 << 20,
                    },
                ],
                memtable_size_bytes: 1000 + usize::from(i),
                counters: LsmCounters {
                    flush_count: 3,
                    ..Default::default()
                },
                ..Default::default()
            };
            ShardStats {
                shard: ShardId(i),
                cpu: Some(usize::from(i)),
                operations: OperationCounts {
                    gets: 10,
                    write_batches: 5,
                    ..Default::default()
                },
                queue_depth: 0,
                pending_writes: 1,
                group_commit: GroupCommitStats::default(),
                cache: shard_cache(i),
                pending_compaction_bytes: 0,
                fsync_latency: LatencySummary {
                    count: 4,
                    p50_us: 150,
                    p99_us: 400,
                    p999_us: 900,
                    max_us: 1000,
                },
                lsm,
            }
        })
        .collect();
    DbStats {
        io_backend: "io_uring".into(),
        handoff: Handoff::CallerRuns,
        shards,
    }
}

/// Shard `i`'s caches: table 1 with counters 10·(i+1)+k, table 2 with one hit.
fn shard_cache(i: u16) -> ShardCacheStats {
    let base = 10 * (u64::from(i) + 1);
    let first = TableCacheStats {
        table: TableId(1),
        counters: CacheCounters {
            hits: base,
            negative_hits: base + 1,
            misses: base + 2,
            fills: base + 3,
            write_throughs: base + 4,
            evictions: base + 5,
            expirations: base + 6,
            query_hits: base + 7,
            query_misses: base + 8,
            query_stale: base + 9,
            query_evictions: base + 10,
            query_expirations: base + 11,
            not_admitted: base + 12,
            query_not_admitted: base + 13,
        },
        item_bytes_used: 4000,
        item_entries: 40,
        query_bytes_used: 900,
        query_entries: 3,
    };
    let second = TableCacheStats {
        table: TableId(2),
        counters: CacheCounters {
            hits: 1,
            ..CacheCounters::default()
        },
        item_bytes_used: 100,
        item_entries: 1,
        ..TableCacheStats::default()
    };
    let mut counters = first.counters;
    counters.add(&second.counters);
    ShardCacheStats {
        item_budget_bytes: 1 << 20,
        item_bytes_used: 4100,
        item_entries: 41,
        query_budget_bytes: 1 << 16,
        query_bytes_used: 900,
        query_entries: 3,
        counters,
        tables: vec![first, second],
    }
}

/// What `Db::cache_stats_by_table` makes of [`db_stats`]: the tables'
/// figures summed over the shards, by name.
fn cache_by_table(db: &DbStats) -> BTreeMap<String, TableCacheStats> {
    let mut out: BTreeMap<String, TableCacheStats> = BTreeMap::new();
    for shard in &db.shards {
        for table in &shard.cache.tables {
            let name = match table.table {
                TableId(1) => "users",
                _ => "a \"quoted\" table",
            };
            let sum = out
                .entry(name.to_owned())
                .or_insert_with(|| TableCacheStats {
                    table: table.table,
                    ..TableCacheStats::default()
                });
            sum.add(table);
        }
    }
    out
}

/// Renders with the engine statistics of [`db_stats`] and their tables.
fn render(cores: &[CoreMetrics], shard_count: u16) -> String {
    let db = db_stats(shard_count);
    render_prometheus(cores, &db, &cache_by_table(&db))
}

/// Checks the text exposition format: every line is a `# HELP`, a `# TYPE`
/// or a sample `name{labels} value`; every sample's family has HELP and TYPE
/// before it, declared once; names carry the `dynacore_` prefix; no series
/// repeats. Returns the samples by `name{labels}`.
fn check_exposition(text: &str) -> Result<BTreeMap<String, f64>, String> {
    let mut helped = BTreeSet::new();
    let mut typed: BTreeMap<String, String> = BTreeMap::new();
    let mut samples = BTreeMap::new();
    let valid_name = |name: &str| {
        let mut chars = name.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    };
    for (number, line) in text.lines().enumerate() {
        let at = |why: &str| format!("line {}: {why}: {line:?}", number + 1);
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest
                .split_once(' ')
                .ok_or_else(|| at("HELP without text"))?;
            if help.is_empty() || !helped.insert(name.to_string()) {
                return Err(at("empty or repeated HELP"));
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest
                .split_once(' ')
                .ok_or_else(|| at("TYPE without type"))?;
            if !["counter", "gauge", "summary", "histogram", "untyped"].contains(&kind) {
                return Err(at("unknown type"));
            }
            if !helped.contains(name) || typed.insert(name.into(), kind.into()).is_some() {
                return Err(at("TYPE before HELP or repeated"));
            }
            continue;
        }
        if line.starts_with('#') || line.is_empty() {
            return Err(at("unexpected comment or blank line"));
        }
        let (series, value) = line.rsplit_once(' ').ok_or_else(|| at("no value"))?;
        let value: f64 = value.parse().map_err(|_| at("value is not a number"))?;
        let name = match series.split_once('{') {
            None => series,
            Some((name, labels)) => {
                let labels = labels
                    .strip_suffix('}')
                    .ok_or_else(|| at("unclosed labels"))?;
                check_labels(labels).map_err(|why| at(&why))?;
                name
            }
        };
        if !valid_name(name) || !name.starts_with("dynacore_") {
            return Err(at("bad metric name"));
        }
        let family = [
            name,
            name.trim_end_matches("_sum"),
            name.trim_end_matches("_count"),
        ]
        .into_iter()
        .find(|family| {
            typed
                .get(*family)
                .is_some_and(|kind| *family == name || kind == "summary")
        })
        .ok_or_else(|| at("sample before its HELP/TYPE"))?;
        if family == name && typed[family] == "summary" && !series.contains("quantile=") {
            return Err(at("summary sample without a quantile"));
        }
        if samples.insert(series.to_string(), value).is_some() {
            return Err(at("repeated series"));
        }
    }
    Ok(samples)
}

fn check_labels(labels: &str) -> Result<(), String> {
    let mut rest = labels;
    while !rest.is_empty() {
        let (name, after) = rest.split_once("=\"").ok_or("label without =\"")?;
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(format!("bad label name {name:?}"));
        }
        let mut chars = after.char_indices();
        let mut end = None;
        while let Some((i, c)) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => {
                    end = Some(i);
                    break;
                }
                '\n' => return Err("raw newline in a label".into()),
                _ => {}
            }
        }
        let end = end.ok_or("unterminated label value")?;
        rest = &after[end + 1..];
        if let Some(next) = rest.strip_prefix(',') {
            rest = next;
        } else if !rest.is_empty() {
            return Err("labels not separated by commas".into());
        }
    }
    Ok(())
}

fn busy_cores() -> Vec<CoreMetrics> {
    let mut cores = vec![CoreMetrics::new(0), CoreMetrics::new(1)];
    for (i, core) in cores.iter_mut().enumerate() {
        core.connection_opened();
        core.connection_opened();
        core.connection_closed(CloseReason::Idle);
        core.bytes_read(100);
        core.bytes_written(250);
        core.set_gauges(1, 2, 512);
        core.record_forward_executed();
        core.record_frame_error(ErrorCode::Malformed);
        for n in 0..100u64 {
            core.record_request(
                Opcode::GetItem,
                Duration::from_micros(10 + n),
                None,
                n % 4 == 0,
            );
        }
        core.record_request(
            Opcode::PutItem,
            Duration::from_micros(200 * (i as u64 + 1)),
            Some(ErrorCode::ConditionalCheckFailed),
            false,
        );
    }
    cores
}

#[test]
fn render_is_valid_exposition() {
    let text = render(&busy_cores(), 2);
    let samples = check_exposition(&text).unwrap_or_else(|why| panic!("{why}\n{text}"));
    assert_eq!(
        samples[r#"dynacore_requests_total{shard="1",op="GetItem"}"#],
        100.0
    );
    assert_eq!(
        samples[r#"dynacore_request_errors_total{shard="0",op="PutItem",code="ConditionalCheckFailed"}"#],
        1.0
    );
    assert_eq!(
        samples[r#"dynacore_request_latency_seconds_count{op="GetItem"}"#],
        200.0
    );
    // 202 requests, 50 of them forwarded.
    let ratio = samples["dynacore_requests_local_ratio"];
    assert!((ratio - 152.0 / 202.0).abs() < 1e-9, "{ratio}");
    assert_eq!(samples[r#"dynacore_engine_sstables{shard="1"}"#], 3.0);
    assert_eq!(
        samples[r#"dynacore_engine_memtable_bytes{shard="1"}"#],
        1001.0
    );
    assert_eq!(
        samples[r#"dynacore_connections_closed_total{shard="0",reason="idle"}"#],
        1.0
    );
    assert!(
        samples.contains_key(r#"dynacore_engine_info{io_backend="io_uring",handoff="CallerRuns"}"#)
    );
}

#[test]
fn render_has_cache_series_per_shard_and_per_table() {
    let text = render(&busy_cores(), 2);
    let samples = check_exposition(&text).unwrap_or_else(|why| panic!("{why}\n{text}"));
    // Shard 1's table 1 counts from 20, its table 2 adds one hit.
    let counters = [
        ("item_cache_hits_total", 20.0 + 1.0, 10.0 + 20.0),
        ("item_cache_negative_hits_total", 21.0, 11.0 + 21.0),
        ("item_cache_misses_total", 22.0, 12.0 + 22.0),
        ("item_cache_fills_total", 23.0, 13.0 + 23.0),
        ("item_cache_write_throughs_total", 24.0, 14.0 + 24.0),
        ("item_cache_evictions_total", 25.0, 15.0 + 25.0),
        ("item_cache_expirations_total", 26.0, 16.0 + 26.0),
        ("query_cache_hits_total", 27.0, 17.0 + 27.0),
        ("query_cache_misses_total", 28.0, 18.0 + 28.0),
        ("query_cache_stale_total", 29.0, 19.0 + 29.0),
        ("query_cache_evictions_total", 30.0, 20.0 + 30.0),
        ("query_cache_expirations_total", 31.0, 21.0 + 31.0),
        ("item_cache_not_admitted_total", 32.0, 22.0 + 32.0),
        ("query_cache_not_admitted_total", 33.0, 23.0 + 33.0),
    ];
    for (suffix, shard_one, table_users) in counters {
        let shard = format!(r#"dynacore_engine_{suffix}{{shard="1"}}"#);
        assert_eq!(samples.get(&shard), Some(&shard_one), "{shard}");
        let table = format!(r#"dynacore_engine_table_{suffix}{{table="users"}}"#);
        assert_eq!(samples.get(&table), Some(&table_users), "{table}");
        assert!(
            text.contains(&format!("# TYPE dynacore_engine_{suffix} counter\n")),
            "{suffix}"
        );
    }
    for (series, value) in [
        (r#"dynacore_engine_item_cache_bytes{shard="0"}"#, 4100.0),
        (r#"dynacore_engine_item_cache_entries{shard="0"}"#, 41.0),
        (
            r#"dynacore_engine_item_cache_budget_bytes{shard="1"}"#,
            1048576.0,
        ),
        (r#"dynacore_engine_query_cache_bytes{shard="1"}"#, 900.0),
        (r#"dynacore_engine_query_cache_entries{shard="1"}"#, 3.0),
        (
            r#"dynacore_engine_query_cache_budget_bytes{shard="0"}"#,
            65536.0,
        ),
        (
            r#"dynacore_engine_table_item_cache_bytes{table="users"}"#,
            8000.0,
        ),
        (
            r#"dynacore_engine_table_item_cache_entries{table="users"}"#,
            80.0,
        ),
        (
            r#"dynacore_engine_table_query_cache_bytes{table="users"}"#,
            1800.0,
        ),
        (
            r#"dynacore_engine_table_query_cache_entries{table="users"}"#,
            6.0,
        ),
        // The second table's name is escaped in its label.
        (
            r#"dynacore_engine_table_item_cache_hits_total{table="a \"quoted\" table"}"#,
            2.0,
        ),
        (
            r#"dynacore_engine_table_item_cache_bytes{table="a \"quoted\" table"}"#,
            200.0,
        ),
    ] {
        assert_eq!(samples.get(series), Some(&value), "{series}");
    }
    assert!(text.contains("# TYPE dynacore_engine_item_cache_bytes gauge\n"));
    assert!(text.contains("# TYPE dynacore_engine_table_item_cache_entries gauge\n"));
}

#[test]
fn render_with_no_tables_declares_the_table_families() {
    let db = db_stats(1);
    let text = render_prometheus(&[CoreMetrics::new(0)], &db, &BTreeMap::new());
    let samples = check_exposition(&text).unwrap_or_else(|why| panic!("{why}\n{text}"));
    assert!(text.contains("# TYPE dynacore_engine_table_item_cache_hits_total counter\n"));
    assert!(!samples.keys().any(|series| series.contains("table=")));
    assert_eq!(
        samples[r#"dynacore_engine_item_cache_hits_total{shard="0"}"#],
        11.0
    );
}

#[test]
fn render_with_no_traffic_is_valid() {
    let text = render(&[CoreMetrics::new(0)], 1);
    let samples = check_exposition(&text).unwrap_or_else(|why| panic!("{why}\n{text}"));
    assert!(samples["dynacore_requests_local_ratio"].is_nan());
}

#[test]
fn checker_rejects_bad_lines() {
    let good = "# HELP dynacore_x An x.\n# TYPE dynacore_x counter\ndynacore_x{a=\"1\"} 2\n";
    assert!(check_exposition(good).is_ok());
    for bad in [
        "dynacore_x 1\n",
        "# HELP dynacore_x An x.\n# TYPE dynacore_x counter\ndynacore_x{a=\"1} 2\n",
        "# HELP dynacore_x An x.\n# TYPE dynacore_x counter\ndynacore_x two\n",
        "# HELP dynacore_x An x.\n# TYPE dynacore_x counter\ndynacore_x 1\ndynacore_x 1\n",
        "# HELP other An x.\n# TYPE other counter\nother 1\n",
    ] {
        assert!(check_exposition(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn merged_histograms_give_combined_percentiles() {
    let mut fast = CoreMetrics::new(0);
    let mut slow = CoreMetrics::new(1);
    for _ in 0..900 {
        fast.record_request(Opcode::GetItem, Duration::from_micros(100), None, false);
    }
    for _ in 0..100 {
        slow.record_request(Opcode::GetItem, Duration::from_micros(10_000), None, true);
    }
    let merged = merged_latency_us(&[fast.clone(), slow.clone()], Opcode::GetItem).unwrap();
    assert_eq!(merged.len(), 1000);
    let close = |value: u64, expected: u64| value.abs_diff(expected) * 100 <= expected;
    assert!(close(merged.value_at_quantile(0.5), 100));
    // 90% are fast, so the 0.95 quantile falls in the slow core's samples.
    assert!(close(merged.value_at_quantile(0.95), 10_000));
    assert!(close(merged.value_at_quantile(0.999), 10_000));
    // Each core alone says something else.
    let alone = merged_latency_us(&[fast], Opcode::GetItem).unwrap();
    assert!(close(alone.value_at_quantile(0.999), 100));
    assert!(merged_latency_us(&[slow], Opcode::PutItem).is_none());

    let text = render(
        &[CoreMetrics::new(0), {
            let mut core = CoreMetrics::new(1);
            core.record_request(Opcode::Query, Duration::from_millis(3), None, false);
            core
        }],
        2,
    );
    let samples = check_exposition(&text).unwrap();
    let p99 = samples[r#"dynacore_request_latency_seconds{op="Query",quantile="0.99"}"#];
    assert!((p99 - 0.003).abs() < 0.0001, "{p99}");
}

#[test]
fn routes_requests() {
    assert_eq!(route(b"GET /metrics HTTP/1.1\r\nHost: x"), Route::Metrics);
    assert_eq!(route(b"GET /metrics?x=1 HTTP/1.0"), Route::Metrics);
    assert_eq!(route(b"GET / HTTP/1.1"), Route::NotFound);
    assert_eq!(route(b"POST /metrics HTTP/1.1"), Route::NotFound);
    assert_eq!(route(b"GET /metrics"), Route::BadRequest);
    assert_eq!(route(b"GET /metrics HTTP/2 x"), Route::BadRequest);
    assert_eq!(route(b"get /metrics HTTP/1.1"), Route::BadRequest);
    assert_eq!(route(b"\xff\xfe"), Route::BadRequest);
}

fn exchange(address: std::net::SocketAddr, request: &[u8]) -> String {
    let mut stream = TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    stream.write_all(request).unwrap();
    let mut reply = String::new();
    stream.read_to_string(&mut reply).unwrap();
    reply
}

#[test]
fn http_server_answers_metrics_404_and_400() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let scrape: Arc<dyn Fn() -> String + Send + Sync> =
        Arc::new(|| render(&[CoreMetrics::new(0)], 1));
    let server = spawn_http(listener, scrape, stop.clone()).unwrap();

    let reply = exchange(address, b"GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n");
    let (head, body) = reply.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    assert!(
        head.contains("Content-Type: text/plain; version=0.0.4"),
        "{head}"
    );
    assert!(head.contains("Connection: close"), "{head}");
    assert!(
        head.contains(&format!("Content-Length: {}", body.len())),
        "{head}"
    );
    check_exposition(body).unwrap();

    let reply = exchange(address, b"GET /other HTTP/1.1\r\n\r\n");
    assert!(reply.starts_with("HTTP/1.1 404 "), "{reply}");
    let reply = exchange(address, b"garbage\r\n\r\n");
    assert!(reply.starts_with("HTTP/1.1 400 "), "{reply}");
    // A head over the size limit, sent without its end.
    let reply = exchange(address, &vec![b'a'; super::http::REQUEST_BYTES_MAX + 10]);
    assert!(reply.starts_with("HTTP/1.1 400 "), "{reply}");
    // A client that sends half a request and closes gets nothing; the
    // server keeps serving.
    drop(TcpStream::connect(address).unwrap().write_all(b"GET /met"));
    let reply = exchange(address, b"GET /metrics HTTP/1.0\r\n\r\n");
    assert!(reply.starts_with("HTTP/1.1 200 "), "{reply}");

    stop.store(true, Ordering::Release);
    server.join().unwrap();
}
