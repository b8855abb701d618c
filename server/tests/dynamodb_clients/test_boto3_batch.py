"""BatchWriteItem and BatchGetItem through boto3's low-level client: the
25- and 100-request limits, duplicate keys, missing items, several tables,
and empty UnprocessedItems / UnprocessedKeys."""

import unittest

from support import DynamoTestCase, unique_name


def put(key, **attributes):
    item = {"pk": {"S": key}}
    item.update({name: {"S": value} for name, value in attributes.items()})
    return {"PutRequest": {"Item": item}}


def delete(key):
    return {"DeleteRequest": {"Key": {"pk": {"S": key}}}}


class BatchWriteTests(DynamoTestCase):
    def setUp(self):
        super().setUp()
        self.table = self.new_table("bwrite")

    def keys_in_table(self, table=None):
        items = self.ddb.scan(TableName=table or self.table)["Items"]
        return sorted(item["pk"]["S"] for item in items)

    def test_twenty_five_puts_are_all_processed(self):
        keys = [f"k{i:02d}" for i in range(25)]
        response = self.ddb.batch_write_item(
            RequestItems={self.table: [put(k, v="x") for k in keys]}
        )
        self.assertEqual(response["UnprocessedItems"], {})
        self.assertEqual(self.keys_in_table(), keys)

    def test_puts_and_deletes_over_two_tables(self):
        other = self.new_table("bwrite2")
        self.ddb.put_item(TableName=self.table, Item={"pk": {"S": "old"}})
        response = self.ddb.batch_write_item(
            RequestItems={
                self.table: [put("a"), put("b"), delete("old"), delete("never-there")],
                other: [put("c", note="in the other table")],
            }
        )
        self.assertEqual(response["UnprocessedItems"], {})
        self.assertEqual(self.keys_in_table(), ["a", "b"])
        self.assertEqual(self.keys_in_table(other), ["c"])

    def test_twenty_six_requests_are_a_validation_error(self):
        self.assert_validation(
            lambda: self.ddb.batch_write_item(
                RequestItems={self.table: [put(f"k{i}") for i in range(26)]}
            ),
        )
        self.assertEqual(self.keys_in_table(), [])
        # The limit counts requests over all tables.
        other = self.new_table("bwrite3")
        self.assert_validation(
            lambda: self.ddb.batch_write_item(
                RequestItems={
                    self.table: [put(f"a{i}") for i in range(13)],
                    other: [put(f"b{i}") for i in range(13)],
                }
            ),
        )

    def test_duplicate_keys_are_a_validation_error(self):
        self.assert_validation(
            lambda: self.ddb.batch_write_item(
                RequestItems={self.table: [put("same"), put("same", v="2")]}
            ),
            message="Provided list of item keys contains duplicates",
        )
        self.assert_validation(
            lambda: self.ddb.batch_write_item(
                RequestItems={self.table: [put("same"), delete("same")]}
            ),
            message="Provided list of item keys contains duplicates",
        )
        self.assertEqual(self.keys_in_table(), [])

    def test_invalid_batch_writes(self):
        self.assert_validation(lambda: self.ddb.batch_write_item(RequestItems={}))
        self.assert_validation(
            lambda: self.ddb.batch_write_item(RequestItems={self.table: [{}]})
        )
        self.assert_validation(
            lambda: self.ddb.batch_write_item(
                RequestItems={self.table: [{"PutRequest": {"Item": {"wrong": {"S": "x"}}}}]}
            ),
        )
        self.assert_client_error(
            lambda: self.ddb.batch_write_item(RequestItems={unique_name("none"): [put("a")]}),
            "ResourceNotFoundException",
        )


