"""Query and Scan through boto3's low-level client: key conditions,
direction, paging in both directions, filters (Count against
ScannedCount), Select=COUNT, and parallel Scan covering a table exactly
once."""

import unittest

from support import DynamoTestCase, create_table, unique_name

PARTITION = "p"
ITEM_COUNT = 20


def sort_key(index):
    return f"item#{index:03d}"


class QueryTests(DynamoTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # One table for the whole class: these tests only read.
        cls.table = unique_name("query")
        create_table(cls.ddb, cls.table, pk=("pk", "S"), sk=("sk", "S"))
        requests = []
        for index in range(ITEM_COUNT):
            requests.append(
                {
                    "PutRequest": {
                        "Item": {
                            "pk": {"S": PARTITION},
                            "sk": {"S": sort_key(index)},
                            "n": {"N": str(index)},
                            "parity": {"S": "even" if index % 2 == 0 else "odd"},
                        }
                    }
                }
            )
        for extra in ("other#a", "other#b"):
            requests.append(
                {"PutRequest": {"Item": {"pk": {"S": PARTITION}, "sk": {"S": extra}, "n": {"N": "-1"}}}}
            )
        # A different partition that no query of PARTITION may return.
        requests.append({"PutRequest": {"Item": {"pk": {"S": "q"}, "sk": {"S": sort_key(0)}}}})
        for start in range(0, len(requests), 25):
            response = cls.ddb.batch_write_item(RequestItems={cls.table: requests[start:start + 25]})
            assert not response["UnprocessedItems"], response

    @classmethod
    def tearDownClass(cls):
        cls.ddb.delete_table(TableName=cls.table)

    def query(self, condition="pk = :p", values=None, **kwargs):
        all_values = {":p": {"S": PARTITION}}
        all_values.update(values or {})
        return self.ddb.query(
            TableName=self.table,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=all_values,
            **kwargs,
        )

    def sort_keys(self, items):
        return [item["sk"]["S"] for item in items]

    def pages(self, limit, **kwargs):
        """Every page of a query with `limit`, following LastEvaluatedKey."""
        pages = []
        start = None
        while True:
            extra = dict(kwargs)
            if start is not None:
                extra["ExclusiveStartKey"] = start
            page = self.query(Limit=limit, **extra)
            pages.append(page)
            self.assertLessEqual(page["Count"], limit)
            start = page.get("LastEvaluatedKey")
            if start is None:
                return pages
            self.assertEqual(set(start), {"pk", "sk"})
            self.assertEqual(start, {"pk": page["Items"][-1]["pk"], "sk": page["Items"][-1]["sk"]})
            self.assertLess(len(pages), 100)

    def test_query_returns_the_partition_in_sort_key_order(self):
        page = self.query()
        expected = sorted([sort_key(i) for i in range(ITEM_COUNT)] + ["other#a", "other#b"])
        self.assertEqual(self.sort_keys(page["Items"]), expected)
        self.assertEqual(page["Count"], ITEM_COUNT + 2)
        self.assertEqual(page["ScannedCount"], ITEM_COUNT + 2)
        self.assertNotIn("LastEvaluatedKey", page)

    def test_scan_index_forward_false_reverses_the_order(self):
        forward = self.sort_keys(self.query(ScanIndexForward=True)["Items"])
        backward = self.sort_keys(self.query(ScanIndexForward=False)["Items"])
        self.assertEqual(backward, list(reversed(forward)))

    def test_paging_forwards_visits_every_item_once_in_order(self):
        pages = self.pages(3)
        keys = [k for page in pages for k in self.sort_keys(page["Items"])]
        self.assertEqual(keys, self.sort_keys(self.query()["Items"]))
        self.assertGreaterEqual(len(pages), 8)

    def test_paging_backwards_visits_every_item_once_in_reverse_order(self):
        pages = self.pages(4, ScanIndexForward=False)
        keys = [k for page in pages for k in self.sort_keys(page["Items"])]
        self.assertEqual(keys, list(reversed(self.sort_keys(self.query()["Items"]))))

    def test_begins_with_and_between_on_the_sort_key(self):
        page = self.query("pk = :p AND begins_with(sk, :prefix)", {":prefix": {"S": "other#"}})
        self.assertEqual(self.sort_keys(page["Items"]), ["other#a", "other#b"])
        page = self.query(
            "pk = :p AND sk BETWEEN :lo AND :hi",
            {":lo": {"S": sort_key(5)}, ":hi": {"S": sort_key(9)}},
        )
        self.assertEqual(self.sort_keys(page["Items"]), [sort_key(i) for i in range(5, 10)])
        page = self.query("pk = :p AND sk > :k", {":k": {"S": sort_key(17)}})
        self.assertEqual(self.sort_keys(page["Items"]), [sort_key(18), sort_key(19), "other#a", "other#b"])
        page = self.query("#p = :p AND #s <= :k", {":k": {"S": sort_key(1)}},
                          ExpressionAttributeNames={"#p": "pk", "#s": "sk"})
        self.assertEqual(self.sort_keys(page["Items"]), [sort_key(0), sort_key(1)])

    def test_paging_a_between_range_backwards(self):
        start = None
        seen = []
        while True:
            kwargs = {"Limit": 2, "ScanIndexForward": False}
            if start:
                kwargs["ExclusiveStartKey"] = start
            page = self.query(
                "pk = :p AND sk BETWEEN :lo AND :hi",
                {":lo": {"S": sort_key(3)}, ":hi": {"S": sort_key(11)}},
                **kwargs,
            )
            seen.extend(self.sort_keys(page["Items"]))
            start = page.get("LastEvaluatedKey")
            if not start:
                break
        self.assertEqual(seen, [sort_key(i) for i in range(11, 2, -1)])

    def test_filter_counts_matches_and_scanned_count_counts_reads(self):
        page = self.query(
            "pk = :p AND begins_with(sk, :prefix)",
            {":prefix": {"S": "item#"}, ":even": {"S": "even"}},
            FilterExpression="parity = :even",
        )
        self.assertEqual(page["Count"], ITEM_COUNT // 2)
        self.assertEqual(page["ScannedCount"], ITEM_COUNT)
        self.assertTrue(all(item["parity"]["S"] == "even" for item in page["Items"]))
        # Limit bounds the items read, before the filter.
        page = self.query(
            FilterExpression="n >= :ten", values={":ten": {"N": "10"}}, Limit=12
        )
        self.assertEqual(page["ScannedCount"], 12)
        self.assertEqual(page["Count"], 2)
        self.assertIn("LastEvaluatedKey", page)

    def test_select_count_returns_only_counts(self):
        page = self.query(Select="COUNT")
        self.assertNotIn("Items", page)
        self.assertEqual(page["Count"], ITEM_COUNT + 2)
        page = self.query(Select="COUNT", FilterExpression="n < :zero", values={":zero": {"N": "0"}})
        self.assertEqual(page["Count"], 2)
        self.assertEqual(page["ScannedCount"], ITEM_COUNT + 2)

    def test_projection_in_a_query(self):
        page = self.query(ProjectionExpression="sk, n", Limit=2)
        self.assertEqual(page["Items"], [
            {"sk": {"S": sort_key(0)}, "n": {"N": "0"}},
            {"sk": {"S": sort_key(1)}, "n": {"N": "1"}},
        ])

    def test_query_validation_errors(self):
        self.assert_validation(
            lambda: self.ddb.query(TableName=self.table),
            message="Either the KeyConditions or KeyConditionExpression parameter must be "
            "specified in the request.",
        )
        self.assert_validation(
            lambda: self.query("sk = :p"),
            message="Query condition missed key schema element: pk",
        )
        self.assert_validation(
            lambda: self.query(FilterExpression="sk = :s", values={":s": {"S": "x"}}),
            message="Filter Expression can only contain non-primary key attributes: "
            "Primary key attribute: sk",
        )
        self.assert_validation(
            lambda: self.query("pk = :p AND n = :n", {":n": {"N": "1"}}),
        )
        self.assert_validation(
            lambda: self.query(Limit=0),
            startswith="1 validation error detected: Value '0' at 'limit' failed to satisfy "
            "constraint: Member must have value greater than or equal to 1",
        )
        self.assert_validation(
            lambda: self.query("pk = :p AND sk > :k", {":k": {"S": sort_key(5)}},
                               ExclusiveStartKey={"pk": {"S": PARTITION}, "sk": {"S": sort_key(1)}}),
            message="The provided starting key does not match the range key predicate",
        )
        self.assert_validation(
            lambda: self.query(ExclusiveStartKey={"pk": {"S": PARTITION}}),
            startswith="The provided starting key is invalid",
        )
        self.assert_validation(
            lambda: self.query("pk = :p AND sk = :n", {":n": {"N": "1"}}),
            message="One or more parameter values were invalid: Condition parameter type "
            "does not match schema type",
        )


class SortOrderTests(DynamoTestCase):
    def ordered(self, key_type, values):
        table = self.new_table("order", pk=("pk", "S"), sk=("sk", key_type))
        for value in values:
            self.ddb.put_item(TableName=table, Item={"pk": {"S": "p"}, "sk": {key_type: value}})
        page = self.ddb.query(
            TableName=table,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "p"}},
        )
        return [item["sk"][key_type] for item in page["Items"]]

    def test_number_sort_keys_order_numerically(self):
        got = self.ordered("N", ["100", "-10", "2", "-1.5", "0", "10", "0.00001", "-100"])
        self.assertEqual(got, ["-100", "-10", "-1.5", "0", "0.00001", "2", "10", "100"])

    def test_binary_sort_keys_order_as_unsigned_bytes(self):
        got = self.ordered("B", [b"\xff", b"\x00", b"\x7f", b"\x80", b"\x00\x01"])
        self.assertEqual(got, [b"\x00", b"\x00\x01", b"\x7f", b"\x80", b"\xff"])

    def test_string_sort_keys_order_by_utf8_bytes(self):
        got = self.ordered("S", ["b", "a", "B", "\u00e9", "z", "ab", "\U0001F600", "\uffff"])
        self.assertEqual(got, ["B", "a", "ab", "b", "z", "\u00e9", "\uffff", "\U0001F600"])


