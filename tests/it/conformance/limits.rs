//! DynamoDB's limits: item size, key sizes, nesting depth, number
//! precision and range, and the expression limits (4 KB, 300 operators,
//! 32 path levels, 100 IN operands).

use super::*;

const DIGITS: &str = "Attempting to store more than 38 significant digits in a Number";
const OVERFLOW: &str =
    "Number overflow. Attempting to store a number with magnitude larger than supported range";
const UNDERFLOW: &str =
    "Number underflow. Attempting to store a number with magnitude smaller than supported range";
const NESTING: &str = "Nesting Levels have exceeded supported limits: Attributes in the item have \
                       nested levels beyond supported limit";

/// A Number's text and whether DynamoDB accepts it (or its error).
///
/// The engine's API takes an already parsed `Number`, so a request with an
/// invalid number cannot even be built: these cases check the parse, which
/// is where the engine reports DynamoDB's message.
#[derive(Debug)]
struct NumberCase {
    name: &'static str,
    text: &'static str,
    expect: Result<&'static str, Fail>,
}

#[test]
fn numbers() {
    let cases = vec![
        NumberCase {
            name: "38 digits",
            text: "12345678901234567890123456789012345678",
            expect: Ok("12345678901234567890123456789012345678"),
        },
        NumberCase {
            name: "39 digits",
            text: "123456789012345678901234567890123456789",
            expect: Err(verr(DIGITS)),
        },
        NumberCase {
            name: "39 digits in a fraction",
            text: "-1.23456789012345678901234567890123456789",
            expect: Err(verr(DIGITS)),
        },
        NumberCase {
            name: "trailing zeros are not significant",
            text: "1230000000000000000000000000000000000000000",
            expect: Ok("1230000000000000000000000000000000000000000"),
        },
        NumberCase {
            name: "leading zeros are not significant",
            text: "0000000000000000000000000000000000000000001.5",
            expect: Ok("1.5"),
        },
        NumberCase {
            name: "largest",
            text: "9.9999999999999999999999999999999999999E+125",
            expect: Ok(
                "999999999999999999999999999999999999990000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
            ),
        },
        NumberCase {
            name: "1E126 overflows",
            text: "1E126",
            expect: Err(verr(OVERFLOW)),
        },
        NumberCase {
            name: "-1E126 overflows",
            text: "-1E126",
            expect: Err(verr(OVERFLOW)),
        },
        NumberCase {
            name: "smallest",
            text: "1E-130",
            expect: Ok(
                "0.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001",
            ),
        },
        NumberCase {
            name: "1E-131 underflows",
            text: "1E-131",
            expect: Err(verr(UNDERFLOW)),
        },
        NumberCase {
            name: "-1E-131 underflows",
            text: "-1E-131",
            expect: Err(verr(UNDERFLOW)),
        },
        NumberCase {
            name: "zero",
            text: "-0.000",
            expect: Ok("0"),
        },
        NumberCase {
            name: "not a number",
            text: "abc",
            expect: Err(verr(
                "The parameter cannot be converted to a numeric value: abc",
            )),
        },
        NumberCase {
            name: "empty",
            text: "",
            expect: Err(verr("The parameter cannot be converted to a numeric value")),
        },
        NumberCase {
            name: "NaN",
            text: "NaN",
            expect: Err(verr(
                "The parameter cannot be converted to a numeric value: NaN",
            )),
        },
        NumberCase {
            name: "Infinity",
            text: "Infinity",
            expect: Err(verr(
                "The parameter cannot be converted to a numeric value: Infinity",
            )),
        },
    ];
    let mut report = Report::new("limits/numbers");
    for case in cases {
        let got = case.text.parse::<Number>().map(|number| number.to_string());
        let want = case.expect.clone().map(str::to_owned);
        report.record(case.name, compare(got, &want));
    }
    report.finish();
}

/// A value nested `depth` levels deep (lists and maps alternating).
fn nested(depth: usize) -> AttributeValue {
    let mut value = s("leaf");
    for level in 0..depth {
        value = if level % 2 == 0 {
            l(vec![value])
        } else {
            m(&[("m", value)])
        };
    }
    value
}

/// An item `{pk: "k", big: "x" * len}`, of `6 + len` bytes.
fn sized(len: usize) -> Item {
    it(&[("pk", s("k")), ("big", s(&"x".repeat(len)))])
}

/// An expression reading `a.a.a…` with `depth` levels.
fn deep_path(depth: usize) -> String {
    vec!["a"; depth].join(".")
}

