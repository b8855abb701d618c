//! The real `dynacore` binary as a process: the CLI against `dynacore serve`,
//! and a SIGKILL of the server during a `sync` write load, after which every
//! write the client saw acknowledged is there.
#![allow(clippy::disallowed_methods)] // Real processes, real time, temp dirs.

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dynacore::{AttributeValue, GetItemRequest, Item, PutItemRequest};
use dynacore_server::client::{Client, ClientError};

const BIN: &str = env!("CARGO_BIN_EXE_dynacore");

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// A `dynacore serve` child process; killed (SIGKILL) when dropped.
struct ServerProcess {
    child: Child,
    addr: String,
}

impl ServerProcess {
    fn start(data: &Path, shards: usize, durability: &str) -> ServerProcess {
        let addr = format!("127.0.0.1:{}", free_port());
        let child = Command::new(BIN)
            .args(["serve", "--data"])
            .arg(data)
            .args(["--listen", &addr, "--shards", &shards.to_string()])
            .args([
                "--durability",
                durability,
                "--metrics-listen",
                "127.0.0.1:0",
                "--dynamodb-listen",
                "127.0.0.1:0",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn dynacore serve");
        let mut server = ServerProcess { child, addr };
        server.wait_until_serving();
        server
    }

    fn wait_until_serving(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                panic!("dynacore serve exited early: {status}");
            }
            if Client::connect(&self.addr).is_ok() {
                return;
            }
            assert!(Instant::now() < deadline, "server did not start in 30 s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

fn cli(addr: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .args(["--endpoint", addr])
        .output()
        .expect("run dynacore CLI")
}

fn stdout_json(output: &Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "CLI failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "CLI output is not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

#[test]
fn the_cli_drives_every_operation_against_a_real_server() {
    let dir = tempdir("cli");
    let server = ServerProcess::start(&dir, 2, "sync");
    let addr = server.addr.as_str();

    let created = stdout_json(&cli(
        addr,
        &[
            "create-table",
            "--table-name",
            "music",
            "--partition-key",
            "artist:S",
            "--sort-key",
            "song:S",
        ],
    ));
    assert_eq!(
        created["TableDescription"]["TableName"], "music",
        "{created}"
    );

    for (song, year) in [("a", "1990"), ("b", "1991"), ("c", "1992")] {
        let item = format!(
            r#"{{"artist": {{"S": "x"}}, "song": {{"S": "{song}"}}, "year": {{"N": "{year}"}}}}"#
        );
        stdout_or_empty(&cli(
            addr,
            &["put", "--table-name", "music", "--item", &item],
        ));
    }
    let key = r#"{"artist": {"S": "x"}, "song": {"S": "b"}}"#;
    let got = stdout_json(&cli(addr, &["get", "--table-name", "music", "--key", key]));
    assert_eq!(got["Item"]["year"]["N"], "1991", "{got}");

    let updated = stdout_json(&cli(
        addr,
        &[
            "update",
            "--table-name",
            "music",
            "--key",
            key,
            "--update-expression",
            "SET #y = #y + :one",
            "--expression-attribute-names",
            r##"{"#y": "year"}"##,
            "--expression-attribute-values",
            r#"{":one": {"N": "1"}}"#,
            "--return-values",
            "ALL_NEW",
        ],
    ));
    assert_eq!(updated["Attributes"]["year"]["N"], "1992", "{updated}");

    let queried = stdout_json(&cli(
        addr,
        &[
            "query",
            "--table-name",
            "music",
            "--key-condition-expression",
            "artist = :a AND song > :s",
            "--expression-attribute-values",
            r#"{":a": {"S": "x"}, ":s": {"S": "a"}}"#,
        ],
    ));
    assert_eq!(queried["Count"], 2, "{queried}");

    let scanned = stdout_json(&cli(addr, &["scan", "--table-name", "music"]));
    assert_eq!(scanned["Count"], 3, "{scanned}");

    let described = stdout_json(&cli(addr, &["describe", "--table-name", "music"]));
    assert_eq!(described["Table"]["ItemCount"], 3, "{described}");

    let listed = stdout_json(&cli(addr, &["list-tables"]));
    assert_eq!(
        listed["TableNames"],
        serde_json::json!(["music"]),
        "{listed}"
    );

    // A failed condition is one line on stderr and exit status 1.
    let refused = cli(
        addr,
        &[
            "put",
            "--table-name",
            "music",
            "--item",
            key,
            "--condition-expression",
            "attribute_not_exists(song)",
        ],
    );
    assert_eq!(refused.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("ConditionalCheckFailedException: The conditional request failed"),
        "{stderr}"
    );

    stdout_or_empty(&cli(
        addr,
        &["delete", "--table-name", "music", "--key", key],
    ));
    let gone = stdout_json(&cli(addr, &["get", "--table-name", "music", "--key", key]));
    assert!(gone.get("Item").is_none(), "{gone}");

    let stats = cli(addr, &["stats"]);
    assert!(stats.status.success());
    let text = String::from_utf8_lossy(&stats.stdout);
    assert!(text.contains("dynacore_requests_total"), "{text}");

    // A bad item is a clear error, not a panic.
    let bad = cli(
        addr,
        &["put", "--table-name", "music", "--item", "{\"artist\": 1}"],
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(!String::from_utf8_lossy(&bad.stderr).contains("panicked"));
}

/// Success, with or without JSON on stdout.
fn stdout_or_empty(output: &Output) {
    assert!(
        output.status.success(),
        "CLI failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "dynacore-server-{name}-{}-{}",
        std::process::id(),
        Instant::now().elapsed().as_nanos()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn item(id: u64, writer: usize) -> Item {
    BTreeMap::from([
        (
            "pk".to_owned(),
            AttributeValue::S(format!("w{writer}-{id}")),
        ),
        ("v".to_owned(), AttributeValue::S("x".repeat(100))),
    ])
}

/// Writers put items as fast as they are acknowledged until `stop`; each
/// returns the ids acknowledged to it.
fn write_until_killed(client: &Client, writer: usize, stop: &AtomicBool) -> Vec<u64> {
    let mut acknowledged = Vec::new();
    let mut id = 0;
    while !stop.load(Ordering::Relaxed) {
        let request = PutItemRequest {
            table_name: "tbl".into(),
            item: item(id, writer),
            ..PutItemRequest::default()
        };
        match client.put_item(request) {
            Ok(_) => acknowledged.push(id),
            // The kill: connections break; nothing after this is acknowledged.
            Err(ClientError::Io(_) | ClientError::Closed | ClientError::Timeout) => break,
            Err(ClientError::Protocol(_)) => break,
            Err(e) => panic!("unexpected error during the load: {e}"),
        }
        id += 1;
    }
    acknowledged
}

#[test]
fn a_sigkill_during_a_sync_write_load_loses_no_acknowledged_write() {
    let dir = tempdir("kill");
    let mut server = ServerProcess::start(&dir, 2, "sync");
    let client = Client::connect(&server.addr).expect("connect");
    client
        .create_table(dynacore::CreateTableRequest::pay_per_request(
            "tbl",
            &dynacore::TableSchema::partition_only(dynacore::KeyAttribute::new(
                "pk",
                dynacore::KeyType::S,
            )),
        ))
        .expect("create table");
    drop(client);

    let cycles = 3;
    let writers = 4;
    let mut all_acknowledged: Vec<Vec<u64>> = vec![Vec::new(); writers];
    for cycle in 0..cycles {
        let client = Client::connect(&server.addr).expect("connect");
        let stop = Arc::new(AtomicBool::new(false));
        let acknowledged = Arc::new(Mutex::new(Vec::new()));
        std::thread::scope(|scope| {
            for writer in 0..writers {
                let (client, stop, acknowledged) = (&client, &stop, &acknowledged);
                // Each cycle's writers use fresh ids: offset by the cycle.
                scope.spawn(move || {
                    let ids = write_until_killed(client, writer + cycle * writers, stop);
                    acknowledged
                        .lock()
                        .unwrap()
                        .push((writer + cycle * writers, ids));
                });
            }
            std::thread::sleep(Duration::from_millis(400));
            server.kill();
            stop.store(true, Ordering::Relaxed);
        });
        let acknowledged = Arc::try_unwrap(acknowledged).unwrap().into_inner().unwrap();
        let total: usize = acknowledged.iter().map(|(_, ids)| ids.len()).sum();
        assert!(
            total > 0,
            "cycle {cycle}: no write was acknowledged before the kill"
        );
        for (writer, ids) in acknowledged {
            if writer >= all_acknowledged.len() {
                all_acknowledged.resize(writer + 1, Vec::new());
            }
            all_acknowledged[writer].extend(ids);
        }
        server = ServerProcess::start(&dir, 2, "sync");
        let client = Client::connect(&server.addr).expect("reconnect");
        for (writer, ids) in all_acknowledged.iter().enumerate() {
            for &id in ids {
                let got = client
                    .get_item(GetItemRequest {
                        table_name: "tbl".into(),
                        key: BTreeMap::from([(
                            "pk".to_owned(),
                            AttributeValue::S(format!("w{writer}-{id}")),
                        )]),
                        ..GetItemRequest::default()
                    })
                    .expect("get after restart");
                assert_eq!(
                    got,
                    Some(item(id, writer)),
                    "cycle {cycle}: acknowledged write w{writer}-{id} lost"
                );
            }
        }
        eprintln!("cycle {cycle}: {total} acknowledged writes, all present after the restart");
    }
}