class ScanTests(DynamoTestCase):
    def setUp(self):
        super().setUp()
        self.table = self.new_table("scan")
        self.keys = [f"key-{i:04d}" for i in range(100)]
        for start in range(0, len(self.keys), 25):
            self.ddb.batch_write_item(
                RequestItems={
                    self.table: [
                        {"PutRequest": {"Item": {"pk": {"S": k}, "i": {"N": str(n + start)}}}}
                        for n, k in enumerate(self.keys[start:start + 25])
                    ]
                }
            )

    def scan_all(self, **kwargs):
        items = []
        start = None
        pages = 0
        while True:
            extra = dict(kwargs)
            if start:
                extra["ExclusiveStartKey"] = start
            page = self.ddb.scan(TableName=self.table, **extra)
            pages += 1
            items.extend(page.get("Items", []))
            start = page.get("LastEvaluatedKey")
            if not start:
                return items, pages
            self.assertLess(pages, 1000)

    def test_scan_pages_cover_the_table_once(self):
        items, pages = self.scan_all(Limit=7)
        self.assertEqual(sorted(i["pk"]["S"] for i in items), self.keys)
        self.assertGreaterEqual(pages, 15)

    def test_parallel_scan_segments_cover_everything_exactly_once(self):
        for total in (1, 3, 4, 7):
            seen = []
            for segment in range(total):
                items, _ = self.scan_all(Segment=segment, TotalSegments=total, Limit=9)
                seen.extend(i["pk"]["S"] for i in items)
            self.assertEqual(sorted(seen), self.keys, f"TotalSegments={total}")

    def test_scan_filter_and_select_count(self):
        page = self.ddb.scan(
            TableName=self.table,
            FilterExpression="i < :ten",
            ExpressionAttributeValues={":ten": {"N": "10"}},
        )
        self.assertEqual(page["Count"], 10)
        self.assertEqual(page["ScannedCount"], 100)
        page = self.ddb.scan(TableName=self.table, Select="COUNT")
        self.assertEqual(page["Count"], 100)
        self.assertNotIn("Items", page)

    def test_parallel_scan_validation(self):
        self.assert_validation(
            lambda: self.ddb.scan(TableName=self.table, Segment=0),
            startswith="The TotalSegments parameter is required but was not present in the "
            "request when Segment parameter is present",
        )
        self.assert_validation(
            lambda: self.ddb.scan(TableName=self.table, TotalSegments=2),
            startswith="The Segment parameter is required but was not present in the request "
            "when parameter TotalSegments is present",
        )
        self.assert_validation(
            lambda: self.ddb.scan(TableName=self.table, Segment=4, TotalSegments=4),
            startswith="The Segment parameter is zero-based and must be less than parameter "
            "TotalSegments",
        )
        self.assert_validation(
            lambda: self.ddb.scan(TableName=self.table, Segment=0, TotalSegments=0),
        )
        self.assert_validation(
            lambda: self.ddb.scan(TableName=self.table, Segment=0, TotalSegments=1_000_001),
        )


if __name__ == "__main__":
    unittest.main()
