//! PutItem: writes, replacement, every attribute type, ReturnValues,
//! conditions, and item and key validation.

use super::*;

fn old() -> Item {
    it(&[("pk", s("k")), ("a", s("old")), ("n", n("1"))])
}

fn new() -> Item {
    it(&[("pk", s("k")), ("b", s("new"))])
}

const INVALID_RETURN: &str = "Return values set to invalid value";

#[test]
fn put_item() {
    let every_type = || {
        it(&[
            ("pk", s("k")),
            ("s", s("text")),
            ("n", n("-12.5E3")),
            ("b", b(&[0, 255])),
            ("t", bo(false)),
            ("z", NULL),
            ("l", l(vec![s("x"), n("1"), l(vec![]), m(&[])])),
            ("m", m(&[("inner", m(&[("deep", ss(&["x"]))]))])),
            ("ss", ss(&["a", "b"])),
            ("ns", ns(&["1", "1.5"])),
            ("bs", bs(&[&[1], &[2, 3]])),
            ("es", s("")),
            ("eb", b(&[])),
        ])
    };
    let case = |name, setup: Vec<Item>, req: W, expect, after: Option<Vec<Item>>| WriteCase {
        name,
        setup,
        req,
        expect,
        after,
    };
    run_writes(
        "put",
        vec![
            case("new item", vec![], put(new()), Ok(None), Some(vec![new()])),
            case(
                "replaces the whole item",
                vec![old()],
                put(new()),
                Ok(None),
                Some(vec![new()]),
            ),
            case(
                "every attribute type",
                vec![],
                put(every_type()),
                Ok(None),
                Some(vec![every_type()]),
            ),
            case(
                "another key leaves the item alone",
                vec![old()],
                put(hk("other")),
                Ok(None),
                Some(vec![old(), hk("other")]),
            ),
            case(
                "ReturnValues NONE",
                vec![old()],
                put(new()).rv(ReturnValues::None),
                Ok(None),
                Some(vec![new()]),
            ),
            case(
                "ReturnValues ALL_OLD of a replaced item",
                vec![old()],
                put(new()).rv(ReturnValues::AllOld),
                Ok(Some(old())),
                Some(vec![new()]),
            ),
            case(
                "ReturnValues ALL_OLD of a new item is nothing",
                vec![],
                put(new()).rv(ReturnValues::AllOld),
                Ok(None),
                Some(vec![new()]),
            ),
            case(
                "ReturnValues ALL_NEW",
                vec![old()],
                put(new()).rv(ReturnValues::AllNew),
                Err(verr(INVALID_RETURN)),
                None,
            ),
            case(
                "ReturnValues UPDATED_OLD",
                vec![old()],
                put(new()).rv(ReturnValues::UpdatedOld),
                Err(verr(INVALID_RETURN)),
                None,
            ),
            case(
                "ReturnValues UPDATED_NEW",
                vec![old()],
                put(new()).rv(ReturnValues::UpdatedNew),
                Err(verr(INVALID_RETURN)),
                None,
            ),
            case(
                "attribute_not_exists(pk) on a new key",
                vec![],
                put(new()).cond("attribute_not_exists(pk)"),
                Ok(None),
                Some(vec![new()]),
            ),
            case(
                "attribute_not_exists(pk) on an existing key",
                vec![old()],
                put(new()).cond("attribute_not_exists(pk)"),
                Err(ccf()),
                None,
            ),
            case(
                "failed condition returns the item with ALL_OLD on failure",
                vec![old()],
                put(new()).cond("attribute_not_exists(pk)").old_on_fail(),
                Err(ccf_with(old())),
                None,
            ),
            case(
                "failed condition on a missing item returns nothing",
                vec![],
                put(new()).cond("attribute_exists(pk)").old_on_fail(),
                Err(ccf()),
                None,
            ),
            case(
                "condition on the old item holds",
                vec![old()],
                put(new())
                    .cond("a = :old")
                    .vals(&[(":old", s("old"))])
                    .rv(ReturnValues::AllOld),
                Ok(Some(old())),
                Some(vec![new()]),
            ),
            case(
                "condition about the new item's attributes sees the old item",
                vec![old()],
                put(new()).cond("attribute_exists(b)"),
                Err(ccf()),
                None,
            ),
            case(
                "ALL_OLD on failure with a passing condition returns nothing",
                vec![old()],
                put(new()).cond("attribute_exists(a)").old_on_fail(),
                Ok(None),
                Some(vec![new()]),
            ),
            case(
                "missing table",
                vec![],
                put(new()).on("nope"),
                Err(no_table("nope")),
                None,
            ),
            case(
                "invalid table name",
                vec![],
                put(new()).on("ab"),
                Err(verr(
                    "1 validation error detected: Value 'ab' at 'tableName' failed to satisfy \
                     constraint: Member must have length greater than or equal to 3",
                )),
                None,
            ),
            case(
                "missing partition key",
                vec![old()],
                put(it(&[("a", s("x"))])),
                Err(verr(
                    "One or more parameter values were invalid: Missing the key pk in the item",
                )),
                None,
            ),
            case(
                "missing sort key",
                vec![],
                put(hk("k")).on("range"),
                Err(verr(
                    "One or more parameter values were invalid: Missing the key sk in the item",
                )),
                None,
            ),
            case(
                "partition key of the wrong type",
                vec![old()],
                put(it(&[("pk", n("1"))])),
                Err(verr(
                    "One or more parameter values were invalid: Type mismatch for key pk expected: \
                     S actual: N",
                )),
                None,
            ),
            case(
                "sort key of the wrong type",
                vec![],
                put(it(&[("pk", s("k")), ("sk", s("1"))])).on("range"),
                Err(verr(
                    "One or more parameter values were invalid: Type mismatch for key sk expected: \
                     N actual: S",
                )),
                None,
            ),
            case(
                "binary partition key given a string",
                vec![],
                put(it(&[("pk", s("k"))])).on("bin"),
                Err(verr(
                    "One or more parameter values were invalid: Type mismatch for key pk expected: \
                     B actual: S",
                )),
                None,
            ),
            case(
                "empty string partition key",
                vec![],
                put(it(&[("pk", s(""))])),
                Err(verr(
                    "One or more parameter values are not valid. The AttributeValue for a key \
                     attribute cannot contain an empty string value. Key: pk",
                )),
                None,
            ),
            case(
                "empty string sort key",
                vec![],
                put(it(&[("pk", s("k")), ("sk", s(""))])).on("srange"),
                Err(verr(
                    "One or more parameter values are not valid. The AttributeValue for a key \
                     attribute cannot contain an empty string value. Key: sk",
                )),
                None,
            ),
            case(
                "empty binary partition key",
                vec![],
                put(it(&[("pk", b(&[]))])).on("bin"),
                Err(verr(
                    "One or more parameter values are not valid. The AttributeValue for a key \
                     attribute cannot contain an empty binary value. Key: pk",
                )),
                None,
            ),
            case(
                "empty string set attribute",
                vec![old()],
                put(it(&[("pk", s("k")), ("e", empty_ss())])),
                Err(verr(
                    "One or more parameter values were invalid: An string set  may not be empty",
                )),
                None,
            ),
            case(
                "empty number set attribute",
                vec![old()],
                put(it(&[
                    ("pk", s("k")),
                    ("e", AttributeValue::Ns(BTreeSet::new())),
                ])),
                Err(verr(
                    "One or more parameter values were invalid: An number set  may not be empty",
                )),
                None,
            ),
            case(
                "empty binary set attribute",
                vec![old()],
                put(it(&[
                    ("pk", s("k")),
                    ("e", AttributeValue::Bs(BTreeSet::new())),
                ])),
                Err(verr(
                    "One or more parameter values were invalid: Binary sets should not be empty",
                )),
                None,
            ),
            case(
                "empty set nested in a map",
                vec![old()],
                put(it(&[("pk", s("k")), ("m", m(&[("e", empty_ss())]))])),
                Err(verr(
                    "One or more parameter values were invalid: An string set  may not be empty",
                )),
                None,
            ),
            case(
                "number key in a number table",
                vec![],
                put(it(&[("id", n("7")), ("a", s("x"))])).on("num"),
                Ok(None),
                Some(vec![it(&[("id", n("7")), ("a", s("x"))])]),
            ),
        ],
    );
}