#[test]
fn item_and_key_limits() {
    let case = |name, req: W, expect: Result<Option<Item>, Fail>| {
        let after = match (&req.op, &expect) {
            (Op::Put(item), Ok(_)) => Some(vec![item.clone()]),
            _ => None,
        };
        WriteCase {
            name,
            setup: vec![],
            req,
            expect,
            after,
        }
    };
    let long = |len: usize| "p".repeat(len);
    let hash_size = "One or more parameter values were invalid: Size of hashkey has exceeded the maximum size limit of2048 bytes";
    let range_size = "One or more parameter values were invalid: Aggregated size of all range keys has exceeded the size limit of 1024 bytes";
    run_writes(
        "limits/items",
        vec![
            case("item of exactly 400 KB", put(sized(409_600 - 6)), Ok(None)),
            case(
                "item one byte over 400 KB",
                put(sized(409_600 - 5)),
                Err(verr("Item size has exceeded the maximum allowed size")),
            ),
            case(
                "partition key of 2048 bytes",
                put(hk(&long(2048))),
                Ok(None),
            ),
            case(
                "partition key of 2049 bytes",
                put(hk(&long(2049))),
                Err(verr(hash_size)),
            ),
            case(
                "partition key of 2048 bytes of UTF-8",
                put(hk(&"é".repeat(1024))),
                Ok(None),
            ),
            case(
                "partition key of 2050 bytes of UTF-8",
                put(hk(&"é".repeat(1025))),
                Err(verr(hash_size)),
            ),
            case(
                "binary partition key of 2049 bytes",
                put(it(&[("pk", b(&[7; 2049]))])).on("bin"),
                Err(verr(hash_size)),
            ),
            case(
                "sort key of 1024 bytes",
                put(it(&[("pk", s("k")), ("sk", s(&long(1024)))])).on("srange"),
                Ok(None),
            ),
            case(
                "sort key of 1025 bytes",
                put(it(&[("pk", s("k")), ("sk", s(&long(1025)))])).on("srange"),
                Err(verr(range_size)),
            ),
            case(
                "nesting of 32 levels",
                put(it(&[("pk", s("k")), ("d", nested(32))])),
                Ok(None),
            ),
            // unverified
            case(
                "nesting of 33 levels",
                put(it(&[("pk", s("k")), ("d", nested(33))])),
                Err(verr(NESTING)),
            ),
            case(
                "38-digit number attribute",
                put(it(&[
                    ("pk", s("k")),
                    ("n", n("1.2345678901234567890123456789012345678")),
                ])),
                Ok(None),
            ),
            case(
                "a GetItem-sized key on a Delete",
                del(hk(&long(2049))),
                Err(verr(hash_size)),
            ),
        ],
    );
}

#[test]
fn expression_limits() {
    let padded = |expr: &str, len: usize| format!("{expr}{}", " ".repeat(len - expr.len()));
    let exact = nm(padded("n = :five", 4096));
    let over = nm(padded("n = :five", 4097));
    let ors = |terms: usize| vec!["n = :six"; terms].join(" OR ");
    let ops_300 = nm(format!("NOT {}", ors(150)));
    let ops_301 = nm(ors(151));
    let in_list = |count: usize| {
        let candidates: Vec<String> = (0..count).map(|i| format!(":v{i}")).collect();
        format!("n IN ({})", candidates.join(", "))
    };
    let in_values = |count: usize| {
        vals(
            &(0..count)
                .map(|i| (nm(format!(":v{i}")), n(&i.to_string())))
                .collect::<Vec<_>>(),
        )
    };
    let item = || it(&[("pk", s("k")), ("n", n("5"))]);
    let marker = || it(&[("pk", s("k")), ("marker", bo(true))]);
    let case = |name, req: W, expect: Result<Option<Item>, Fail>| WriteCase {
        name,
        setup: vec![item()],
        after: expect.as_ref().ok().map(|_| vec![marker()]),
        req,
        expect,
    };
    let deep_32 = nm(format!("attribute_not_exists({})", deep_path(32)));
    let deep_33 = nm(format!("attribute_not_exists({})", deep_path(33)));
    run_writes(
        "limits/expressions",
        vec![
            case(
                "condition of exactly 4 KB",
                put(marker()).cond(exact),
                Ok(None),
            ),
            case(
                "condition over 4 KB",
                put(marker()).cond(over),
                Err(verr(
                    "Invalid ConditionExpression: Expression size has exceeded the maximum allowed \
                     size; expression size: 4097",
                )),
            ),
            case("300 operators", put(marker()).cond(ops_300), Ok(None)),
            case(
                "301 operators",
                put(marker()).cond(ops_301),
                Err(verr(
                    "Invalid ConditionExpression: The expression contains too many operators; \
                     operator count: 301",
                )),
            ),
            case(
                "IN with 100 operands",
                put(marker())
                    .cond(nm(in_list(100)))
                    .vals_map(in_values(100)),
                Ok(None),
            ),
            case(
                "IN with 101 operands",
                put(marker())
                    .cond(nm(in_list(101)))
                    .vals_map(in_values(101)),
                Err(verr(
                    "Invalid ConditionExpression: The IN operator is provided with too many \
                     operands; number of operands: 101",
                )),
            ),
            case("path of 32 levels", put(marker()).cond(deep_32), Ok(None)),
            case(
                // unverified
                "path of 33 levels",
                put(marker()).cond(deep_33),
                Err(verr(
                    "Invalid ConditionExpression: The document path has too many nesting levels; \
                     nesting levels: 33",
                )),
            ),
            case(
                // unverified
                "update path of 33 levels",
                upd(hk("k"), nm(format!("SET {} = :one", deep_path(33)))),
                Err(verr(
                    "Invalid UpdateExpression: The document path has too many nesting levels; \
                     nesting levels: 33",
                )),
            ),
        ],
    );
}

#[test]
fn projection_limits() {
    let item = || it(&[("pk", s("k")), ("n", n("5"))]);
    run_gets(
        "limits/projection",
        vec![GetCase {
            // unverified
            name: "projection path of 33 levels",
            setup: vec![item()],
            req: GetItemRequest {
                projection_expression: Some(deep_path(33)),
                ..get(hk("k"))
            },
            expect: Err(verr(
                "Invalid ProjectionExpression: The document path has too many nesting levels; \
                 nesting levels: 33",
            )),
        }],
    );
}
