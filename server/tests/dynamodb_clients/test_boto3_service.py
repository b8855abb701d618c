"""Service-level behaviour seen by boto3: ReturnConsumedCapacity, the
x-amz-crc32 check botocore makes in legacy retry mode (proved active),
DescribeEndpoints, tags, DescribeLimits, unknown operations, response
headers, and credentials."""

import http.server
import json
import threading
import unittest

import botocore.exceptions
import botocore.retryhandler

from support import (
    CONTENT_TYPE,
    DynamoTestCase,
    client,
    crc32_of,
    error_type,
    raw_call,
    session,
    client_config,
    endpoint_url,
    unique_name,
)


class ConsumedCapacityTests(DynamoTestCase):
    def setUp(self):
        super().setUp()
        self.table = self.new_table("capacity")

    def test_total_capacity_for_small_items_is_dynamodbs(self):
        item = {"pk": {"S": "a"}, "v": {"S": "small"}}
        put = self.ddb.put_item(TableName=self.table, Item=item, ReturnConsumedCapacity="TOTAL")
        self.assertEqual(put["ConsumedCapacity"]["TableName"], self.table)
        # A write of up to 1 KB costs one write unit.
        self.assertEqual(put["ConsumedCapacity"]["CapacityUnits"], 1.0)
        strong = self.ddb.get_item(
            TableName=self.table, Key={"pk": {"S": "a"}}, ConsistentRead=True,
            ReturnConsumedCapacity="TOTAL",
        )
        # A strongly consistent read of up to 4 KB: one read unit;
        # eventually consistent: half of one.
        self.assertEqual(strong["ConsumedCapacity"]["CapacityUnits"], 1.0)
        eventual = self.ddb.get_item(
            TableName=self.table, Key={"pk": {"S": "a"}}, ReturnConsumedCapacity="TOTAL"
        )
        self.assertEqual(eventual["ConsumedCapacity"]["CapacityUnits"], 0.5)
        self.assertEqual(eventual["ConsumedCapacity"]["TableName"], self.table)

    def test_capacity_is_absent_unless_asked_for(self):
        put = self.ddb.put_item(TableName=self.table, Item={"pk": {"S": "a"}})
        self.assertNotIn("ConsumedCapacity", put)
        none = self.ddb.put_item(
            TableName=self.table, Item={"pk": {"S": "a"}}, ReturnConsumedCapacity="NONE"
        )
        self.assertNotIn("ConsumedCapacity", none)

    def test_every_operation_reports_capacity(self):
        key = {"pk": {"S": "a"}}
        big = {"pk": {"S": "big"}, "v": {"S": "x" * 5000}}
        put = self.ddb.put_item(TableName=self.table, Item=big, ReturnConsumedCapacity="TOTAL")
        # 5 KB rounds up to five write units.
        self.assertEqual(put["ConsumedCapacity"]["CapacityUnits"], 5.0)
        calls = {
            "UpdateItem": lambda: self.ddb.update_item(
                TableName=self.table, Key=key, UpdateExpression="SET v = :v",
                ExpressionAttributeValues={":v": {"S": "v"}}, ReturnConsumedCapacity="TOTAL",
            ),
            "DeleteItem": lambda: self.ddb.delete_item(
                TableName=self.table, Key=key, ReturnConsumedCapacity="TOTAL"
            ),
            "Query": lambda: self.ddb.query(
                TableName=self.table, KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": "big"}}, ReturnConsumedCapacity="TOTAL",
            ),
            "Scan": lambda: self.ddb.scan(TableName=self.table, ReturnConsumedCapacity="TOTAL"),
        }
        for name, call in calls.items():
            consumed = call()["ConsumedCapacity"]
            self.assertEqual(consumed["TableName"], self.table, name)
            self.assertGreater(consumed["CapacityUnits"], 0, name)
        batch_write = self.ddb.batch_write_item(
            RequestItems={self.table: [{"PutRequest": {"Item": {"pk": {"S": "b"}}}}]},
            ReturnConsumedCapacity="TOTAL",
        )
        self.assertEqual(
            [(c["TableName"], c["CapacityUnits"]) for c in batch_write["ConsumedCapacity"]],
            [(self.table, 1.0)],
        )
        batch_get = self.ddb.batch_get_item(
            RequestItems={self.table: {"Keys": [{"pk": {"S": "b"}}], "ConsistentRead": True}},
            ReturnConsumedCapacity="TOTAL",
        )
        self.assertEqual(
            [(c["TableName"], c["CapacityUnits"]) for c in batch_get["ConsumedCapacity"]],
            [(self.table, 1.0)],
        )

    def test_reads_are_charged_by_size_as_dynamodb_documents(self):
        # A Query or Scan is charged for the summed size of the items read,
        # rounded up to 4 KB once; BatchGetItem and GetItem per item; a
        # write per 1 KB of the item; a read of a missing item still costs
        # the minimum.
        table = self.new_table("capsize", pk=("pk", "S"), sk=("sk", "N"))
        for index in range(10):
            self.ddb.put_item(
                TableName=table,
                Item={"pk": {"S": "p"}, "sk": {"N": str(index)}, "v": {"S": "x" * 100}},
            )
        query = {
            "TableName": table,
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": {"S": "p"}},
            "ReturnConsumedCapacity": "TOTAL",
        }
        self.assertEqual(self.ddb.query(**query)["ConsumedCapacity"]["CapacityUnits"], 0.5)
        self.assertEqual(
            self.ddb.query(**query, ConsistentRead=True)["ConsumedCapacity"]["CapacityUnits"], 1.0
        )
        scan = self.ddb.scan(TableName=table, ReturnConsumedCapacity="TOTAL")
        self.assertEqual(scan["ConsumedCapacity"]["CapacityUnits"], 0.5)
        batch = self.ddb.batch_get_item(
            RequestItems={table: {"Keys": [{"pk": {"S": "p"}, "sk": {"N": str(i)}} for i in range(10)]}},
            ReturnConsumedCapacity="TOTAL",
        )
        self.assertEqual(batch["ConsumedCapacity"], [{"TableName": table, "CapacityUnits": 5.0}])
        missing = self.ddb.get_item(
            TableName=table, Key={"pk": {"S": "none"}, "sk": {"N": "1"}}, ReturnConsumedCapacity="TOTAL"
        )
        self.assertEqual(missing["ConsumedCapacity"]["CapacityUnits"], 0.5)
        bigger = self.ddb.put_item(
            TableName=table,
            Item={"pk": {"S": "b"}, "sk": {"N": "1"}, "v": {"S": "x" * 1100}},
            ReturnConsumedCapacity="TOTAL",
        )
        self.assertEqual(bigger["ConsumedCapacity"]["CapacityUnits"], 2.0)

    def test_indexes_adds_the_table_breakdown(self):
        put = self.ddb.put_item(
            TableName=self.table, Item={"pk": {"S": "a"}}, ReturnConsumedCapacity="INDEXES"
        )
        self.assertEqual(put["ConsumedCapacity"]["CapacityUnits"], 1.0)
        self.assertEqual(put["ConsumedCapacity"]["Table"]["CapacityUnits"], 1.0)


