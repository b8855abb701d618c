//! `dynacore`: the server binary. The binary protocol and the DynamoDB JSON
//! API arrive with their issues; for now it reports what it is.

fn main() {
    println!(
        "dynacore {}: the network server is not built yet; use the embedded engine (see README.md)",
        env!("CARGO_PKG_VERSION")
    );
}
