//! REMOVE, ADD and DELETE, and updates using every clause.

use super::*;

// ----- REMOVE ---------------------------------------------------------------

#[test]
fn remove_deletes_what_exists_and_ignores_what_does_not() {
    let doc = || {
        item(vec![
            ("a", m(vec![("x", n("3"))])),
            ("b", l(vec![s("hi")])),
            ("text", s("hello")),
            ("map", m(vec![("1", s("a"))])),
        ])
    };
    let without = |name: &str| {
        let mut after = doc();
        after.remove(name);
        after
    };
    let with = |name: &str, value: AttributeValue| {
        let mut after = doc();
        after.insert(name.to_string(), value);
        after
    };
    run(vec![
        case(
            "a top-level attribute",
            doc(),
            vec![remove("text")],
            Ok(without("text")),
        ),
        case("a missing attribute", doc(), vec![remove("c")], Ok(doc())),
        case(
            "a missing map member",
            doc(),
            vec![remove("a.y")],
            Ok(doc()),
        ),
        case(
            "an index past the end",
            doc(),
            vec![remove("b[7]")],
            Ok(doc()),
        ),
        case(
            "the only member leaves an empty map",
            doc(),
            vec![remove("a.x")],
            Ok(with("a", m(vec![]))),
        ),
        case(
            "the only element leaves an empty list",
            doc(),
            vec![remove("b[0]")],
            Ok(with("b", l(vec![]))),
        ),
        case(
            "a member of a string",
            doc(),
            vec![remove("text.c")],
            Err(BAD_PATH),
        ),
        case(
            "a member of a list",
            doc(),
            vec![remove("b.c")],
            Err(BAD_PATH),
        ),
        case(
            "a member of a missing attribute",
            doc(),
            vec![remove("c.c")],
            Err(BAD_PATH),
        ),
        case(
            "an index of a string",
            doc(),
            vec![remove("text[0]")],
            Err(BAD_PATH),
        ),
        case(
            "an index of a missing attribute",
            doc(),
            vec![remove("c[0]")],
            Err(BAD_PATH),
        ),
        case(
            "an index of a map",
            doc(),
            vec![remove("map[1]")],
            Err(BAD_PATH),
        ),
        case(
            // ScyllaDB's test_nested_attribute_remove_from_missing_item.
            "any path on a missing item is ignored",
            Item::new(),
            vec![remove("x.y"), remove("z[0]"), remove("w")],
            Ok(Item::new()),
        ),
    ]);
    let deep = item(vec![(
        "a",
        m(vec![
            ("b", n("3")),
            (
                "c",
                l(vec![
                    s("hi"),
                    m(vec![
                        ("x", m(vec![("y", numbers(&["3", "5", "7"]))])),
                        ("q", n("2")),
                    ]),
                ]),
            ),
        ]),
    )]);
    let after = update(vec![remove("a.c[1].x.y[1]"), remove("a.c[1].q")])
        .apply(&deep)
        .unwrap();
    assert_eq!(
        after,
        item(vec![(
            "a",
            m(vec![
                ("b", n("3")),
                (
                    "c",
                    l(vec![
                        s("hi"),
                        m(vec![("x", m(vec![("y", numbers(&["3", "7"]))]))])
                    ])
                ),
            ]),
        )])
    );
}

// ----- ADD ------------------------------------------------------------------