class _WrongChecksumHandler(http.server.BaseHTTPRequestHandler):
    """Answers every POST with a valid ListTables body and a wrong
    x-amz-crc32, so botocore's check has something to catch."""

    requests_seen = 0

    def do_POST(self):  # noqa: N802 (http.server's naming)
        type(self).requests_seen += 1
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = b'{"TableNames": []}'
        self.send_response(200)
        self.send_header("Content-Type", CONTENT_TYPE)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amz-crc32", str((crc32_of(body) + 1) & 0xFFFFFFFF))
        self.send_header("x-amzn-RequestId", "fake")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Crc32CheckTests(DynamoTestCase):
    def test_the_listener_sends_a_correct_x_amz_crc32_on_every_response(self):
        for operation, body in (
            ("ListTables", {}),
            ("DescribeTable", {"TableName": unique_name("absent")}),
            ("NoSuchOperation", {}),
        ):
            status, headers, data = raw_call(operation, body)
            self.assertIn("x-amz-crc32", headers, (operation, status))
            self.assertEqual(int(headers["x-amz-crc32"]), crc32_of(data), operation)
            self.assertTrue(headers.get("x-amzn-requestid"), operation)
            self.assertTrue(headers.get("content-type", "").startswith(CONTENT_TYPE), headers)

    def test_botocore_checks_the_crc32_of_every_dynamodb_response(self):
        # Spy on botocore's CRC32Checker: with these clients' config (legacy
        # retries) every dynacore response must pass through it with the
        # header present; a response without the header would be skipped.
        seen = []
        original = botocore.retryhandler.CRC32Checker._check_response

        def spy(checker, attempt_number, response):
            seen.append(response[0].headers.get("x-amz-crc32"))
            return original(checker, attempt_number, response)

        botocore.retryhandler.CRC32Checker._check_response = spy
        try:
            ddb = client()
            ddb.list_tables(Limit=1)
            with self.assertRaises(botocore.exceptions.ClientError):
                ddb.describe_table(TableName=unique_name("absent"))
        finally:
            botocore.retryhandler.CRC32Checker._check_response = original
        self.assertEqual(len(seen), 2, seen)
        self.assertTrue(all(header is not None for header in seen), seen)

    def test_a_wrong_crc32_makes_botocore_raise(self):
        # The same client configuration against a server that lies about
        # the checksum: the call must fail, proving the check is live.
        fake = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _WrongChecksumHandler)
        thread = threading.Thread(target=fake.serve_forever, daemon=True)
        thread.start()
        try:
            url = f"http://127.0.0.1:{fake.server_address[1]}"
            with self.assertRaises(botocore.exceptions.ChecksumError):
                client(max_attempts=0, url=url).list_tables()
            # With retries allowed, botocore retries the corrupt response
            # and then gives up with the same error.
            _WrongChecksumHandler.requests_seen = 0
            with self.assertRaises(botocore.exceptions.ChecksumError):
                client(max_attempts=2, url=url).list_tables()
            self.assertEqual(_WrongChecksumHandler.requests_seen, 3)
        finally:
            fake.shutdown()
            fake.server_close()


