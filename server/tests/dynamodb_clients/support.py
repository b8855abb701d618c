"""Shared helpers for the DynamoDB client suite (issue 7, Deliver 5).

The suite drives a running dynacore server's DynamoDB listener with the
real AWS clients (boto3/botocore and the AWS CLI) and with raw HTTP. The
listener's address comes from DYNACORE_DYNAMODB_ENDPOINT
(``http://127.0.0.1:PORT``); `server/tests/dynamodb_clients.rs` starts a
server and sets it.

Every client is built with ``parameter_validation=False``, so botocore sends
what the test asks for and the server has to refuse bad input itself, and
with legacy retries and no retry attempts, so an error surfaces at once and
botocore's legacy-mode x-amz-crc32 check (botocore/retryhandler.py,
``CRC32Checker``, wired for DynamoDB by data/_retry.json) runs on every
response. Credentials are dummies: the listener accepts any by default.

Tests are independent: each makes its own tables, named by
:func:`unique_name`, so they can run in any order against one server.

Running it:

    pip install -r server/tests/dynamodb_clients/requirements.txt
    cargo test -p dynacore-server --test dynamodb_clients -- --nocapture

or, against a server already running (`dynacore serve --dynamodb-listen
127.0.0.1:8000 ...`):

    cd server/tests/dynamodb_clients
    DYNACORE_DYNAMODB_ENDPOINT=http://127.0.0.1:8000 python3 -m unittest discover -v

Tests marked :func:`known_server_bug` are expected failures naming a server
bug.
"""

import http.client
import itertools
import json
import os
import unittest
import urllib.parse
import zlib

import boto3
import botocore.config
import botocore.exceptions

REGION = "us-east-1"
ACCESS_KEY_ID = "AKIDDYNACORETEST"
SECRET_ACCESS_KEY = "dynacore-test-secret"
TARGET_PREFIX = "DynamoDB_20120810."
CONTENT_TYPE = "application/x-amz-json-1.0"

_names = itertools.count()


def endpoint_url():
    """The listener's URL; the suite cannot run without it."""
    url = os.environ.get("DYNACORE_DYNAMODB_ENDPOINT")
    if not url:
        raise unittest.SkipTest(
            "DYNACORE_DYNAMODB_ENDPOINT is not set (e.g. http://127.0.0.1:8000)"
        )
    return url


def host_port():
    """(host, port) of the listener, for http.client and raw sockets."""
    parsed = urllib.parse.urlparse(endpoint_url())
    return parsed.hostname, parsed.port or 80


def client_config(max_attempts=0, **extra):
    return botocore.config.Config(
        parameter_validation=False,
        retries={"mode": "legacy", "max_attempts": max_attempts},
        connect_timeout=5,
        read_timeout=30,
        **extra,
    )


def session():
    return boto3.session.Session(
        aws_access_key_id=ACCESS_KEY_ID,
        aws_secret_access_key=SECRET_ACCESS_KEY,
        region_name=REGION,
    )


def client(max_attempts=0, url=None):
    """A low-level DynamoDB client on the listener."""
    return session().client(
        "dynamodb",
        endpoint_url=url or endpoint_url(),
        config=client_config(max_attempts),
    )


def resource():
    """boto3's resource API (Table objects) on the listener."""
    return session().resource(
        "dynamodb", endpoint_url=endpoint_url(), config=client_config()
    )


def unique_name(stem):
    """A table name no other test uses (pid and a counter)."""
    return f"pyt-{stem}-{os.getpid()}-{next(_names)}"


def create_table(ddb, name, pk=("pk", "S"), sk=None):
    """A PAY_PER_REQUEST table with partition key `pk` and optional sort
    key `sk`, each a (name, type) pair; returns the CreateTable response."""
    attributes = [{"AttributeName": pk[0], "AttributeType": pk[1]}]
    keys = [{"AttributeName": pk[0], "KeyType": "HASH"}]
    if sk is not None:
        attributes.append({"AttributeName": sk[0], "AttributeType": sk[1]})
        keys.append({"AttributeName": sk[0], "KeyType": "RANGE"})
    return ddb.create_table(
        TableName=name,
        AttributeDefinitions=attributes,
        KeySchema=keys,
        BillingMode="PAY_PER_REQUEST",
    )


def raw_call(operation, body, host_and_port=None, headers=None):
    """POSTs `body` (a dict, or bytes sent as they are) as `operation` on a
    fresh connection; returns (status, headers dict lower-cased, body bytes)."""
    host, port = host_and_port or host_port()
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        all_headers = {
            "Content-Type": CONTENT_TYPE,
            "X-Amz-Target": TARGET_PREFIX + operation,
        }
        all_headers.update(headers or {})
        connection.request("POST", "/", body=payload, headers=all_headers)
        response = connection.getresponse()
        data = response.read()
        return (
            response.status,
            {k.lower(): v for k, v in response.getheaders()},
            data,
        )
    finally:
        connection.close()


def error_type(body):
    """The error name of a DynamoDB JSON error body (`__type` after `#`)."""
    parsed = json.loads(body)
    return parsed["__type"].rsplit("#", 1)[-1]


def crc32_of(body):
    return zlib.crc32(body) & 0xFFFFFFFF


class DynamoTestCase(unittest.TestCase):
    """Base class: a client per test class, helpers for tables and errors,
    and every table a test made deleted afterwards."""

    @classmethod
    def setUpClass(cls):
        cls.ddb = client()

    def setUp(self):
        self._tables = []

    def tearDown(self):
        for name in self._tables:
            try:
                self.ddb.delete_table(TableName=name)
            except botocore.exceptions.ClientError:
                pass

    def new_table(self, stem, pk=("pk", "S"), sk=None):
        name = unique_name(stem)
        create_table(self.ddb, name, pk, sk)
        self._tables.append(name)
        return name

    def assert_client_error(self, call, code, message=None, startswith=None, contains=None):
        """Runs `call()` and checks it fails with DynamoDB error `code`, an
        HTTP 400 (or the status DynamoDB uses), and the message given
        exactly, by prefix or by a substring. Returns the ClientError."""
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            call()
        error = caught.exception.response["Error"]
        self.assertEqual(error["Code"], code, caught.exception.response)
        text = error.get("Message", "")
        if message is not None:
            self.assertEqual(text, message)
        if startswith is not None:
            self.assertTrue(
                text.startswith(startswith), f"{text!r} should start with {startswith!r}"
            )
        if contains is not None:
            self.assertIn(contains, text)
        return caught.exception

    def assert_validation(self, call, message=None, startswith=None, contains=None):
        return self.assert_client_error(
            call, "ValidationException", message, startswith, contains
        )


def known_server_bug(description):
    """Marks a test that fails because of a server bug already reported:
    unittest counts it as an expected failure, and as an error ("unexpected
    success") once the bug is fixed, so the marker cannot outlive the bug.
    `description` says what the server answers instead."""

    def mark(test):
        test.known_server_bug = description
        test.__doc__ = f"Known server bug: {description}"
        return unittest.expectedFailure(test)

    return mark

