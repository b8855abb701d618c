"""Item operations through boto3's low-level client: every attribute type
round-tripping exactly, ReturnValues, conditions and their failures, update
expressions, and the ValidationException messages DynamoDB gives for bad
keys, sizes and expressions."""

import threading
import unittest

from support import DynamoTestCase, client, unique_name

ALL_BYTES = bytes(range(256))

# One attribute of every type; N values are already in DynamoDB's canonical
# form, so they come back character for character.
EVERY_TYPE_ITEM = {
    "pk": {"S": "every-type"},
    "s": {"S": "plain ascii"},
    "s_unicode": {"S": "é𝄞 \u4e2d\u6587 \u0000 tab\t quote\" backslash\\"},
    "n_int": {"N": "42"},
    "n_negative": {"N": "-17"},
    "n_fraction": {"N": "3.14159"},
    "n_big": {"N": "12345678901234567890123456789012345678"},
    "n_tiny": {"N": "0.000000000000000000000000000001"},
    "b": {"B": ALL_BYTES},
    "bool_true": {"BOOL": True},
    "bool_false": {"BOOL": False},
    "null": {"NULL": True},
    "m": {
        "M": {
            "inner": {"S": "x"},
            "deeper": {"M": {"n": {"N": "1"}, "l": {"L": [{"BOOL": False}]}}},
            "empty_map": {"M": {}},
        }
    },
    "l": {
        "L": [
            {"S": "a"},
            {"N": "2"},
            {"B": b"\x00\xff"},
            {"NULL": True},
            {"L": []},
            {"M": {"k": {"SS": ["v"]}}},
        ]
    },
    "ss": {"SS": ["a", "b", "c", "é"]},
    "ns": {"NS": ["1", "-2.5", "100"]},
    "bs": {"BS": [b"\x00", b"\x01\x02", ALL_BYTES]},
    "empty_s": {"S": ""},
    "empty_b": {"B": b""},
}

SET_TYPES = ("SS", "NS", "BS")


def normalized(value):
    """An attribute value with its sets sorted: DynamoDB does not promise
    the order of set members, only the members."""
    (kind, inner), = value.items()
    if kind in SET_TYPES:
        return {kind: sorted(inner)}
    if kind == "M":
        return {kind: {k: normalized(v) for k, v in inner.items()}}
    if kind == "L":
        return {kind: [normalized(v) for v in inner]}
    return value


def normalized_item(item):
    return {k: normalized(v) for k, v in item.items()}


