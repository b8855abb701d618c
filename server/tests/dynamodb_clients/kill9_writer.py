#!/usr/bin/env python3
"""The client side of the DynamoDB listener's kill -9 test
(`server/tests/dynamodb_clients.rs`): a boto3 writer that records every
acknowledged write, and a verifier that reads each one back.

    kill9_writer.py write  --endpoint URL --table NAME --acked FILE [--max-seconds S]
    kill9_writer.py verify --endpoint URL --table NAME --acked FILE

`write` creates the table if it is missing, then PutItems keys k000000,
k000001, ... (continuing after the last key already in FILE, so a second
cycle writes fresh keys), appending each key to FILE and flushing only
after the server has acknowledged it (HTTP 200). It stops when the server
goes away (a connection error, or any error: nothing after the kill can be
acknowledged) or after --max-seconds, and prints `acknowledged N`. The file
therefore never names a write the server did not acknowledge; it may miss
one the server made durable but whose acknowledgement was lost, which is
allowed.

`verify` reads every key in FILE with ConsistentRead and checks the item is
exactly what was written; it prints `verified N` and exits 0, or lists what
is missing or wrong and exits 1.

The process itself is never the one killed, so flush() (without fsync) is
enough for the file to hold every acknowledged key.
"""

import argparse
import os
import sys
import time

import boto3
import botocore.config
import botocore.exceptions

PAYLOAD_BYTES = 100


def make_client(endpoint):
    return boto3.session.Session(
        aws_access_key_id="AKIDKILL9", aws_secret_access_key="kill9", region_name="us-east-1"
    ).client(
        "dynamodb",
        endpoint_url=endpoint,
        config=botocore.config.Config(
            parameter_validation=False,
            retries={"mode": "legacy", "max_attempts": 0},
            connect_timeout=2,
            read_timeout=10,
        ),
    )


def key_name(index):
    return f"k{index:06d}"


def item_for(index):
    """The item written for key `index`; the verifier expects exactly it."""
    return {
        "pk": {"S": key_name(index)},
        "n": {"N": str(index)},
        "payload": {"S": (f"{index}-" * PAYLOAD_BYTES)[:PAYLOAD_BYTES]},
    }


def read_acked(path):
    if not os.path.exists(path):
        return []
    with open(path, encoding="ascii") as file:
        return [line.strip() for line in file if line.strip()]


def ensure_table(ddb, table):
    try:
        ddb.create_table(
            TableName=table,
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
    except botocore.exceptions.ClientError as error:
        if error.response["Error"]["Code"] != "ResourceInUseException":
            raise
    ddb.get_waiter("table_exists").wait(TableName=table, WaiterConfig={"Delay": 1, "MaxAttempts": 30})


def write(args):
    ddb = make_client(args.endpoint)
    ensure_table(ddb, args.table)
    acked = read_acked(args.acked)
    index = int(acked[-1][1:]) + 1 if acked else 0
    count = 0
    deadline = time.monotonic() + args.max_seconds
    reason = "time limit"
    with open(args.acked, "a", encoding="ascii") as file:
        # Announce readiness so the driver can time the kill from the
        # first write rather than from process start.
        print("writing", flush=True)
        while time.monotonic() < deadline:
            try:
                ddb.put_item(TableName=args.table, Item=item_for(index))
            except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
                reason = f"{type(error).__name__}: {error}"
                break
            file.write(key_name(index) + "\n")
            file.flush()
            count += 1
            index += 1
    print(f"acknowledged {count} (stopped: {reason})", flush=True)
    return 0


def verify(args):
    ddb = make_client(args.endpoint)
    acked = read_acked(args.acked)
    problems = []
    for key in acked:
        index = int(key[1:])
        got = ddb.get_item(TableName=args.table, Key={"pk": {"S": key}}, ConsistentRead=True)
        if got.get("Item") != item_for(index):
            problems.append(f"{key}: expected {item_for(index)}, got {got.get('Item')}")
    if problems:
        print(f"LOST OR WRONG: {len(problems)} of {len(acked)} acknowledged writes", flush=True)
        for problem in problems[:20]:
            print("  " + problem, flush=True)
        return 1
    print(f"verified {len(acked)}", flush=True)
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=("write", "verify"))
    parser.add_argument("--endpoint", default=os.environ.get("DYNACORE_DYNAMODB_ENDPOINT"))
    parser.add_argument("--table", default="kill9")
    parser.add_argument("--acked", required=True)
    parser.add_argument("--max-seconds", type=float, default=30.0)
    args = parser.parse_args()
    if not args.endpoint:
        parser.error("--endpoint or DYNACORE_DYNAMODB_ENDPOINT is required")
    return write(args) if args.mode == "write" else verify(args)


if __name__ == "__main__":
    sys.exit(main())
