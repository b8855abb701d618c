//! The DynamoDB JSON API against the real AWS clients (issue 7, Deliver 5
//! and Acceptance 1): the Python suite in `tests/dynamodb_clients/`
//! (boto3/botocore, the AWS CLI, raw HTTP) run against an in-process
//! server (and, for its SigV4 tests, a second one with `--auth`), and a kill -9 test in which a boto3 writer's acknowledged
//! PutItems all survive SIGKILLs of the `dynacore serve` binary under
//! `--durability sync`.
//!
//! The clients are Python packages (`tests/dynamodb_clients/requirements.txt`).
//! Without them each test prints a loud SKIPPED line and passes, unless
//! `DYNACORE_REQUIRE_DYNAMODB_CLIENTS=1` (CI sets it), when it fails with
//! the install command.
#![allow(clippy::disallowed_methods)] // Real processes, real time, temp dirs.

#[allow(dead_code)] // Each binary uses a subset of the shared helpers.
mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::wire::start;

const BIN: &str = env!("CARGO_BIN_EXE_dynacore");
const SUITE_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/dynamodb_clients");
const INSTALL_HINT: &str = "pip install -r server/tests/dynamodb_clients/requirements.txt";
/// The whole Python suite is meant to take well under a minute; this only
/// stops a hung run from hanging `cargo test`.
const SUITE_TIMEOUT: Duration = Duration::from_secs(300);
/// How long each kill -9 cycle writes before the SIGKILL.
const WRITE_BEFORE_KILL: Duration = Duration::from_secs(2);
const KILL_CYCLES: usize = 2;

/// Whether the clients are there; if not, fails the test when they are
/// required, and otherwise says loudly that it is skipping.
fn clients_available(what: &str, available: bool) -> bool {
    if available {
        return true;
    }
    let required = std::env::var("DYNACORE_REQUIRE_DYNAMODB_CLIENTS").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "{what} is not installed and DYNACORE_REQUIRE_DYNAMODB_CLIENTS=1: run `{INSTALL_HINT}`"
    );
    // Straight to the process's stderr: the test harness captures
    // eprintln! of a passing test, and this line must be seen.
    let _ = writeln!(
        std::io::stderr(),
        "\n**** SKIPPED: {what} is not installed, so the DynamoDB client tests did not run. \
         Run `{INSTALL_HINT}` (CI sets DYNACORE_REQUIRE_DYNAMODB_CLIENTS=1 to make this fatal). ****\n"
    );
    false
}