class ItemRoundTripTests(DynamoTestCase):
    def setUp(self):
        super().setUp()
        self.table = self.new_table("items")

    def test_every_attribute_type_round_trips_exactly_through_put_and_get(self):
        self.ddb.put_item(TableName=self.table, Item=EVERY_TYPE_ITEM)
        got = self.ddb.get_item(TableName=self.table, Key={"pk": {"S": "every-type"}})
        self.assertEqual(normalized_item(got["Item"]), normalized_item(EVERY_TYPE_ITEM))
        got = self.ddb.get_item(
            TableName=self.table, Key={"pk": {"S": "every-type"}}, ConsistentRead=True
        )
        self.assertEqual(normalized_item(got["Item"]), normalized_item(EVERY_TYPE_ITEM))

    def test_every_attribute_type_round_trips_through_update_query_scan_and_batch_get(self):
        key = {"pk": {"S": "every-type"}}
        names = {}
        values = {}
        sets = []
        for index, (name, value) in enumerate(EVERY_TYPE_ITEM.items()):
            if name == "pk":
                continue
            names[f"#a{index}"] = name
            values[f":v{index}"] = value
            sets.append(f"#a{index} = :v{index}")
        response = self.ddb.update_item(
            TableName=self.table,
            Key=key,
            UpdateExpression="SET " + ", ".join(sets),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
            ReturnValues="ALL_NEW",
        )
        expected = normalized_item(EVERY_TYPE_ITEM)
        self.assertEqual(normalized_item(response["Attributes"]), expected)
        queried = self.ddb.query(
            TableName=self.table,
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": "every-type"}},
        )
        self.assertEqual([normalized_item(i) for i in queried["Items"]], [expected])
        scanned = self.ddb.scan(TableName=self.table)
        self.assertEqual([normalized_item(i) for i in scanned["Items"]], [expected])
        batch = self.ddb.batch_get_item(RequestItems={self.table: {"Keys": [key]}})
        self.assertEqual(
            [normalized_item(i) for i in batch["Responses"][self.table]], [expected]
        )
        deleted = self.ddb.delete_item(TableName=self.table, Key=key, ReturnValues="ALL_OLD")
        self.assertEqual(normalized_item(deleted["Attributes"]), expected)

    def test_numbers_come_back_in_canonical_form(self):
        # DynamoDB trims leading and trailing zeros and stores exact
        # decimals; an exponent form comes back as a plain decimal.
        self.ddb.put_item(
            TableName=self.table,
            Item={
                "pk": {"S": "numbers"},
                "a": {"N": "0100.500"},
                "b": {"N": "15E-1"},
                "c": {"N": "1E+3"},
                "d": {"N": "-000.0100"},
            },
        )
        item = self.ddb.get_item(TableName=self.table, Key={"pk": {"S": "numbers"}})["Item"]
        self.assertEqual(item["a"], {"N": "100.5"})
        self.assertEqual(item["b"], {"N": "1.5"})
        self.assertEqual(item["c"], {"N": "1000"})
        self.assertEqual(item["d"], {"N": "-0.01"})

    def test_binary_and_number_keys_work(self):
        for key_type, key in (("B", {"B": b"\x00\xffkey"}), ("N", {"N": "-12.5"})):
            table = self.new_table("keytype", pk=("pk", key_type), sk=("sk", "B"))
            item = {"pk": key, "sk": {"B": b"\x01"}, "v": {"S": "value"}}
            self.ddb.put_item(TableName=table, Item=item)
            got = self.ddb.get_item(TableName=table, Key={"pk": key, "sk": {"B": b"\x01"}})
            self.assertEqual(got["Item"], item)

    def test_get_of_a_missing_item_has_no_item_member(self):
        got = self.ddb.get_item(TableName=self.table, Key={"pk": {"S": "absent"}})
        self.assertNotIn("Item", got)

    def test_projection_expression_returns_only_the_named_paths(self):
        self.ddb.put_item(TableName=self.table, Item=EVERY_TYPE_ITEM)
        got = self.ddb.get_item(
            TableName=self.table,
            Key={"pk": {"S": "every-type"}},
            ProjectionExpression="s, m.deeper.n, l[2], #n",
            ExpressionAttributeNames={"#n": "null"},
        )
        self.assertEqual(
            got["Item"],
            {
                "s": {"S": "plain ascii"},
                "m": {"M": {"deeper": {"M": {"n": {"N": "1"}}}}},
                "l": {"L": [{"B": b"\x00\xff"}]},
                "null": {"NULL": True},
            },
        )