#[test]
fn add_adds_numbers_and_unions_sets() {
    let base = || {
        item(vec![
            ("a", n("3")),
            ("text", s("hi")),
            ("animals", ss(&["dog", "cat", "mouse"])),
            ("numbers", ns(&["1", "2"])),
            ("blobs", bs(&[b"x"])),
            ("list", numbers(&["1", "2"])),
            (
                "doc",
                m(vec![
                    ("i", ss(&["j", "k"])),
                    ("d", l(vec![s("e"), ss(&["g"])])),
                ]),
            ),
        ])
    };
    let with = |name: &str, value: AttributeValue| {
        let mut after = base();
        after.insert(name.to_string(), value);
        after
    };
    run(vec![
        case(
            "add to a number",
            base(),
            vec![add("a", n("4"))],
            Ok(with("a", n("7"))),
        ),
        case(
            "add a negative number",
            base(),
            vec![add("a", n("-3.5"))],
            Ok(with("a", n("-0.5"))),
        ),
        case(
            "a missing number counts as zero",
            base(),
            vec![add("b", n("7"))],
            Ok(with("b", n("7"))),
        ),
        case(
            "add on a missing item",
            Item::new(),
            vec![add("b", n("8"))],
            Ok(item(vec![("b", n("8"))])),
        ),
        case(
            "add a number to a string",
            base(),
            vec![add("text", n("1"))],
            Err(BAD_TYPE),
        ),
        case(
            "add a number to a number set",
            base(),
            vec![add("numbers", n("1"))],
            Err(BAD_TYPE),
        ),
        case(
            "add overflowing",
            item(vec![("a", n("9e125"))]),
            vec![add("a", n("9e125"))],
            Err(OVERFLOW),
        ),
        case(
            "add needing 39 digits",
            item(vec![("a", n("1e50"))]),
            vec![add("a", n("1"))],
            Err(OVERFLOW),
        ),
        case(
            "union of string sets",
            base(),
            vec![add("animals", ss(&["pig", "cat"]))],
            Ok(with("animals", ss(&["dog", "cat", "mouse", "pig"]))),
        ),
        case(
            "union of number sets by value",
            base(),
            vec![add("numbers", ns(&["2.0", "3"]))],
            Ok(with("numbers", ns(&["1", "2", "3"]))),
        ),
        case(
            "union of binary sets",
            base(),
            vec![add("blobs", bs(&[b"y"]))],
            Ok(with("blobs", bs(&[b"x", b"y"]))),
        ),
        case(
            "a missing set becomes the set",
            base(),
            vec![add("new", ss(&["dog"]))],
            Ok(with("new", ss(&["dog"]))),
        ),
        case(
            "a number set to a string set",
            base(),
            vec![add("animals", ns(&["1"]))],
            Err(BAD_TYPE),
        ),
        case(
            "a set to a list",
            base(),
            vec![add("list", ns(&["3"]))],
            Err(BAD_TYPE),
        ),
        case(
            "a set to a map",
            base(),
            vec![add("doc", ns(&["3"]))],
            Err(BAD_TYPE),
        ),
        case(
            "a set to a number",
            base(),
            vec![add("a", ns(&["3"]))],
            Err(BAD_TYPE),
        ),
        case(
            // The parser rejects ADD of a list; an evaluator handed one
            // reports the type error rather than appending.
            "a list operand",
            base(),
            vec![add("list", numbers(&["3"]))],
            Err(BAD_TYPE),
        ),
        case(
            // ScyllaDB's test_update_condition_eq_nested_set.
            "nested sets, in a map and in a list",
            base(),
            vec![add("doc.d[1]", ss(&["l", "m"])), add("doc.i", ss(&["n"]))],
            Ok(with(
                "doc",
                m(vec![
                    ("i", ss(&["j", "k", "n"])),
                    ("d", l(vec![s("e"), ss(&["g", "l", "m"])])),
                ]),
            )),
        ),
        case(
            "a nested number that is missing counts as zero",
            base(),
            vec![add("doc.count", n("2"))],
            Ok(with(
                "doc",
                m(vec![
                    ("i", ss(&["j", "k"])),
                    ("d", l(vec![s("e"), ss(&["g"])])),
                    ("count", n("2")),
                ]),
            )),
        ),
        case(
            "a member of a missing attribute",
            base(),
            vec![add("y.a", ss(&["a"]))],
            Err(BAD_PATH),
        ),
        case(
            "an index of a map",
            base(),
            vec![add("doc[1]", ss(&["a"]))],
            Err(BAD_PATH),
        ),
        case(
            "a member of a list",
            base(),
            vec![add("list.x", n("1"))],
            Err(BAD_PATH),
        ),
    ]);
}

// ----- DELETE ---------------------------------------------------------------

