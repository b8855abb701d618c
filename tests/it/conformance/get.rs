//! GetItem without projections: found and absent items, key validation.

use super::*;

fn item() -> Item {
    it(&[("pk", s("k")), ("a", s("x")), ("l", l(vec![n("1")]))])
}

const KEY_MISMATCH: &str = "The provided key element does not match the schema";

#[test]
fn get_item() {
    let on = |table: &str, key: Item| GetItemRequest {
        table_name: table.to_owned(),
        ..get(key)
    };
    let case = |name, setup: Vec<Item>, req, expect| GetCase {
        name,
        setup,
        req,
        expect,
    };
    run_gets(
        "get",
        vec![
            case("found", vec![item()], get(hk("k")), Ok(Some(item()))),
            case("absent", vec![item()], get(hk("other")), Ok(None)),
            case("empty table", vec![], get(hk("k")), Ok(None)),
            case(
                "consistent read",
                vec![item()],
                GetItemRequest {
                    consistent_read: true,
                    ..get(hk("k"))
                },
                Ok(Some(item())),
            ),
            case(
                "sort key table",
                vec![with(&rk("k", "1"), &[("a", s("one"))]), rk("k", "2")],
                on("range", rk("k", "1")),
                Ok(Some(with(&rk("k", "1"), &[("a", s("one"))]))),
            ),
            case(
                "numerically equal sort key",
                vec![rk("k", "1.50")],
                on("range", rk("k", "1.5")),
                Ok(Some(rk("k", "1.5"))),
            ),
            case(
                "binary key",
                vec![it(&[("pk", b(&[0, 1]))])],
                on("bin", it(&[("pk", b(&[0, 1]))])),
                Ok(Some(it(&[("pk", b(&[0, 1]))]))),
            ),
            case(
                "key with an extra attribute",
                vec![item()],
                get(item()),
                Err(verr(KEY_MISMATCH)),
            ),
            case(
                "key of the wrong type",
                vec![item()],
                get(it(&[("pk", n("1"))])),
                Err(verr(KEY_MISMATCH)),
            ),
            case(
                "key of another name",
                vec![item()],
                get(it(&[("x", s("k"))])),
                Err(verr(KEY_MISMATCH)),
            ),
            case(
                "empty key",
                vec![item()],
                get(it(&[])),
                Err(verr(KEY_MISMATCH)),
            ),
            case(
                "key without its sort key",
                vec![],
                on("range", hk("k")),
                Err(verr(KEY_MISMATCH)),
            ),
            case(
                "sort key of the wrong type",
                vec![],
                on("range", it(&[("pk", s("k")), ("sk", s("1"))])),
                Err(verr(KEY_MISMATCH)),
            ),
            case(
                "empty string key",
                vec![],
                get(hk("")),
                Err(verr(
                    "One or more parameter values are not valid. The AttributeValue for a key \
                     attribute cannot contain an empty string value. Key: pk",
                )),
            ),
            case(
                "missing table",
                vec![],
                on("nope", hk("k")),
                Err(no_table("nope")),
            ),
            case(
                "names without a projection",
                vec![item()],
                GetItemRequest {
                    expression_attribute_names: Some(names(&[("#a", "a")])),
                    ..get(hk("k"))
                },
                Err(verr(
                    "ExpressionAttributeNames can only be specified when using expressions",
                )),
            ),
        ],
    );
}