class ReturnValuesTests(DynamoTestCase):
    def setUp(self):
        super().setUp()
        self.table = self.new_table("retvals")
        self.key = {"pk": {"S": "k"}}
        self.ddb.put_item(
            TableName=self.table,
            Item={"pk": {"S": "k"}, "a": {"N": "1"}, "b": {"S": "old"}, "c": {"S": "keep"}},
        )

    def test_put_item_return_values_none_and_all_old(self):
        plain = self.ddb.put_item(
            TableName=self.table, Item={"pk": {"S": "k"}, "a": {"N": "2"}}, ReturnValues="NONE"
        )
        self.assertNotIn("Attributes", plain)
        old = self.ddb.put_item(
            TableName=self.table, Item={"pk": {"S": "k"}, "a": {"N": "3"}}, ReturnValues="ALL_OLD"
        )
        self.assertEqual(old["Attributes"], {"pk": {"S": "k"}, "a": {"N": "2"}})
        fresh = self.ddb.put_item(
            TableName=self.table, Item={"pk": {"S": "new"}}, ReturnValues="ALL_OLD"
        )
        self.assertNotIn("Attributes", fresh)

    def test_put_item_refuses_updated_and_all_new_return_values(self):
        for value in ("ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"):
            self.assert_validation(
                lambda: self.ddb.put_item(
                    TableName=self.table, Item={"pk": {"S": "k"}}, ReturnValues=value
                ),
                message="Return values set to invalid value",
            )

    def test_update_item_every_return_values_variant(self):
        def update(return_values):
            return self.ddb.update_item(
                TableName=self.table,
                Key=self.key,
                UpdateExpression="SET a = a + :one, b = :b",
                ExpressionAttributeValues={":one": {"N": "1"}, ":b": {"S": return_values}},
                ReturnValues=return_values,
            )

        self.assertNotIn("Attributes", update("NONE"))
        self.assertEqual(
            update("ALL_OLD")["Attributes"],
            {"pk": {"S": "k"}, "a": {"N": "2"}, "b": {"S": "NONE"}, "c": {"S": "keep"}},
        )
        self.assertEqual(
            update("UPDATED_OLD")["Attributes"], {"a": {"N": "3"}, "b": {"S": "ALL_OLD"}}
        )
        self.assertEqual(
            update("UPDATED_NEW")["Attributes"], {"a": {"N": "5"}, "b": {"S": "UPDATED_NEW"}}
        )
        self.assertEqual(
            update("ALL_NEW")["Attributes"],
            {"pk": {"S": "k"}, "a": {"N": "6"}, "b": {"S": "ALL_NEW"}, "c": {"S": "keep"}},
        )

    def test_delete_item_return_values(self):
        self.assertNotIn(
            "Attributes", self.ddb.delete_item(TableName=self.table, Key={"pk": {"S": "none"}}, ReturnValues="ALL_OLD")
        )
        deleted = self.ddb.delete_item(TableName=self.table, Key=self.key, ReturnValues="ALL_OLD")
        self.assertEqual(
            deleted["Attributes"],
            {"pk": {"S": "k"}, "a": {"N": "1"}, "b": {"S": "old"}, "c": {"S": "keep"}},
        )
        self.assertNotIn("Item", self.ddb.get_item(TableName=self.table, Key=self.key))
        self.assert_validation(
            lambda: self.ddb.delete_item(TableName=self.table, Key=self.key, ReturnValues="ALL_NEW"),
            message="Return values set to invalid value",
        )

    def test_an_unknown_return_values_is_an_enum_error(self):
        self.assert_validation(
            lambda: self.ddb.update_item(
                TableName=self.table, Key=self.key, ReturnValues="SOMETIMES"
            ),
            startswith="1 validation error detected: Value 'SOMETIMES' at 'returnValues' "
            "failed to satisfy constraint: Member must satisfy enum value set: [",
        )