class ControlPlaneExtrasTests(DynamoTestCase):
    def test_describe_endpoints(self):
        endpoints = self.ddb.describe_endpoints()["Endpoints"]
        self.assertGreaterEqual(len(endpoints), 1)
        for endpoint in endpoints:
            self.assertIsInstance(endpoint["Address"], str)
            self.assertTrue(endpoint["Address"])
            self.assertIsInstance(endpoint["CachePeriodInMinutes"], int)

    def test_describe_limits(self):
        limits = self.ddb.describe_limits()
        for name in (
            "AccountMaxReadCapacityUnits",
            "AccountMaxWriteCapacityUnits",
            "TableMaxReadCapacityUnits",
            "TableMaxWriteCapacityUnits",
        ):
            self.assertIsInstance(limits[name], int, name)
            self.assertGreater(limits[name], 0, name)
        self.assertLessEqual(limits["TableMaxReadCapacityUnits"], limits["AccountMaxReadCapacityUnits"])

    def test_tags_round_trip(self):
        name = self.new_table("tags")
        arn = self.ddb.describe_table(TableName=name)["Table"]["TableArn"]
        self.assertEqual(self.ddb.list_tags_of_resource(ResourceArn=arn).get("Tags", []), [])
        self.ddb.tag_resource(
            ResourceArn=arn,
            Tags=[{"Key": "team", "Value": "storage"}, {"Key": "env", "Value": "test"}],
        )
        tags = self.ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]
        self.assertEqual(
            sorted((t["Key"], t["Value"]) for t in tags), [("env", "test"), ("team", "storage")]
        )
        # Re-tagging a key replaces its value.
        self.ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "prod"}])
        tags = self.ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]
        self.assertEqual(
            sorted((t["Key"], t["Value"]) for t in tags), [("env", "prod"), ("team", "storage")]
        )
        self.ddb.untag_resource(ResourceArn=arn, TagKeys=["team"])
        tags = self.ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]
        self.assertEqual([(t["Key"], t["Value"]) for t in tags], [("env", "prod")])

    def test_tags_of_a_missing_table(self):
        name = self.new_table("tagarn")
        arn = self.ddb.describe_table(TableName=name)["Table"]["TableArn"]
        missing = arn.rsplit("/", 1)[0] + "/" + unique_name("absent")
        self.assert_client_error(
            lambda: self.ddb.list_tags_of_resource(ResourceArn=missing),
            "ResourceNotFoundException",
        )
        self.assert_client_error(
            lambda: self.ddb.tag_resource(ResourceArn=missing, Tags=[{"Key": "k", "Value": "v"}]),
            "ResourceNotFoundException",
        )


class ProtocolTests(DynamoTestCase):
    def test_an_unknown_operation_is_unknown_operation_exception(self):
        status, headers, body = raw_call("FlyToTheMoon", {})
        self.assertEqual(status, 400)
        self.assertEqual(error_type(body), "UnknownOperationException")
        # A target of another service or API version is unknown too.
        for target in ("DynamoDB_20111205.ListTables", "DynamoDBStreams_20120810.ListStreams"):
            status, _, body = raw_call("", {}, headers={"X-Amz-Target": target})
            self.assertEqual(status, 400, target)
            self.assertEqual(error_type(body), "UnknownOperationException", target)

    def test_responses_carry_the_request_id_and_content_type(self):
        response = self.ddb.list_tables(Limit=1)
        metadata = response["ResponseMetadata"]
        self.assertEqual(metadata["HTTPStatusCode"], 200)
        self.assertTrue(metadata["RequestId"])
        headers = metadata["HTTPHeaders"]
        self.assertTrue(headers["content-type"].startswith(CONTENT_TYPE), headers)
        other = self.ddb.list_tables(Limit=1)["ResponseMetadata"]["RequestId"]
        self.assertNotEqual(metadata["RequestId"], other)

    def test_any_credentials_are_accepted(self):
        other = session().client(
            "dynamodb", endpoint_url=endpoint_url(), config=client_config(),
            aws_access_key_id="SOMEONEELSE", aws_secret_access_key="another-secret",
            region_name="eu-west-1",
        )
        other.list_tables(Limit=1)
        # No Authorization header at all.
        status, _, body = raw_call("ListTables", {"Limit": 1})
        self.assertEqual(status, 200, body)
        self.assertIn("TableNames", json.loads(body))

    def test_serialization_errors_for_wrong_json_types(self):
        status, _, body = raw_call("ListTables", {"Limit": "ten"})
        self.assertEqual(status, 400)
        self.assertEqual(error_type(body), "SerializationException")
        status, _, body = raw_call("GetItem", {"TableName": ["list"], "Key": {}})
        self.assertEqual(status, 400)
        self.assertEqual(error_type(body), "SerializationException")


if __name__ == "__main__":
    unittest.main()
