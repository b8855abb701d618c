"""The AWS CLI (v1, `aws dynamodb ...`) against the listener, as a
subprocess with dummy credentials in its environment and `--output json`:
exit codes, parsed output, the CLI's own pagination, and an error's exit
code and name on stderr."""

import json
import os
import shutil
import subprocess
import tempfile
import unittest

from support import ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY, endpoint_url, unique_name

AWS = shutil.which("aws")
# awscli v1 exits 255 for a service error (v2 uses 254), 252 or 2 for
# arguments it cannot parse.
SERVICE_ERROR_EXIT_CODES = (254, 255)


@unittest.skipIf(AWS is None, "the aws CLI is not installed (pip install awscli)")
class AwsCliTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.home = tempfile.mkdtemp(prefix="dynacore-awscli-")
        cls.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("AWS_")
        }
        cls.env.update(
            {
                "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
                "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
                "AWS_DEFAULT_REGION": REGION,
                # Nothing from the machine's own AWS configuration.
                "AWS_CONFIG_FILE": os.path.join(cls.home, "config"),
                "AWS_SHARED_CREDENTIALS_FILE": os.path.join(cls.home, "credentials"),
                "AWS_RETRY_MODE": "legacy",
                "AWS_MAX_ATTEMPTS": "1",
                "AWS_PAGER": "",
                "HOME": cls.home,
            }
        )
        cls.table = unique_name("cli")

    @classmethod
    def tearDownClass(cls):
        cls.aws("delete-table", "--table-name", cls.table, check=False)
        shutil.rmtree(cls.home, ignore_errors=True)

    @classmethod
    def aws(cls, *args, check=True):
        """Runs `aws dynamodb ARGS --endpoint-url URL --output json`;
        returns (exit code, parsed stdout or None, stderr)."""
        command = [AWS, "dynamodb", *args, "--endpoint-url", endpoint_url(), "--output", "json"]
        result = subprocess.run(command, env=cls.env, capture_output=True, text=True, timeout=60)
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(args)} exited {result.returncode}: {result.stderr}")
        parsed = json.loads(result.stdout) if result.stdout.strip() else None
        return result.returncode, parsed, result.stderr

    def test_a_session_of_cli_commands(self):
        # One test, in order: each CLI run costs a Python start-up.
        _, created, _ = self.aws(
            "create-table",
            "--table-name", self.table,
            "--attribute-definitions", "AttributeName=pk,AttributeType=S", "AttributeName=sk,AttributeType=N",
            "--key-schema", "AttributeName=pk,KeyType=HASH", "AttributeName=sk,KeyType=RANGE",
            "--billing-mode", "PAY_PER_REQUEST",
        )
        self.assertEqual(created["TableDescription"]["TableName"], self.table)
        self.aws("wait", "table-exists", "--table-name", self.table)

        for sk in range(5):
            code, out, _ = self.aws(
                "put-item", "--table-name", self.table,
                "--item", json.dumps({"pk": {"S": "cli"}, "sk": {"N": str(sk)}, "v": {"S": f"value {sk}"}}),
            )
            self.assertEqual(code, 0)
            self.assertIsNone(out)

        _, got, _ = self.aws(
            "get-item", "--table-name", self.table,
            "--key", json.dumps({"pk": {"S": "cli"}, "sk": {"N": "3"}}), "--consistent-read",
        )
        self.assertEqual(got["Item"], {"pk": {"S": "cli"}, "sk": {"N": "3"}, "v": {"S": "value 3"}})

        _, queried, _ = self.aws(
            "query", "--table-name", self.table,
            "--key-condition-expression", "pk = :p AND sk >= :lo",
            "--expression-attribute-values", json.dumps({":p": {"S": "cli"}, ":lo": {"N": "2"}}),
            "--no-scan-index-forward",
        )
        self.assertEqual([i["sk"]["N"] for i in queried["Items"]], ["4", "3", "2"])
        self.assertEqual(queried["Count"], 3)

        # --page-size makes the CLI page with Limit and ExclusiveStartKey
        # and merge the pages: every item, once.
        _, scanned, _ = self.aws("scan", "--table-name", self.table, "--page-size", "2")
        self.assertEqual(sorted(int(i["sk"]["N"]) for i in scanned["Items"]), [0, 1, 2, 3, 4])
        self.assertEqual(scanned["Count"], 5)

        _, listed, _ = self.aws("list-tables", "--page-size", "1")
        self.assertIn(self.table, listed["TableNames"])

        _, described, _ = self.aws("describe-table", "--table-name", self.table)
        self.assertEqual(described["Table"]["ItemCount"], 5)

        code, _, stderr = self.aws(
            "put-item", "--table-name", self.table,
            "--item", json.dumps({"pk": {"S": "cli"}, "sk": {"N": "1"}}),
            "--condition-expression", "attribute_not_exists(pk)",
            check=False,
        )
        self.assertIn(code, SERVICE_ERROR_EXIT_CODES, stderr)
        self.assertIn("ConditionalCheckFailedException", stderr)
        self.assertIn("The conditional request failed", stderr)

        code, out, stderr = self.aws(
            "query", "--table-name", self.table,
            "--key-condition-expression", "pk = = :p",
            "--expression-attribute-values", json.dumps({":p": {"S": "cli"}}),
            check=False,
        )
        self.assertIn(code, SERVICE_ERROR_EXIT_CODES, stderr)
        self.assertIsNone(out)
        self.assertIn("An error occurred (ValidationException) when calling the Query operation: "
                      "Invalid KeyConditionExpression: Syntax error", stderr)

        _, deleted, _ = self.aws("delete-table", "--table-name", self.table)
        self.assertEqual(deleted["TableDescription"]["TableName"], self.table)

        code, out, stderr = self.aws("describe-table", "--table-name", self.table, check=False)
        self.assertIn(code, SERVICE_ERROR_EXIT_CODES, stderr)
        self.assertIsNone(out)
        self.assertIn("An error occurred (ResourceNotFoundException) when calling the DescribeTable operation", stderr)


if __name__ == "__main__":
    unittest.main()