fn boto3_available() -> bool {
    Command::new("python3")
        .args(["-c", "import boto3, botocore"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

fn aws_cli_available() -> bool {
    Command::new("aws")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// A `python3` command for a file of the suite, keeping `__pycache__` out
/// of the source tree.
fn python() -> Command {
    let mut command = Command::new("python3");
    command
        .current_dir(SUITE_DIR)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("PYTHONUNBUFFERED", "1");
    command
}

/// Every line `reader` yields, sent on as it arrives (so a child's pipe
/// never fills while the test waits on something else).
fn forward_lines(reader: impl Read + Send + 'static) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(reader).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Waits for `child` until `timeout`; kills it (and fails) past that.
fn wait_with_timeout(child: &mut Child, timeout: Duration, what: &str) -> ExitStatus {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} did not finish within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs the child to completion, returning its status and everything it
/// printed (stdout and stderr interleaved by line arrival).
fn run_to_end(mut command: Command, timeout: Duration, what: &str) -> (ExitStatus, String) {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {what}: {e}"));
    let stdout = forward_lines(child.stdout.take().expect("stdout"));
    let stderr = forward_lines(child.stderr.take().expect("stderr"));
    let status = wait_with_timeout(&mut child, timeout, what);
    let mut output = String::new();
    for line in stdout.iter().chain(stderr.iter()) {
        output.push_str(&line);
        output.push('\n');
    }
    (status, output)
}

#[test]
fn the_python_client_suite_passes_against_an_in_process_server() {
    if !clients_available("boto3 (python3 -c 'import boto3')", boto3_available()) {
        return;
    }
    // The suite's AWS CLI tests skip themselves without `aws`; when the
    // clients are required, a missing CLI is a failure here instead.
    clients_available("the AWS CLI (aws --version)", aws_cli_available());
    let server = start("dynamodb-clients", 2, |config| {
        config.dynamodb_listen = Some("127.0.0.1:0".parse().unwrap());
    });
    let addr = server.dynamodb_addr().expect("the DynamoDB listener is on");
    // A second server that verifies signatures (--auth), for
    // test_sigv4_auth.py; the key is support.py's ACCESS_KEY_ID/SECRET.
    let auth_dir = tempdir("dynamodb-clients-auth");
    let auth_file = auth_dir.join("credentials");
    std::fs::write(
        &auth_file,
        "# support.py's key\nAKIDDYNACORETEST dynacore-test-secret\n",
    )
    .expect("write the --auth file");
    let auth_server = start("dynamodb-clients-auth", 1, |config| {
        config.dynamodb_listen = Some("127.0.0.1:0".parse().unwrap());
        config.auth = Some(auth_file.clone());
    });
    let auth_addr = auth_server
        .dynamodb_addr()
        .expect("the DynamoDB listener is on");
    let mut command = python();
    command
        .args([
            "-m",
            "unittest",
            "discover",
            "-s",
            ".",
            "-p",
            "test_*.py",
            "-v",
        ])
        .env("DYNACORE_DYNAMODB_ENDPOINT", format!("http://{addr}"))
        .env(
            "DYNACORE_DYNAMODB_AUTH_ENDPOINT",
            format!("http://{auth_addr}"),
        );
    let started = Instant::now();
    let (status, output) = run_to_end(command, SUITE_TIMEOUT, "the Python client suite");
    eprintln!("{output}");
    // unittest's closing lines ("Ran N tests", "OK (skipped=...)") go
    // straight to stderr, so that skips and expected failures are seen in
    // a passing run too (the harness captures eprintln! unless --nocapture).
    let summary: Vec<&str> = output
        .lines()
        .filter(|line| {
            line.starts_with("Ran ") || line.starts_with("OK") || line.starts_with("FAILED")
        })
        .collect();
    let _ = writeln!(
        std::io::stderr(),
        "python client suite ({status}, {:.1?}): {}",
        started.elapsed(),
        summary.join("; ")
    );
    assert!(
        status.success(),
        "the Python client suite failed ({status}); its output is above"
    );
    server.shutdown().unwrap();
    auth_server.shutdown().unwrap();
    let _ = std::fs::remove_dir_all(&auth_dir);
}

/// A `dynacore serve` child on 127.0.0.1 with every port chosen by the
/// kernel; SIGKILLed when dropped.
struct ServerProcess {
    child: Child,
    /// `http://ADDR` of its DynamoDB listener, from its start-up lines.
    dynamodb_url: String,
}

impl ServerProcess {
    fn start(data: &Path) -> ServerProcess {
        let mut child = Command::new(BIN)
            .args(["serve", "--data"])
            .arg(data)
            .args(["--listen", "127.0.0.1:0", "--shards", "2"])
            .args(["--durability", "sync", "--metrics-listen", "off"])
            .args(["--dynamodb-listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn dynacore serve");
        let lines = forward_lines(child.stderr.take().expect("stderr"));
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut seen = String::new();
        let dynamodb_url = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match lines.recv_timeout(left) {
                Ok(line) => {
                    if let Some(url) = line.trim().strip_prefix("DynamoDB API: ") {
                        break url.to_owned();
                    }
                    seen.push_str(&line);
                    seen.push('\n');
                }
                Err(_) => {
                    let _ = child.kill();
                    panic!("dynacore serve did not print its DynamoDB address in 30 s:\n{seen}");
                }
            }
        };
        assert!(dynamodb_url.starts_with("http://"), "{dynamodb_url}");
        // Keep draining its stderr so that it can never block on it.
        std::thread::spawn(move || for _ in lines {});
        ServerProcess {
            child,
            dynamodb_url,
        }
    }

    fn kill(&mut self) {
        let _ = self.child.kill(); // SIGKILL
        let _ = self.child.wait();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

fn tempdir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dynacore-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn acknowledged_count(path: &Path) -> usize {
    std::fs::read_to_string(path)
        .map(|text| text.lines().filter(|l| !l.trim().is_empty()).count())
        .unwrap_or(0)
}

fn kill9_writer(mode: &str, url: &str, acked: &Path) -> Command {
    let mut command = python();
    command
        .args([
            "kill9_writer.py",
            mode,
            "--endpoint",
            url,
            "--table",
            "kill9",
        ])
        .arg("--acked")
        .arg(acked)
        .args(["--max-seconds", "60"]);
    command
}

#[test]
fn a_sigkill_loses_no_write_a_boto3_client_saw_acknowledged() {
    if !clients_available("boto3 (python3 -c 'import boto3')", boto3_available()) {
        return;
    }
    let dir = tempdir("dynamodb-kill9");
    let data = dir.join("data");
    let acked = dir.join("acknowledged.txt");
    let mut server = ServerProcess::start(&data);
    for cycle in 0..KILL_CYCLES {
        let before = acknowledged_count(&acked);
        let mut writer = kill9_writer("write", &server.dynamodb_url, &acked)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn kill9_writer.py write");
        let stdout = forward_lines(writer.stdout.take().expect("stdout"));
        let stderr = forward_lines(writer.stderr.take().expect("stderr"));
        // Time the kill from the writer's first PutItem, not its start-up.
        match stdout.recv_timeout(Duration::from_secs(30)) {
            Ok(line) if line == "writing" => {}
            other => {
                let _ = writer.kill();
                let errors: Vec<String> = stderr.try_iter().collect();
                panic!(
                    "cycle {cycle}: the writer did not start: {other:?}\n{}",
                    errors.join("\n")
                );
            }
        }
        std::thread::sleep(WRITE_BEFORE_KILL);
        server.kill();
        let status = wait_with_timeout(&mut writer, Duration::from_secs(30), "the writer");
        let said: Vec<String> = stdout.iter().chain(stderr.iter()).collect();
        eprintln!("cycle {cycle}: writer: {}", said.join(" | "));
        assert!(
            status.success(),
            "cycle {cycle}: the writer failed: {status}"
        );
        let total = acknowledged_count(&acked);
        assert!(
            total > before,
            "cycle {cycle}: no write was acknowledged in {WRITE_BEFORE_KILL:?}"
        );

        server = ServerProcess::start(&data);
        let (status, output) = run_to_end(
            kill9_writer("verify", &server.dynamodb_url, &acked),
            Duration::from_secs(120),
            "the verifier",
        );
        eprintln!("cycle {cycle}: verifier: {}", output.trim());
        assert!(
            status.success(),
            "cycle {cycle}: an acknowledged write was lost after SIGKILL:\n{output}"
        );
        eprintln!(
            "cycle {cycle}: {} writes acknowledged before the kill, all {total} present after the restart",
            total - before
        );
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
