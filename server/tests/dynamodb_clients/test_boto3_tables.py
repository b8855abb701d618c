"""Table lifecycle through boto3's low-level client: CreateTable,
DescribeTable, ListTables (with paging), UpdateTable, DeleteTable, and the
errors DynamoDB gives for each."""

import datetime
import unittest

from support import DynamoTestCase, unique_name


class TableLifecycleTests(DynamoTestCase):
    def test_create_table_describes_the_new_table(self):
        name = unique_name("create")
        response = self.ddb.create_table(
            TableName=name,
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
            ],
            KeySchema=[
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        self._tables.append(name)
        description = response["TableDescription"]
        self.assertEqual(description["TableName"], name)
        self.assertIn(description["TableStatus"], ("CREATING", "ACTIVE"))
        self.assertEqual(description["ItemCount"], 0)
        self.assertEqual(description["TableSizeBytes"], 0)
        self.assertTrue(description["TableArn"].startswith("arn:aws:dynamodb:"))
        self.assertTrue(description["TableArn"].endswith(":table/" + name))
        self.assertEqual(
            description["KeySchema"],
            [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
        )
        self.assertEqual(
            sorted(description["AttributeDefinitions"], key=lambda a: a["AttributeName"]),
            [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
            ],
        )
        self.assertEqual(description["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        self.assertIsInstance(description["CreationDateTime"], datetime.datetime)

    def test_describe_table_has_every_field_and_counts_items(self):
        name = self.new_table("describe")
        # Applications wait for ACTIVE with the waiter; it must succeed.
        self.ddb.get_waiter("table_exists").wait(
            TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 10}
        )
        for i in range(3):
            self.ddb.put_item(TableName=name, Item={"pk": {"S": f"k{i}"}, "v": {"S": "x" * 10}})
        table = self.ddb.describe_table(TableName=name)["Table"]
        self.assertEqual(table["TableName"], name)
        self.assertEqual(table["TableStatus"], "ACTIVE")
        self.assertTrue(table["TableArn"].endswith(":table/" + name))
        self.assertEqual(table["KeySchema"], [{"AttributeName": "pk", "KeyType": "HASH"}])
        self.assertEqual(
            table["AttributeDefinitions"], [{"AttributeName": "pk", "AttributeType": "S"}]
        )
        self.assertEqual(table["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        created = table["CreationDateTime"]
        self.assertIsInstance(created, datetime.datetime)
        now = datetime.datetime.now(datetime.timezone.utc)
        self.assertLess(abs((now - created).total_seconds()), 3600, created)
        # dynacore counts exactly (docs/semantics.md); DynamoDB refreshes
        # these about every six hours, so only dynacore can be held to it.
        self.assertEqual(table["ItemCount"], 3)
        self.assertGreater(table["TableSizeBytes"], 0)
        self.assertIn("ProvisionedThroughput", table)

    def test_describe_a_missing_table_is_resource_not_found(self):
        name = unique_name("missing")
        self.assert_client_error(
            lambda: self.ddb.describe_table(TableName=name),
            "ResourceNotFoundException",
            message=f"Requested resource not found: Table: {name} not found",
        )

    def test_creating_an_existing_table_is_resource_in_use(self):
        name = self.new_table("dup")
        self.assert_client_error(
            lambda: self.ddb.create_table(
                TableName=name,
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                BillingMode="PAY_PER_REQUEST",
            ),
            "ResourceInUseException",
            message=f"Table already exists: {name}",
        )

    def test_create_table_validates_its_input(self):
        # Too short a name.
        self.assert_validation(
            lambda: self.ddb.create_table(
                TableName="ab",
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                BillingMode="PAY_PER_REQUEST",
            ),
            startswith="1 validation error detected: Value 'ab' at 'tableName' failed to "
            "satisfy constraint: Member must have length greater than or equal to 3",
        )
        # A key attribute without a definition.
        self.assert_validation(
            lambda: self.ddb.create_table(
                TableName=unique_name("baddef"),
                AttributeDefinitions=[{"AttributeName": "other", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                BillingMode="PAY_PER_REQUEST",
            ),
        )
        # PROVISIONED without ProvisionedThroughput.
        self.assert_validation(
            lambda: self.ddb.create_table(
                TableName=unique_name("noprov"),
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                BillingMode="PROVISIONED",
            ),
        )
        # Missing TableName altogether (boto3 would refuse it; the server must).
        self.assert_validation(
            lambda: self.ddb.create_table(
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                BillingMode="PAY_PER_REQUEST",
            ),
            contains="Value null at 'tableName' failed to satisfy constraint: "
            "Member must not be null",
        )

    def test_every_item_operation_validates_the_table_name(self):
        key = {"pk": {"S": "a"}}
        for name, constraint in (
            ("ab", "Member must have length greater than or equal to 3"),
            ("a b c", "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
            ("x" * 256, "Member must have length less than or equal to 255"),
        ):
            for call in (
                lambda: self.ddb.get_item(TableName=name, Key=key),
                lambda: self.ddb.put_item(TableName=name, Item=key),
                lambda: self.ddb.scan(TableName=name),
                lambda: self.ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST"),
            ):
                self.assert_validation(
                    call,
                    message=f"1 validation error detected: Value '{name}' at 'tableName' failed "
                    f"to satisfy constraint: {constraint}",
                )

    def test_describe_and_delete_table_validate_the_table_name(self):
        for call in (
            lambda: self.ddb.describe_table(TableName="ab"),
            lambda: self.ddb.delete_table(TableName="ab"),
            lambda: self.ddb.describe_table(TableName="a b c"),
        ):
            self.assert_validation(call, startswith="1 validation error detected: Value '")

    def test_list_tables_pages_with_limit_and_exclusive_start_table_name(self):
        mine = sorted(self.new_table("list") for _ in range(5))
        seen = []
        pages = 0
        start = None
        while True:
            kwargs = {"Limit": 2}
            if start is not None:
                kwargs["ExclusiveStartTableName"] = start
            page = self.ddb.list_tables(**kwargs)
            pages += 1
            names = page["TableNames"]
            self.assertLessEqual(len(names), 2)
            self.assertEqual(names, sorted(names))
            seen.extend(names)
            if "LastEvaluatedTableName" not in page:
                break
            self.assertEqual(page["LastEvaluatedTableName"], names[-1])
            start = page["LastEvaluatedTableName"]
            self.assertLess(pages, 10_000)
        self.assertEqual(len(seen), len(set(seen)), "a name came back twice")
        self.assertEqual(seen, sorted(seen))
        for name in mine:
            self.assertIn(name, seen)
        # Starting after one of ours resumes right after it.
        page = self.ddb.list_tables(ExclusiveStartTableName=mine[1], Limit=3)
        self.assertEqual(page["TableNames"][:3], mine[2:5])
        # boto3's paginator uses the same parameters.
        paginated = []
        for page in self.ddb.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 3}):
            paginated.extend(page["TableNames"])
        self.assertEqual(paginated, seen)

    def test_list_tables_limit_out_of_range_is_a_validation_error(self):
        self.assert_validation(
            lambda: self.ddb.list_tables(Limit=0),
            message="1 validation error detected: Value '0' at 'limit' failed to satisfy "
            "constraint: Member must have value greater than or equal to 1",
        )
        self.assert_validation(
            lambda: self.ddb.list_tables(Limit=101),
            message="1 validation error detected: Value '101' at 'limit' failed to satisfy "
            "constraint: Member must have value less than or equal to 100",
        )

    def test_update_table_switches_billing_mode(self):
        name = self.new_table("update")
        response = self.ddb.update_table(
            TableName=name,
            BillingMode="PROVISIONED",
            ProvisionedThroughput={"ReadCapacityUnits": 7, "WriteCapacityUnits": 3},
        )
        description = response["TableDescription"]
        self.assertEqual(description["TableName"], name)
        self.assertIn(description["TableStatus"], ("UPDATING", "ACTIVE"))
        table = self.ddb.describe_table(TableName=name)["Table"]
        # DynamoDB may leave BillingModeSummary out of a PROVISIONED
        # table's description; if it is there it must say PROVISIONED.
        summary = table.get("BillingModeSummary", {"BillingMode": "PROVISIONED"})
        self.assertEqual(summary["BillingMode"], "PROVISIONED")
        self.assertEqual(table["ProvisionedThroughput"]["ReadCapacityUnits"], 7)
        self.assertEqual(table["ProvisionedThroughput"]["WriteCapacityUnits"], 3)
        self.assert_client_error(
            lambda: self.ddb.update_table(
                TableName=unique_name("nope"), BillingMode="PAY_PER_REQUEST"
            ),
            "ResourceNotFoundException",
        )

    def test_delete_table_then_it_is_gone(self):
        name = unique_name("delete")
        self.ddb.create_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        self.ddb.put_item(TableName=name, Item={"pk": {"S": "a"}})
        description = self.ddb.delete_table(TableName=name)["TableDescription"]
        self.assertEqual(description["TableName"], name)
        self.assertIn(description["TableStatus"], ("DELETING", "ACTIVE"))
        self.ddb.get_waiter("table_not_exists").wait(
            TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 10}
        )
        listed = []
        for page in self.ddb.get_paginator("list_tables").paginate():
            listed.extend(page["TableNames"])
        self.assertNotIn(name, listed)
        self.assert_client_error(
            lambda: self.ddb.get_item(TableName=name, Key={"pk": {"S": "a"}}),
            "ResourceNotFoundException",
            startswith="Requested resource not found",
        )
        self.assert_client_error(
            lambda: self.ddb.delete_table(TableName=name), "ResourceNotFoundException"
        )
        # The name is free again, and the new table is empty.
        self.ddb.create_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        self._tables.append(name)
        self.assertNotIn("Item", self.ddb.get_item(TableName=name, Key={"pk": {"S": "a"}}))


if __name__ == "__main__":
    unittest.main()
