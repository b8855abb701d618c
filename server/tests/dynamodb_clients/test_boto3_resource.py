"""boto3's resource API, the way most Python applications use DynamoDB:
Table objects with Python values (Decimal, sets, Binary), batch_writer,
and query/scan with boto3.dynamodb.conditions."""

import decimal
import unittest

from boto3.dynamodb.conditions import Attr, Key
from boto3.dynamodb.types import Binary

from support import DynamoTestCase, resource, unique_name


class ResourceApiTests(DynamoTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dynamodb = resource()

    def make_table(self, stem):
        name = unique_name(stem)
        table = self.dynamodb.create_table(
            TableName=name,
            AttributeDefinitions=[
                {"AttributeName": "user", "AttributeType": "S"},
                {"AttributeName": "seq", "AttributeType": "N"},
            ],
            KeySchema=[
                {"AttributeName": "user", "KeyType": "HASH"},
                {"AttributeName": "seq", "KeyType": "RANGE"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        self._tables.append(name)
        table.wait_until_exists()
        return table

    def test_put_and_get_python_values(self):
        table = self.make_table("resput")
        item = {
            "user": "ada",
            "seq": 1,
            "name": "Ada Lovelace",
            "score": decimal.Decimal("99.5"),
            "big": decimal.Decimal("123456789012345678901234567890"),
            "active": True,
            "nothing": None,
            "blob": Binary(b"\x00\x01\xfe\xff"),
            "tags": {"math", "poetry"},
            "lucky": {decimal.Decimal(3), decimal.Decimal(7)},
            "blobs": {Binary(b"a"), Binary(b"b")},
            "nested": {"list": [1, "two", {"three": [decimal.Decimal("3.0")]}], "empty": {}},
        }
        table.put_item(Item=item)
        got = table.get_item(Key={"user": "ada", "seq": 1}, ConsistentRead=True)["Item"]
        expected = dict(item)
        expected["nested"] = {"list": [decimal.Decimal(1), "two", {"three": [decimal.Decimal(3)]}], "empty": {}}
        self.assertEqual(got, expected)
        self.assertEqual(table.item_count, 1)
        self.assertEqual(table.table_status, "ACTIVE")

    def test_update_and_delete_with_conditions(self):
        table = self.make_table("resupd")
        table.put_item(Item={"user": "bob", "seq": 1, "visits": 1})
        response = table.update_item(
            Key={"user": "bob", "seq": 1},
            UpdateExpression="SET visits = visits + :one ADD badges :b",
            ConditionExpression=Attr("visits").gte(1),
            ExpressionAttributeValues={":one": 1, ":b": {"first"}},
            ReturnValues="ALL_NEW",
        )
        self.assertEqual(response["Attributes"]["visits"], 2)
        self.assertEqual(response["Attributes"]["badges"], {"first"})
        with self.assertRaises(table.meta.client.exceptions.ConditionalCheckFailedException):
            table.delete_item(Key={"user": "bob", "seq": 1}, ConditionExpression=Attr("visits").lt(2))
        table.delete_item(Key={"user": "bob", "seq": 1}, ConditionExpression=Attr("visits").eq(2))
        self.assertNotIn("Item", table.get_item(Key={"user": "bob", "seq": 1}))

    def test_batch_writer_writes_more_than_one_batch(self):
        table = self.make_table("reswriter")
        with table.batch_writer() as writer:
            for seq in range(60):
                writer.put_item(Item={"user": "carol", "seq": seq, "payload": "x" * 100})
            writer.delete_item(Key={"user": "carol", "seq": 0})
        # overwrite_by_pkeys drops the duplicate before it reaches the server.
        with table.batch_writer(overwrite_by_pkeys=["user", "seq"]) as writer:
            writer.put_item(Item={"user": "dave", "seq": 1, "v": "first"})
            writer.put_item(Item={"user": "dave", "seq": 1, "v": "second"})
        items = []
        kwargs = {}
        while True:
            page = table.scan(**kwargs)
            items.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        carol = sorted(int(i["seq"]) for i in items if i["user"] == "carol")
        self.assertEqual(carol, list(range(1, 60)))
        dave = [i for i in items if i["user"] == "dave"]
        self.assertEqual(dave, [{"user": "dave", "seq": 1, "v": "second"}])

    def test_query_with_key_conditions_and_filters(self):
        table = self.make_table("resquery")
        with table.batch_writer() as writer:
            for seq in range(30):
                writer.put_item(Item={"user": "erin", "seq": seq, "kind": "even" if seq % 2 == 0 else "odd"})
            writer.put_item(Item={"user": "frank", "seq": 5, "kind": "odd"})
        page = table.query(KeyConditionExpression=Key("user").eq("erin") & Key("seq").between(10, 14))
        self.assertEqual([int(i["seq"]) for i in page["Items"]], [10, 11, 12, 13, 14])
        page = table.query(
            KeyConditionExpression=Key("user").eq("erin") & Key("seq").gt(20),
            FilterExpression=Attr("kind").eq("odd"),
            ScanIndexForward=False,
        )
        self.assertEqual([int(i["seq"]) for i in page["Items"]], [29, 27, 25, 23, 21])
        self.assertEqual(page["ScannedCount"], 9)
        page = table.query(
            KeyConditionExpression=Key("user").eq("erin") & Key("seq").lte(3),
            ProjectionExpression="seq",
        )
        self.assertEqual(page["Items"], [{"seq": 0}, {"seq": 1}, {"seq": 2}, {"seq": 3}])
        # Paging by hand with the resource API's Decimal keys.
        seen = []
        kwargs = {"KeyConditionExpression": Key("user").eq("erin"), "Limit": 7}
        while True:
            page = table.query(**kwargs)
            seen.extend(int(i["seq"]) for i in page["Items"])
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        self.assertEqual(seen, list(range(30)))
        page = table.scan(FilterExpression=Attr("user").eq("frank") | Attr("seq").eq(0))
        self.assertEqual(sorted((i["user"], int(i["seq"])) for i in page["Items"]), [("erin", 0), ("frank", 5)])
        page = table.scan(FilterExpression=Attr("kind").begins_with("ev") & Attr("seq").is_in([2, 4, 5]))
        self.assertEqual(sorted(int(i["seq"]) for i in page["Items"]), [2, 4])

    def test_resource_collections_and_table_attributes(self):
        table = self.make_table("rescoll")
        names = [t.name for t in self.dynamodb.tables.all()]
        self.assertIn(table.name, names)
        self.assertEqual(
            table.key_schema,
            [{"AttributeName": "user", "KeyType": "HASH"}, {"AttributeName": "seq", "KeyType": "RANGE"}],
        )
        self.assertTrue(table.table_arn.endswith(":table/" + table.name))
        table.delete()
        self._tables.remove(table.name)
        table.wait_until_not_exists()


if __name__ == "__main__":
    unittest.main()
