//! DeleteItem: deletes, absent items, ReturnValues, conditions and key
//! validation.

use super::*;

fn old() -> Item {
    it(&[("pk", s("k")), ("a", s("old")), ("n", n("1"))])
}

const INVALID_RETURN: &str = "Return values set to invalid value";
const KEY_MISMATCH: &str = "The provided key element does not match the schema";

#[test]
fn delete_item() {
    let case = |name, setup: Vec<Item>, req: W, expect, after: Option<Vec<Item>>| WriteCase {
        name,
        setup,
        req,
        expect,
        after,
    };
    let gone = || Some(vec![]);
    run_writes(
        "delete",
        vec![
            case(
                "deletes the item",
                vec![old()],
                del(hk("k")),
                Ok(None),
                gone(),
            ),
            case(
                "absent item is no error",
                vec![old()],
                del(hk("x")),
                Ok(None),
                None,
            ),
            case(
                "other items stay",
                vec![old(), hk("x")],
                del(hk("x")),
                Ok(None),
                Some(vec![old()]),
            ),
            case(
                "ALL_OLD returns the item",
                vec![old()],
                del(hk("k")).rv(ReturnValues::AllOld),
                Ok(Some(old())),
                gone(),
            ),
            case(
                "ALL_OLD of an absent item is nothing",
                vec![],
                del(hk("k")).rv(ReturnValues::AllOld),
                Ok(None),
                None,
            ),
            case(
                "ReturnValues NONE",
                vec![old()],
                del(hk("k")).rv(ReturnValues::None),
                Ok(None),
                gone(),
            ),
            case(
                "ReturnValues ALL_NEW",
                vec![old()],
                del(hk("k")).rv(ReturnValues::AllNew),
                Err(verr(INVALID_RETURN)),
                None,
            ),
            case(
                "ReturnValues UPDATED_OLD",
                vec![old()],
                del(hk("k")).rv(ReturnValues::UpdatedOld),
                Err(verr(INVALID_RETURN)),
                None,
            ),
            case(
                "ReturnValues UPDATED_NEW",
                vec![old()],
                del(hk("k")).rv(ReturnValues::UpdatedNew),
                Err(verr(INVALID_RETURN)),
                None,
            ),
            case(
                "condition holds",
                vec![old()],
                del(hk("k")).cond("n = :one"),
                Ok(None),
                gone(),
            ),
            case(
                "condition fails",
                vec![old()],
                del(hk("k")).cond("n = :two"),
                Err(ccf()),
                None,
            ),
            case(
                "condition fails, ALL_OLD on failure",
                vec![old()],
                del(hk("k")).cond("n = :two").old_on_fail(),
                Err(ccf_with(old())),
                None,
            ),
            case(
                "attribute_exists on an absent item fails",
                vec![],
                del(hk("k")).cond("attribute_exists(pk)").old_on_fail(),
                Err(ccf()),
                None,
            ),
            case(
                "attribute_not_exists on an absent item holds",
                vec![],
                del(hk("k")).cond("attribute_not_exists(pk)"),
                Ok(None),
                None,
            ),
            case(
                "condition holds with ALL_OLD",
                vec![old()],
                del(hk("k"))
                    .cond("begins_with(a, :o)")
                    .vals(&[(":o", s("o"))])
                    .rv(ReturnValues::AllOld),
                Ok(Some(old())),
                gone(),
            ),
            case(
                "key with an extra attribute",
                vec![old()],
                del(old()),
                Err(verr(KEY_MISMATCH)),
                None,
            ),
            case(
                "key of the wrong type",
                vec![old()],
                del(it(&[("pk", n("1"))])),
                Err(verr(KEY_MISMATCH)),
                None,
            ),
            case(
                "key of another name",
                vec![old()],
                del(it(&[("id", s("k"))])),
                Err(verr(KEY_MISMATCH)),
                None,
            ),
            case(
                "empty key",
                vec![old()],
                del(it(&[])),
                Err(verr(KEY_MISMATCH)),
                None,
            ),
            case(
                "key without its sort key",
                vec![rk("k", "1")],
                del(hk("k")).on("range"),
                Err(verr(KEY_MISMATCH)),
                None,
            ),
            case(
                "sort key table",
                vec![rk("k", "1"), rk("k", "2")],
                del(rk("k", "1")).on("range"),
                Ok(None),
                Some(vec![rk("k", "2")]),
            ),
            case(
                "empty string key",
                vec![old()],
                del(hk("")),
                Err(verr(
                    "One or more parameter values are not valid. The AttributeValue for a key \
                     attribute cannot contain an empty string value. Key: pk",
                )),
                None,
            ),
            case(
                "missing table",
                vec![],
                del(hk("k")).on("nope"),
                Err(no_table("nope")),
                None,
            ),
            case(
                "values without a condition",
                vec![old()],
                del(hk("k")).vals(&[(":a", n("1"))]),
                Err(verr(
                    "ExpressionAttributeValues can only be specified when using expressions: \
                     ConditionExpression is null",
                )),
                None,
            ),
            case(
                "invalid condition changes nothing",
                vec![old()],
                del(hk("k")).cond("n = :nope"),
                Err(verr(
                    "Invalid ConditionExpression: An expression attribute value used in expression \
                     is not defined; attribute value: :nope",
                )),
                None,
            ),
        ],
    );
}
