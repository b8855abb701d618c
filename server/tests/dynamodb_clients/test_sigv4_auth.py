"""SigV4 as botocore and the AWS CLI sign it, against a server started with
`--auth FILE` (the listener's address in DYNACORE_DYNAMODB_AUTH_ENDPOINT;
the file holds support.ACCESS_KEY_ID and support.SECRET_ACCESS_KEY). Real
signatures over real bodies, and DynamoDB's error for each way to get them
wrong. Skipped when no such server is given."""

import datetime
import http.client
import json
import os
import shutil
import subprocess
import tempfile
import unittest
import urllib.parse
from unittest import mock

import boto3
import botocore.auth
import botocore.exceptions

from support import ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY, client_config, error_type, raw_call


def auth_endpoint():
    url = os.environ.get("DYNACORE_DYNAMODB_AUTH_ENDPOINT")
    if not url:
        raise unittest.SkipTest("DYNACORE_DYNAMODB_AUTH_ENDPOINT is not set (a server with --auth)")
    return url


def signed_client(access_key=ACCESS_KEY_ID, secret=SECRET_ACCESS_KEY, region=REGION):
    return boto3.session.Session(
        aws_access_key_id=access_key, aws_secret_access_key=secret, region_name=region
    ).client("dynamodb", endpoint_url=auth_endpoint(), config=client_config())


class SigV4Tests(unittest.TestCase):
    def error_of(self, call):
        with self.assertRaises(botocore.exceptions.ClientError) as caught:
            call()
        return caught.exception.response

    def test_correctly_signed_requests_are_served(self):
        ddb = signed_client()
        name = f"pyt-sigv4-{os.getpid()}"
        ddb.create_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        try:
            # A body with non-ASCII text and binary: the signature covers
            # the body's bytes exactly.
            item = {"pk": {"S": "é𝄞 key"}, "b": {"B": bytes(range(256))}, "s": {"S": "x" * 5000}}
            ddb.put_item(TableName=name, Item=item)
            self.assertEqual(ddb.get_item(TableName=name, Key={"pk": item["pk"]})["Item"], item)
            # Any region name signs for the same endpoint.
            other_region = signed_client(region="eu-central-1")
            self.assertIn(name, other_region.list_tables()["TableNames"])
        finally:
            ddb.delete_table(TableName=name)

    def test_a_wrong_secret_is_invalid_signature(self):
        response = self.error_of(lambda: signed_client(secret="not-the-secret").list_tables())
        self.assertEqual(response["Error"]["Code"], "InvalidSignatureException")
        self.assertTrue(
            response["Error"]["Message"].startswith(
                "The request signature we calculated does not match the signature you provided."
            ),
            response["Error"]["Message"],
        )
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], 400)

    def test_an_unknown_access_key_is_unrecognized_client(self):
        response = self.error_of(lambda: signed_client(access_key="AKIDUNKNOWN").list_tables())
        self.assertEqual(response["Error"]["Code"], "UnrecognizedClientException")
        self.assertEqual(
            response["Error"]["Message"], "The security token included in the request is invalid."
        )
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], 400)

    def test_a_signature_from_twenty_minutes_ago_has_expired(self):
        past = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) - datetime.timedelta(minutes=20)
        with mock.patch.object(botocore.auth, "get_current_datetime", return_value=past):
            response = self.error_of(lambda: signed_client().list_tables())
        self.assertEqual(response["Error"]["Code"], "InvalidSignatureException")
        self.assertTrue(response["Error"]["Message"].startswith("Signature expired: "), response["Error"])

    def test_no_authorization_header_is_missing_authentication_token(self):
        parsed = urllib.parse.urlparse(auth_endpoint())
        status, _, body = raw_call("ListTables", {}, host_and_port=(parsed.hostname, parsed.port))
        self.assertEqual(status, 400, body)
        self.assertEqual(error_type(body), "MissingAuthenticationTokenException")
        self.assertEqual(json.loads(body)["message"], "Request is missing Authentication Token")

    def test_the_health_check_needs_no_signature(self):
        parsed = urllib.parse.urlparse(auth_endpoint())
        connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
        try:
            connection.request("GET", "/")
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        self.assertEqual(response.status, 200, body)
        self.assertTrue(body.startswith(b"healthy"), body)

    def test_the_aws_cli_signs_correctly(self):
        aws = shutil.which("aws")
        if aws is None:
            self.skipTest("the aws CLI is not installed")
        home = tempfile.mkdtemp(prefix="dynacore-awscli-auth-")
        try:
            env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            env.update(
                {
                    "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
                    "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
                    "AWS_DEFAULT_REGION": REGION,
                    "AWS_CONFIG_FILE": os.path.join(home, "config"),
                    "AWS_SHARED_CREDENTIALS_FILE": os.path.join(home, "credentials"),
                    "HOME": home,
                }
            )
            command = [aws, "dynamodb", "list-tables", "--endpoint-url", auth_endpoint(), "--output", "json"]
            result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn("TableNames", json.loads(result.stdout))
            env["AWS_SECRET_ACCESS_KEY"] = "wrong"
            result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
            self.assertNotEqual(result.returncode, 0)
            self.assertIn("InvalidSignatureException", result.stderr)
        finally:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
