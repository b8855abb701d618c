"""DynamoDB's legacy (pre-expression) parameters through boto3:
AttributesToGet, Expected, AttributeUpdates, KeyConditions, QueryFilter,
ScanFilter and ConditionalOperator, and the ValidationException for mixing
them with expressions.

Every test here is named ``test_legacy_...`` (and the class
``LegacyParameterTests``) so that they can be picked out, or run alone with
``python3 -m unittest test_boto3_legacy``.
"""

import unittest

from support import DynamoTestCase


def mixing_message(non_expression, expression):
    return (
        "Can not use both expression and non-expression parameters in the same request: "
        f"Non-expression parameters: {{{non_expression}}} "
        f"Expression parameters: {{{expression}}}"
    )


class LegacyParameterTests(DynamoTestCase):
    def setUp(self):
        super().setUp()
        self.table = self.new_table("legacy", pk=("pk", "S"), sk=("sk", "S"))
        self.key = {"pk": {"S": "p"}, "sk": {"S": "s0"}}
        for index in range(6):
            self.ddb.put_item(
                TableName=self.table,
                Item={
                    "pk": {"S": "p"},
                    "sk": {"S": f"s{index}"},
                    "n": {"N": str(index)},
                    "colour": {"S": "red" if index % 2 else "blue"},
                    "tags": {"SS": ["a", "b"]},
                },
            )

    def item(self, key=None):
        return self.ddb.get_item(TableName=self.table, Key=key or self.key, ConsistentRead=True).get("Item")

    def test_legacy_attributes_to_get_on_get_item(self):
        got = self.ddb.get_item(TableName=self.table, Key=self.key, AttributesToGet=["n", "colour"])
        self.assertEqual(got["Item"], {"n": {"N": "0"}, "colour": {"S": "blue"}})

    def test_legacy_attributes_to_get_on_scan_and_batch_get(self):
        page = self.ddb.scan(TableName=self.table, AttributesToGet=["sk"], Limit=2)
        self.assertEqual(page["Items"], [{"sk": {"S": "s0"}}, {"sk": {"S": "s1"}}])
        batch = self.ddb.batch_get_item(
            RequestItems={self.table: {"Keys": [self.key], "AttributesToGet": ["n"]}}
        )
        self.assertEqual(batch["Responses"][self.table], [{"n": {"N": "0"}}])

    def test_legacy_expected_exists_false_and_value(self):
        self.assert_client_error(
            lambda: self.ddb.put_item(
                TableName=self.table, Item=self.key, Expected={"pk": {"Exists": False}}
            ),
            "ConditionalCheckFailedException",
            message="The conditional request failed",
        )
        new_key = {"pk": {"S": "p"}, "sk": {"S": "fresh"}}
        self.ddb.put_item(TableName=self.table, Item=new_key, Expected={"pk": {"Exists": False}})
        self.assertEqual(self.item(new_key), new_key)
        # Value alone means "exists with this value".
        self.ddb.put_item(
            TableName=self.table,
            Item={**self.key, "colour": {"S": "green"}},
            Expected={"colour": {"Value": {"S": "blue"}}},
        )
        self.assertEqual(self.item()["colour"], {"S": "green"})
        self.assert_client_error(
            lambda: self.ddb.put_item(
                TableName=self.table,
                Item=self.key,
                Expected={"colour": {"Value": {"S": "blue"}, "Exists": True}},
            ),
            "ConditionalCheckFailedException",
        )

    def test_legacy_expected_comparison_operators_and_conditional_operator(self):
        def delete_if(expected, operator=None):
            kwargs = {"ConditionalOperator": operator} if operator else {}
            try:
                self.ddb.delete_item(
                    TableName=self.table,
                    Key={"pk": {"S": "p"}, "sk": {"S": "s3"}},
                    Expected=expected,
                    **kwargs,
                )
                return True
            except self.ddb.exceptions.ConditionalCheckFailedException:
                return False

        self.assertFalse(delete_if({"n": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "3"}]}}))
        self.assertFalse(delete_if({"colour": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "blue"}]}}))
        self.assertFalse(delete_if({"n": {"ComparisonOperator": "NULL"}}))
        self.assertFalse(
            delete_if(
                {
                    "n": {"ComparisonOperator": "GE", "AttributeValueList": [{"N": "3"}]},
                    "colour": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "blue"}]},
                },
                "AND",
            )
        )
        self.assertIsNotNone(self.item({"pk": {"S": "p"}, "sk": {"S": "s3"}}))
        self.assertTrue(
            delete_if(
                {
                    "n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "10"}, {"N": "20"}]},
                    "tags": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "a"}]},
                },
                "OR",
            )
        )
        self.assertIsNone(self.item({"pk": {"S": "p"}, "sk": {"S": "s3"}}))

    def test_legacy_attribute_updates_put_add_delete(self):
        response = self.ddb.update_item(
            TableName=self.table,
            Key=self.key,
            AttributeUpdates={
                "colour": {"Action": "PUT", "Value": {"S": "violet"}},
                "n": {"Action": "ADD", "Value": {"N": "10"}},
                "tags": {"Action": "DELETE", "Value": {"SS": ["a"]}},
                "counter": {"Action": "ADD", "Value": {"N": "1"}},
                "more": {"Action": "ADD", "Value": {"SS": ["x"]}},
            },
            ReturnValues="ALL_NEW",
        )
        item = response["Attributes"]
        self.assertEqual(item["colour"], {"S": "violet"})
        self.assertEqual(item["n"], {"N": "10"})
        self.assertEqual(item["tags"], {"SS": ["b"]})
        self.assertEqual(item["counter"], {"N": "1"})
        self.assertEqual(item["more"], {"SS": ["x"]})
        # DELETE without a value removes the attribute.
        self.ddb.update_item(
            TableName=self.table, Key=self.key, AttributeUpdates={"colour": {"Action": "DELETE"}}
        )
        self.assertNotIn("colour", self.item())

    def test_legacy_attribute_updates_with_expected(self):
        self.assert_client_error(
            lambda: self.ddb.update_item(
                TableName=self.table,
                Key=self.key,
                AttributeUpdates={"colour": {"Action": "PUT", "Value": {"S": "x"}}},
                Expected={"colour": {"Value": {"S": "red"}}},
            ),
            "ConditionalCheckFailedException",
        )
        self.assertEqual(self.item()["colour"], {"S": "blue"})

    def test_legacy_key_conditions_on_query(self):
        page = self.ddb.query(
            TableName=self.table,
            KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]}},
        )
        self.assertEqual(page["Count"], 6)
        page = self.ddb.query(
            TableName=self.table,
            KeyConditions={
                "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]},
                "sk": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"S": "s1"}, {"S": "s3"}]},
            },
            ScanIndexForward=False,
        )
        self.assertEqual([i["sk"]["S"] for i in page["Items"]], ["s3", "s2", "s1"])
        page = self.ddb.query(
            TableName=self.table,
            KeyConditions={
                "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]},
                "sk": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "s"}]},
            },
            AttributesToGet=["sk"],
            Limit=2,
        )
        self.assertEqual(page["Items"], [{"sk": {"S": "s0"}}, {"sk": {"S": "s1"}}])

    def test_legacy_query_filter(self):
        page = self.ddb.query(
            TableName=self.table,
            KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]}},
            QueryFilter={
                "colour": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "red"}]},
                "n": {"ComparisonOperator": "LT", "AttributeValueList": [{"N": "5"}]},
            },
            ConditionalOperator="AND",
        )
        self.assertEqual([i["sk"]["S"] for i in page["Items"]], ["s1", "s3"])
        self.assertEqual(page["ScannedCount"], 6)

    def test_legacy_scan_filter_with_conditional_operator_or(self):
        page = self.ddb.scan(
            TableName=self.table,
            ScanFilter={
                "n": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "0"}, {"N": "4"}]},
                "colour": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "red"}]},
            },
            ConditionalOperator="OR",
        )
        self.assertEqual(sorted(i["sk"]["S"] for i in page["Items"]), ["s0", "s1", "s3", "s4", "s5"])
        page = self.ddb.scan(
            TableName=self.table,
            ScanFilter={"missing": {"ComparisonOperator": "NOT_NULL"}},
        )
        self.assertEqual(page["Count"], 0)
        self.assertEqual(page["ScannedCount"], 6)

    def test_legacy_mixed_with_expressions_is_a_validation_error(self):
        self.assert_validation(
            lambda: self.ddb.get_item(
                TableName=self.table, Key=self.key, AttributesToGet=["n"], ProjectionExpression="n"
            ),
            message=mixing_message("AttributesToGet", "ProjectionExpression"),
        )
        self.assert_validation(
            lambda: self.ddb.put_item(
                TableName=self.table,
                Item=self.key,
                Expected={"pk": {"Exists": False}},
                ConditionExpression="attribute_not_exists(pk)",
            ),
            message=mixing_message("Expected", "ConditionExpression"),
        )
        self.assert_validation(
            lambda: self.ddb.update_item(
                TableName=self.table,
                Key=self.key,
                AttributeUpdates={"n": {"Action": "PUT", "Value": {"N": "1"}}},
                UpdateExpression="SET n = :n",
                ExpressionAttributeValues={":n": {"N": "1"}},
            ),
            message=mixing_message("AttributeUpdates", "UpdateExpression"),
        )
        self.assert_validation(
            lambda: self.ddb.query(
                TableName=self.table,
                KeyConditions={"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]}},
                KeyConditionExpression="pk = :p",
                ExpressionAttributeValues={":p": {"S": "p"}},
            ),
            message=mixing_message("KeyConditions", "KeyConditionExpression"),
        )
        self.assert_validation(
            lambda: self.ddb.scan(
                TableName=self.table,
                ScanFilter={"n": {"ComparisonOperator": "NOT_NULL"}},
                FilterExpression="attribute_exists(n)",
            ),
            message=mixing_message("ScanFilter", "FilterExpression"),
        )

    def test_legacy_parameters_with_bad_operands(self):
        # EQ needs exactly one value.
        self.assert_validation(
            lambda: self.ddb.scan(
                TableName=self.table,
                ScanFilter={"n": {"ComparisonOperator": "EQ", "AttributeValueList": []}},
            ),
        )
        # ConditionalOperator without two conditions to join.
        self.assert_validation(
            lambda: self.ddb.put_item(TableName=self.table, Item=self.key, ConditionalOperator="OR"),
        )


if __name__ == "__main__":
    unittest.main()