class ConditionTests(DynamoTestCase):
    def setUp(self):
        super().setUp()
        self.table = self.new_table("cond")
        self.item = {"pk": {"S": "k"}, "version": {"N": "1"}, "tag": {"S": "a"}}
        self.ddb.put_item(TableName=self.table, Item=self.item)

    def test_put_if_absent_fails_with_conditional_check_failed(self):
        self.assert_client_error(
            lambda: self.ddb.put_item(
                TableName=self.table,
                Item={"pk": {"S": "k"}},
                ConditionExpression="attribute_not_exists(pk)",
            ),
            "ConditionalCheckFailedException",
            message="The conditional request failed",
        )
        self.assertEqual(
            self.ddb.get_item(TableName=self.table, Key={"pk": {"S": "k"}})["Item"], self.item
        )
        self.ddb.put_item(
            TableName=self.table,
            Item={"pk": {"S": "other"}},
            ConditionExpression="attribute_not_exists(pk)",
        )

    def test_return_values_on_condition_check_failure_gives_the_old_item(self):
        for call in (
            lambda: self.ddb.put_item(
                TableName=self.table,
                Item={"pk": {"S": "k"}},
                ConditionExpression="version = :v",
                ExpressionAttributeValues={":v": {"N": "9"}},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            ),
            lambda: self.ddb.update_item(
                TableName=self.table,
                Key={"pk": {"S": "k"}},
                UpdateExpression="SET version = :v",
                ConditionExpression="version = :v",
                ExpressionAttributeValues={":v": {"N": "9"}},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            ),
            lambda: self.ddb.delete_item(
                TableName=self.table,
                Key={"pk": {"S": "k"}},
                ConditionExpression="tag IN (:x, :y)",
                ExpressionAttributeValues={":x": {"S": "x"}, ":y": {"S": "y"}},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            ),
        ):
            error = self.assert_client_error(
                call, "ConditionalCheckFailedException", message="The conditional request failed"
            )
            self.assertEqual(error.response.get("Item"), self.item, error.response)

    def test_without_all_old_the_error_has_no_item(self):
        error = self.assert_client_error(
            lambda: self.ddb.delete_item(
                TableName=self.table,
                Key={"pk": {"S": "k"}},
                ConditionExpression="attribute_not_exists(pk)",
                ReturnValuesOnConditionCheckFailure="NONE",
            ),
            "ConditionalCheckFailedException",
        )
        self.assertNotIn("Item", error.response)

    def test_a_condition_on_a_missing_item_sees_no_attributes(self):
        error = self.assert_client_error(
            lambda: self.ddb.update_item(
                TableName=self.table,
                Key={"pk": {"S": "absent"}},
                UpdateExpression="SET a = :a",
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeValues={":a": {"S": "a"}},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            ),
            "ConditionalCheckFailedException",
        )
        self.assertNotIn("Item", error.response)
        self.assertNotIn("Item", self.ddb.get_item(TableName=self.table, Key={"pk": {"S": "absent"}}))

    def test_optimistic_locking_with_a_version_attribute(self):
        for expected in range(1, 4):
            self.ddb.update_item(
                TableName=self.table,
                Key={"pk": {"S": "k"}},
                UpdateExpression="SET version = version + :one",
                ConditionExpression="version = :expected",
                ExpressionAttributeValues={":one": {"N": "1"}, ":expected": {"N": str(expected)}},
            )
        item = self.ddb.get_item(TableName=self.table, Key={"pk": {"S": "k"}})["Item"]
        self.assertEqual(item["version"], {"N": "4"})
        self.assert_client_error(
            lambda: self.ddb.update_item(
                TableName=self.table,
                Key={"pk": {"S": "k"}},
                UpdateExpression="SET version = version + :one",
                ConditionExpression="version = :expected",
                ExpressionAttributeValues={":one": {"N": "1"}, ":expected": {"N": "1"}},
            ),
            "ConditionalCheckFailedException",
        )

    def test_condition_functions(self):
        def holds(expression, values=None):
            kwargs = {"ExpressionAttributeValues": values} if values else {}
            try:
                self.ddb.put_item(
                    TableName=self.table, Item=self.item, ConditionExpression=expression, **kwargs
                )
                return True
            except self.ddb.exceptions.ConditionalCheckFailedException:
                return False

        self.assertTrue(holds("attribute_exists(tag)"))
        self.assertTrue(holds("attribute_type(version, :t)", {":t": {"S": "N"}}))
        self.assertFalse(holds("attribute_type(version, :t)", {":t": {"S": "S"}}))
        self.assertTrue(holds("begins_with(tag, :p)", {":p": {"S": "a"}}))
        self.assertTrue(holds("contains(tag, :p)", {":p": {"S": "a"}}))
        self.assertTrue(holds("size(tag) = :one", {":one": {"N": "1"}}))
        self.assertTrue(holds("version BETWEEN :lo AND :hi", {":lo": {"N": "0"}, ":hi": {"N": "1"}}))
        self.assertTrue(holds("NOT (version > :v) AND (tag = :t OR tag = :u)",
                              {":v": {"N": "1"}, ":t": {"S": "zz"}, ":u": {"S": "a"}}))
        # "missing" is one of DynamoDB's reserved words: it needs a name.
        self.assertTrue(holds("absent_attr <> :v", {":v": {"N": "1"}}))
        self.assertFalse(holds("absent_attr = :v", {":v": {"N": "1"}}))


class ConcurrencyTests(DynamoTestCase):
    THREADS = 4
    ROUNDS = 25

    def run_threads(self, work):
        errors = []

        def guarded(index):
            try:
                work(index)
            except Exception as error:  # noqa: BLE001 (reported below)
                errors.append(error)

        threads = [threading.Thread(target=guarded, args=(i,)) for i in range(self.THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        self.assertEqual(errors, [])

    def test_concurrent_atomic_counters_lose_no_increment(self):
        table = self.new_table("counter")
        key = {"pk": {"S": "counter"}}

        def increment(_):
            ddb = client()  # One client per thread, as boto3 advises.
            for _ in range(self.ROUNDS):
                ddb.update_item(
                    TableName=table, Key=key, UpdateExpression="ADD hits :one",
                    ExpressionAttributeValues={":one": {"N": "1"}},
                )

        self.run_threads(increment)
        item = self.ddb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]
        self.assertEqual(item["hits"], {"N": str(self.THREADS * self.ROUNDS)})

    def test_concurrent_optimistic_locking_serialises_writers(self):
        table = self.new_table("occ")
        key = {"pk": {"S": "doc"}}
        self.ddb.put_item(TableName=table, Item={**key, "version": {"N": "0"}, "log": {"L": []}})

        def append(index):
            ddb = client()
            done = 0
            attempts = 0
            while done < 10:
                attempts += 1
                assert attempts < 1000, "livelock"
                current = ddb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]
                try:
                    ddb.update_item(
                        TableName=table, Key=key,
                        UpdateExpression="SET version = version + :one, #log = list_append(#log, :entry)",
                        ConditionExpression="version = :seen",
                        ExpressionAttributeNames={"#log": "log"},
                        ExpressionAttributeValues={
                            ":one": {"N": "1"}, ":seen": current["version"],
                            ":entry": {"L": [{"S": f"{index}-{done}"}]},
                        },
                    )
                    done += 1
                except ddb.exceptions.ConditionalCheckFailedException:
                    pass

        self.run_threads(append)
        item = self.ddb.get_item(TableName=table, Key=key, ConsistentRead=True)["Item"]
        self.assertEqual(item["version"], {"N": str(self.THREADS * 10)})
        entries = [entry["S"] for entry in item["log"]["L"]]
        self.assertEqual(len(entries), self.THREADS * 10)
        self.assertEqual(len(set(entries)), len(entries))