class BatchGetTests(DynamoTestCase):
    def setUp(self):
        super().setUp()
        self.table = self.new_table("bget")
        self.keys = [f"k{i:03d}" for i in range(100)]
        for start in range(0, 100, 25):
            self.ddb.batch_write_item(
                RequestItems={self.table: [put(k, v=k.upper()) for k in self.keys[start:start + 25]]}
            )

    def test_one_hundred_keys_come_back(self):
        response = self.ddb.batch_get_item(
            RequestItems={self.table: {"Keys": [{"pk": {"S": k}} for k in self.keys]}}
        )
        self.assertEqual(response["UnprocessedKeys"], {})
        items = response["Responses"][self.table]
        self.assertEqual(sorted(i["pk"]["S"] for i in items), self.keys)
        for item in items:
            self.assertEqual(item["v"]["S"], item["pk"]["S"].upper())

    def test_one_hundred_and_one_keys_are_a_validation_error(self):
        keys = [{"pk": {"S": k}} for k in self.keys] + [{"pk": {"S": "extra"}}]
        self.assert_validation(
            lambda: self.ddb.batch_get_item(RequestItems={self.table: {"Keys": keys}}),
            contains="Too many items requested for the BatchGetItem call",
        )

    def test_missing_keys_are_left_out(self):
        response = self.ddb.batch_get_item(
            RequestItems={
                self.table: {
                    "Keys": [{"pk": {"S": "k001"}}, {"pk": {"S": "absent"}}, {"pk": {"S": "k002"}}],
                    "ConsistentRead": True,
                }
            }
        )
        self.assertEqual(response["UnprocessedKeys"], {})
        self.assertEqual(sorted(i["pk"]["S"] for i in response["Responses"][self.table]), ["k001", "k002"])
        only_missing = self.ddb.batch_get_item(
            RequestItems={self.table: {"Keys": [{"pk": {"S": "absent"}}]}}
        )
        self.assertEqual(only_missing["Responses"].get(self.table, []), [])
        self.assertEqual(only_missing["UnprocessedKeys"], {})

    def test_projection_and_several_tables(self):
        other = self.new_table("bget2")
        self.ddb.put_item(TableName=other, Item={"pk": {"S": "o"}, "v": {"S": "O"}, "w": {"S": "W"}})
        response = self.ddb.batch_get_item(
            RequestItems={
                self.table: {"Keys": [{"pk": {"S": "k005"}}], "ProjectionExpression": "#v",
                             "ExpressionAttributeNames": {"#v": "v"}},
                other: {"Keys": [{"pk": {"S": "o"}}]},
            }
        )
        self.assertEqual(response["Responses"][self.table], [{"v": {"S": "K005"}}])
        self.assertEqual(response["Responses"][other], [{"pk": {"S": "o"}, "v": {"S": "O"}, "w": {"S": "W"}}])

    def test_duplicate_and_invalid_keys(self):
        self.assert_validation(
            lambda: self.ddb.batch_get_item(
                RequestItems={self.table: {"Keys": [{"pk": {"S": "a"}}, {"pk": {"S": "a"}}]}}
            ),
            message="Provided list of item keys contains duplicates",
        )
        self.assert_validation(
            lambda: self.ddb.batch_get_item(
                RequestItems={self.table: {"Keys": [{"other": {"S": "a"}}]}}
            ),
            message="The provided key element does not match the schema",
        )
        self.assert_validation(lambda: self.ddb.batch_get_item(RequestItems={}))
        self.assert_client_error(
            lambda: self.ddb.batch_get_item(
                RequestItems={unique_name("none"): {"Keys": [{"pk": {"S": "a"}}]}}
            ),
            "ResourceNotFoundException",
        )

    def test_boto3_batch_get_loop_with_unprocessed_keys_terminates(self):
        # The loop every application writes: retry UnprocessedKeys until
        # none are left. An idle server has none, so one round suffices.
        request = {self.table: {"Keys": [{"pk": {"S": k}} for k in self.keys[:50]]}}
        found = []
        rounds = 0
        while request:
            rounds += 1
            response = self.ddb.batch_get_item(RequestItems=request)
            found.extend(response["Responses"].get(self.table, []))
            request = response["UnprocessedKeys"]
            self.assertLess(rounds, 20)
        self.assertEqual(len(found), 50)


if __name__ == "__main__":
    unittest.main()