#[test]
fn delete_subtracts_sets_and_removes_emptied_ones() {
    let base = || {
        item(vec![
            ("animals", ss(&["dog", "cat", "mouse"])),
            ("numbers", ns(&["1", "2"])),
            ("blobs", bs(&[b"x", b"y"])),
            ("b", m(vec![("a", ss(&["1"]))])),
            ("c", n("1")),
            ("list", l(vec![ss(&["x"]), s("keep"), ss(&["y", "z"])])),
        ])
    };
    let with = |name: &str, value: AttributeValue| {
        let mut after = base();
        after.insert(name.to_string(), value);
        after
    };
    let without = |name: &str| {
        let mut after = base();
        after.remove(name);
        after
    };
    run(vec![
        case(
            "subtract members",
            base(),
            vec![delete("animals", ss(&["cat", "mouse"]))],
            Ok(with("animals", ss(&["dog"]))),
        ),
        case(
            "subtract an absent member",
            base(),
            vec![delete("animals", ss(&["pig"]))],
            Ok(base()),
        ),
        case(
            "emptying a set removes the attribute",
            base(),
            vec![delete("animals", ss(&["dog", "cat", "mouse", "pig"]))],
            Ok(without("animals")),
        ),
        case(
            "numbers by value",
            base(),
            vec![delete("numbers", ns(&["1.0"]))],
            Ok(with("numbers", ns(&["2"]))),
        ),
        case(
            "binaries",
            base(),
            vec![delete("blobs", bs(&[b"y"]))],
            Ok(with("blobs", bs(&[b"x"]))),
        ),
        case(
            "from a missing attribute does nothing",
            base(),
            vec![delete("missing", ss(&["dog"]))],
            Ok(base()),
        ),
        case(
            "on a missing item does nothing",
            Item::new(),
            vec![delete("missing", ss(&["dog"]))],
            Ok(Item::new()),
        ),
        case(
            "emptying a nested set removes the member",
            base(),
            vec![delete("b.a", ss(&["1"]))],
            Ok(with("b", m(vec![]))),
        ),
        case(
            // Unverified against DynamoDB: dynalite removes the element.
            "emptying a set in a list removes the element, after other changes",
            base(),
            vec![
                delete("list[0]", ss(&["x"])),
                set_to("list[2]", literal(s("new"))),
            ],
            Ok(with("list", l(vec![s("keep"), s("new")]))),
        ),
        case(
            "past the end of a list does nothing",
            base(),
            vec![delete("list[7]", ss(&["x"]))],
            Ok(base()),
        ),
        // dynalite's "delete/add incorrect types" cases, run against DynamoDB.
        case(
            "a string set from a number set",
            base(),
            vec![delete("numbers", ss(&["1"]))],
            Err(BAD_TYPE),
        ),
        case(
            "from a map",
            base(),
            vec![delete("b", ns(&["1"]))],
            Err(BAD_TYPE),
        ),
        case(
            "a number set from a nested string set",
            base(),
            vec![delete("b.a", ns(&["1"]))],
            Err(BAD_TYPE),
        ),
        case(
            "a binary set from a nested string set",
            base(),
            vec![delete("b.a", bs(&[b"a"]))],
            Err(BAD_TYPE),
        ),
        case(
            "from a number",
            base(),
            vec![delete("c", ns(&["1"]))],
            Err(BAD_TYPE),
        ),
        case(
            "a string from a set",
            base(),
            vec![delete("animals", s("dog"))],
            Err(BAD_TYPE),
        ),
        case(
            "a member of a missing attribute",
            base(),
            vec![delete("y.a", ss(&["a"]))],
            Err(BAD_PATH),
        ),
        case(
            "a member of a list",
            base(),
            vec![delete("list.x", ss(&["a"]))],
            Err(BAD_PATH),
        ),
        case(
            "an index of a map",
            base(),
            vec![delete("b[1]", ss(&["a"]))],
            Err(BAD_PATH),
        ),
    ]);
}

// ----- all clauses ----------------------------------------------------------

#[test]
fn every_clause_on_a_missing_item() {
    // dynalite's "should just add valid ADD actions if nothing exists".
    run(vec![case(
        "REMOVE b DELETE c :c ADD d :d, e :e SET f = :f",
        Item::new(),
        vec![
            remove("b"),
            delete("c", ss(&["a", "b"])),
            add("d", n("5")),
            add("e", ss(&["a", "b"])),
            set_to("f", literal(l(vec![s("a"), n("1")]))),
        ],
        Ok(item(vec![
            ("d", n("5")),
            ("e", ss(&["a", "b"])),
            ("f", l(vec![s("a"), n("1")])),
        ])),
    )]);
}

#[test]
fn updated_paths_lists_every_action_in_clause_order() {
    let expression = update(vec![
        delete("d", ss(&["x"])),
        add("c", n("1")),
        remove("b[2]"),
        set_to("a.x", literal(n("1"))),
        set_to("z", literal(n("1"))),
    ]);
    assert_eq!(
        expression.updated_paths().paths,
        vec![path("a.x"), path("z"), path("b[2]"), path("c"), path("d")]
    );
    // UPDATED_OLD is the same paths projected onto the old item.
    let before = item(vec![
        ("a", m(vec![("x", n("0")), ("y", n("0"))])),
        ("b", numbers(&["0", "1", "2"])),
        ("other", n("9")),
    ]);
    assert_eq!(
        expression.updated_paths().apply(&before),
        item(vec![("a", m(vec![("x", n("0"))])), ("b", numbers(&["2"]))])
    );
}