class UpdateExpressionTests(DynamoTestCase):
    def setUp(self):
        super().setUp()
        self.table = self.new_table("update")
        self.key = {"pk": {"S": "k"}}
        self.ddb.put_item(
            TableName=self.table,
            Item={
                "pk": {"S": "k"},
                "count": {"N": "10"},
                "list": {"L": [{"N": "1"}, {"N": "2"}]},
                "tags": {"SS": ["a", "b", "c"]},
                "nums": {"NS": ["1", "2"]},
                "map": {"M": {"x": {"S": "x"}, "y": {"S": "y"}}},
                "gone": {"S": "bye"},
            },
        )

    def update(self, expression, values=None, names=None):
        kwargs = {}
        if values:
            kwargs["ExpressionAttributeValues"] = values
        if names:
            kwargs["ExpressionAttributeNames"] = names
        return self.ddb.update_item(
            TableName=self.table,
            Key=self.key,
            UpdateExpression=expression,
            ReturnValues="ALL_NEW",
            **kwargs,
        )["Attributes"]

    def test_set_arithmetic(self):
        item = self.update("SET #c = #c + :five", {":five": {"N": "5"}}, {"#c": "count"})
        self.assertEqual(item["count"], {"N": "15"})
        item = self.update("SET #c = #c - :half", {":half": {"N": "0.5"}}, {"#c": "count"})
        self.assertEqual(item["count"], {"N": "14.5"})
        item = self.update("SET doubled = #c + #c", names={"#c": "count"})
        self.assertEqual(item["doubled"], {"N": "29"})

    def test_list_append_at_either_end(self):
        item = self.update("SET #l = list_append(#l, :tail)", {":tail": {"L": [{"N": "3"}]}}, {"#l": "list"})
        self.assertEqual(item["list"], {"L": [{"N": "1"}, {"N": "2"}, {"N": "3"}]})
        item = self.update("SET #l = list_append(:head, #l)", {":head": {"L": [{"S": "0"}]}}, {"#l": "list"})
        self.assertEqual(item["list"]["L"][0], {"S": "0"})
        self.assertEqual(len(item["list"]["L"]), 4)

    def test_if_not_exists(self):
        item = self.update(
            "SET #c = if_not_exists(#c, :zero), fresh = if_not_exists(fresh, :zero)",
            {":zero": {"N": "0"}},
            {"#c": "count"},
        )
        self.assertEqual(item["count"], {"N": "10"})
        self.assertEqual(item["fresh"], {"N": "0"})

    def test_remove_attributes_members_and_list_elements(self):
        item = self.update("REMOVE gone, #m.x, #l[0]", names={"#m": "map", "#l": "list"})
        self.assertNotIn("gone", item)
        self.assertEqual(item["map"], {"M": {"y": {"S": "y"}}})
        self.assertEqual(item["list"], {"L": [{"N": "2"}]})
        # Removing what is not there does nothing.
        again = self.update("REMOVE gone, nothing")
        self.assertEqual(again, item)

    def test_add_numbers_and_sets(self):
        item = self.update("ADD #c :n, newcount :n", {":n": {"N": "3"}}, {"#c": "count"})
        self.assertEqual(item["count"], {"N": "13"})
        self.assertEqual(item["newcount"], {"N": "3"})
        item = self.update("ADD tags :t, nums :n", {":t": {"SS": ["c", "d"]}, ":n": {"NS": ["3"]}})
        self.assertEqual(sorted(item["tags"]["SS"]), ["a", "b", "c", "d"])
        self.assertEqual(sorted(item["nums"]["NS"]), ["1", "2", "3"])

    def test_delete_from_sets_and_emptying_removes_the_attribute(self):
        item = self.update("DELETE tags :t", {":t": {"SS": ["a", "zzz"]}})
        self.assertEqual(sorted(item["tags"]["SS"]), ["b", "c"])
        item = self.update("DELETE tags :t", {":t": {"SS": ["b", "c"]}})
        self.assertNotIn("tags", item)

    def test_all_four_clauses_in_one_expression(self):
        item = self.update(
            "SET #m.z = :z REMOVE gone ADD #c :one DELETE nums :two",
            {":z": {"S": "z"}, ":one": {"N": "1"}, ":two": {"NS": ["2"]}},
            {"#m": "map", "#c": "count"},
        )
        self.assertEqual(item["map"]["M"]["z"], {"S": "z"})
        self.assertNotIn("gone", item)
        self.assertEqual(item["count"], {"N": "11"})
        self.assertEqual(item["nums"], {"NS": ["1"]})

    def test_update_of_a_missing_item_creates_it(self):
        got = self.ddb.update_item(
            TableName=self.table,
            Key={"pk": {"S": "created"}},
            UpdateExpression="SET a = :a",
            ExpressionAttributeValues={":a": {"S": "a"}},
            ReturnValues="ALL_NEW",
        )
        self.assertEqual(got["Attributes"], {"pk": {"S": "created"}, "a": {"S": "a"}})

    def test_update_errors_evaluated_against_the_item(self):
        self.assert_validation(
            lambda: self.update("SET gone = gone + :n", {":n": {"N": "1"}}),
            message="An operand in the update expression has an incorrect data type",
        )
        self.assert_validation(
            lambda: self.update("SET x = nothing + :n", {":n": {"N": "1"}}),
            message="The provided expression refers to an attribute that does not exist in the item",
        )
        self.assert_validation(
            lambda: self.update("SET nothing.deeper = :n", {":n": {"N": "1"}}),
            message="The document path provided in the update expression is invalid for update",
        )
        self.assert_validation(
            lambda: self.update("SET pk = :n", {":n": {"S": "other"}}),
            message="One or more parameter values were invalid: Cannot update attribute pk. "
            "This attribute is part of the key",
        )


class ItemValidationTests(DynamoTestCase):
    def setUp(self):
        super().setUp()
        self.table = self.new_table("valid", pk=("pk", "S"), sk=("sk", "N"))

    def test_wrong_key_type(self):
        self.assert_validation(
            lambda: self.ddb.put_item(TableName=self.table, Item={"pk": {"N": "1"}, "sk": {"N": "1"}}),
            message="One or more parameter values were invalid: Type mismatch for key pk "
            "expected: S actual: N",
        )
        self.assert_validation(
            lambda: self.ddb.get_item(TableName=self.table, Key={"pk": {"S": "a"}, "sk": {"S": "1"}}),
            message="The provided key element does not match the schema",
        )

    def test_missing_key_attributes(self):
        self.assert_validation(
            lambda: self.ddb.put_item(TableName=self.table, Item={"pk": {"S": "a"}}),
            message="One or more parameter values were invalid: Missing the key sk in the item",
        )
        self.assert_validation(
            lambda: self.ddb.get_item(TableName=self.table, Key={"pk": {"S": "a"}}),
            message="The provided key element does not match the schema",
        )
        self.assert_validation(
            lambda: self.ddb.delete_item(
                TableName=self.table,
                Key={"pk": {"S": "a"}, "sk": {"N": "1"}, "extra": {"S": "x"}},
            ),
            message="The provided key element does not match the schema",
        )
        self.assert_validation(
            lambda: self.ddb.get_item(TableName=self.table),
            contains="Value null at 'key' failed to satisfy constraint: Member must not be null",
        )

    def test_empty_string_key(self):
        self.assert_validation(
            lambda: self.ddb.put_item(TableName=self.table, Item={"pk": {"S": ""}, "sk": {"N": "1"}}),
            message="One or more parameter values are not valid. The AttributeValue for a key "
            "attribute cannot contain an empty string value. Key: pk",
        )
        self.assert_validation(
            lambda: self.ddb.get_item(TableName=self.table, Key={"pk": {"S": ""}, "sk": {"N": "1"}}),
            message="One or more parameter values are not valid. The AttributeValue for a key "
            "attribute cannot contain an empty string value. Key: pk",
        )

    def test_item_over_400_kb_is_refused_and_400_kb_is_accepted(self):
        # DynamoDB counts attribute names and values: "pk" + "a" (2 bytes),
        # "sk" + "1" (N "1" is 1 byte: 2 + 1), and the name "big".
        fixed_bytes = len("pk") + 1 + len("sk") + 1 + len("big")
        limit_bytes = 400 * 1024
        self.assert_validation(
            lambda: self.ddb.put_item(
                TableName=self.table,
                Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "big": {"S": "x" * (limit_bytes + 1000)}},
            ),
            message="Item size has exceeded the maximum allowed size",
        )
        self.assert_validation(
            lambda: self.ddb.update_item(
                TableName=self.table,
                Key={"pk": {"S": "a"}, "sk": {"N": "1"}},
                UpdateExpression="SET big = :big",
                ExpressionAttributeValues={":big": {"S": "x" * (limit_bytes + 1000)}},
            ),
            message="Item size to update has exceeded the maximum allowed size",
        )
        self.assertNotIn(
            "Item", self.ddb.get_item(TableName=self.table, Key={"pk": {"S": "a"}, "sk": {"N": "1"}})
        )
        # Well under the limit (the exact boundary depends on DynamoDB's
        # number sizing, so leave a margin of a few bytes).
        self.ddb.put_item(
            TableName=self.table,
            Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "big": {"S": "x" * (limit_bytes - fixed_bytes - 8)}},
        )

    def test_bad_expressions(self):
        key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
        self.assert_validation(
            lambda: self.ddb.update_item(TableName=self.table, Key=key, UpdateExpression="SET"),
            message='Invalid UpdateExpression: Syntax error; token: "<EOF>", near: "SET"',
        )
        self.assert_validation(
            lambda: self.ddb.put_item(
                TableName=self.table, Item=key, ConditionExpression="a = = :v",
                ExpressionAttributeValues={":v": {"S": "v"}},
            ),
            startswith="Invalid ConditionExpression: Syntax error; token:",
        )
        self.assert_validation(
            lambda: self.ddb.put_item(
                TableName=self.table, Item=key, ConditionExpression="a = :undefined"
            ),
            message="Invalid ConditionExpression: An expression attribute value used in "
            "expression is not defined; attribute value: :undefined",
        )
        self.assert_validation(
            lambda: self.ddb.update_item(
                TableName=self.table, Key=key, UpdateExpression="SET #undefined = :v",
                ExpressionAttributeValues={":v": {"S": "v"}},
            ),
            message="Invalid UpdateExpression: An expression attribute name used in the "
            "document path is not defined; attribute name: #undefined",
        )
        self.assert_validation(
            lambda: self.ddb.update_item(
                TableName=self.table, Key=key, UpdateExpression="SET name = :v",
                ExpressionAttributeValues={":v": {"S": "v"}},
            ),
            message="Invalid UpdateExpression: Attribute name is a reserved keyword; "
            "reserved keyword: name",
        )
        self.assert_validation(
            lambda: self.ddb.get_item(TableName=self.table, Key=key, ProjectionExpression="a,,b"),
            startswith="Invalid ProjectionExpression: Syntax error; token:",
        )
        self.assert_validation(
            lambda: self.ddb.update_item(
                TableName=self.table, Key=key, UpdateExpression="SET a = :v, a = :v",
                ExpressionAttributeValues={":v": {"S": "v"}},
            ),
            startswith="Invalid UpdateExpression: Two document paths overlap with each other",
        )
        self.assert_validation(
            lambda: self.ddb.update_item(
                TableName=self.table, Key=key, UpdateExpression="ADD a :v",
                ExpressionAttributeValues={":v": {"S": "v"}},
            ),
            startswith="Invalid UpdateExpression: Incorrect operand type for operator or "
            "function; operator: ADD, operand type: STRING",
        )

    def test_unused_and_misplaced_placeholders(self):
        key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
        self.assert_validation(
            lambda: self.ddb.put_item(
                TableName=self.table, Item=key, ConditionExpression="attribute_not_exists(pk)",
                ExpressionAttributeValues={":unused": {"S": "v"}},
            ),
            message="Value provided in ExpressionAttributeValues unused in expressions: "
            "keys: {:unused}",
        )
        self.assert_validation(
            lambda: self.ddb.put_item(
                TableName=self.table, Item=key, ConditionExpression="attribute_not_exists(pk)",
                ExpressionAttributeNames={"#unused": "x"},
            ),
            message="Value provided in ExpressionAttributeNames unused in expressions: "
            "keys: {#unused}",
        )
        self.assert_validation(
            lambda: self.ddb.put_item(
                TableName=self.table, Item=key, ExpressionAttributeValues={":v": {"S": "v"}}
            ),
            startswith="ExpressionAttributeValues can only be specified when using expressions",
        )
        self.assert_validation(
            lambda: self.ddb.put_item(
                TableName=self.table, Item=key, ConditionExpression="attribute_not_exists(pk)",
                ExpressionAttributeValues={},
            ),
            message="ExpressionAttributeValues must not be empty",
        )

    def test_invalid_attribute_values(self):
        key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
        for bad in (
            {"N": "not a number"},
            {"N": "1" * 39},
            {"N": "1E+126"},
            {"SS": []},
            {"NS": []},
            {"BS": []},
            {"SS": ["a", "a"]},
            {"NS": ["1", "1.0"]},
            {"S": "a", "N": "1"},
            {},
            {"L": [{"SS": []}]},
            {"M": {"inner": {"NS": []}}},
        ):
            self.assert_validation(
                lambda: self.ddb.put_item(TableName=self.table, Item={**key, "x": bad})
            )
        self.assertNotIn("Item", self.ddb.get_item(TableName=self.table, Key=key))
        self.assert_validation(
            lambda: self.ddb.put_item(TableName=self.table, Item={**key, "n": {"N": "1" * 39}}),
            contains="Attempting to store more than 38 significant digits in a Number",
        )

    # DynamoDB's own texts for bad attribute values, from its answers quoted
    # in public issue threads (AWS SDK and emulator trackers).
    def test_an_empty_set_gets_dynamodbs_message(self):
        key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
        self.assert_validation(
            lambda: self.ddb.put_item(TableName=self.table, Item={**key, "x": {"SS": []}}),
            message="One or more parameter values were invalid: An string set  may not be empty",
        )
        self.assert_validation(
            lambda: self.ddb.put_item(TableName=self.table, Item={**key, "x": {"NS": []}}),
            message="One or more parameter values were invalid: An number set  may not be empty",
        )

    def test_a_set_with_duplicates_gets_dynamodbs_message(self):
        key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
        self.assert_validation(
            lambda: self.ddb.put_item(TableName=self.table, Item={**key, "x": {"SS": ["a", "a"]}}),
            startswith="One or more parameter values were invalid: Input collection [a, a]",
            contains="contains duplicates",
        )

    def test_a_bad_number_gets_dynamodbs_message(self):
        key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
        self.assert_validation(
            lambda: self.ddb.put_item(TableName=self.table, Item={**key, "x": {"N": "abc"}}),
            message="The parameter cannot be converted to a numeric value: abc",
        )
        self.assert_validation(
            lambda: self.ddb.put_item(TableName=self.table, Item={**key, "x": {"N": "1" * 39}}),
            message="Attempting to store more than 38 significant digits in a Number",
        )

    def test_an_attribute_value_with_two_or_no_types_gets_dynamodbs_message(self):
        key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
        self.assert_validation(
            lambda: self.ddb.put_item(TableName=self.table, Item={**key, "x": {"S": "a", "N": "1"}}),
            message="Supplied AttributeValue has more than one datatypes set, must contain "
            "exactly one of the supported datatypes",
        )
        self.assert_validation(
            lambda: self.ddb.put_item(TableName=self.table, Item={**key, "x": {}}),
            message="Supplied AttributeValue is empty, must contain exactly one of the "
            "supported datatypes",
        )

    def test_operations_on_a_missing_table(self):
        missing = unique_name("nope")
        key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
        for call in (
            lambda: self.ddb.put_item(TableName=missing, Item=key),
            lambda: self.ddb.get_item(TableName=missing, Key=key),
            lambda: self.ddb.delete_item(TableName=missing, Key=key),
            lambda: self.ddb.update_item(TableName=missing, Key=key),
            lambda: self.ddb.query(
                TableName=missing, KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": "a"}},
            ),
            lambda: self.ddb.scan(TableName=missing),
        ):
            self.assert_client_error(
                call, "ResourceNotFoundException", startswith="Requested resource not found"
            )


if __name__ == "__main__":
    unittest.main()
