//! Tests of the HTTP layer as the per-core loop will use it: parse from a
//! growing buffer, answer, parse the rest.

use std::io::Write;

use proptest::prelude::*;

use super::*;

fn limits() -> Limits {
    Limits::default()
}

/// Parses `bytes`, expecting one whole request that uses all of them.
fn parse_whole(bytes: &[u8]) -> Request {
    let (request, consumed) = parse(bytes, &limits())
        .expect("valid request")
        .expect("whole request");
    assert_eq!(consumed, bytes.len());
    request
}

fn parse_error(bytes: &[u8]) -> HttpError {
    match parse(bytes, &limits()) {
        Err(error) => error,
        Ok(other) => panic!("expected an error, got {other:?}"),
    }
}

fn status_of(bytes: &[u8]) -> u16 {
    parse_error(bytes).status()
}

/// Feeds `bytes` to the parser `chunk_lengths` at a time (then the rest),
/// as the per-core loop does, and returns the first answer that is not
/// "need more bytes", or `None` if all bytes still need more.
fn parse_incrementally(
    bytes: &[u8],
    chunk_lengths: &[usize],
) -> Option<Result<(Request, usize), HttpError>> {
    let mut buf = Vec::new();
    let mut fed = 0;
    let mut chunks = chunk_lengths.iter().copied().chain(std::iter::repeat(1));
    while fed < bytes.len() {
        let length = chunks.next().unwrap_or(1).clamp(1, bytes.len() - fed);
        buf.extend_from_slice(&bytes[fed..fed + length]);
        fed += length;
        match parse(&buf, &limits()) {
            Ok(None) => {}
            Ok(Some(found)) => return Some(Ok(found)),
            Err(error) => return Some(Err(error)),
        }
    }
    None
}

const DYNAMODB_REQUEST: &[u8] = b"POST / HTTP/1.1\r\n\
Host: localhost:8000\r\n\
X-Amz-Target: DynamoDB_20120810.GetItem\r\n\
Content-Type: application/x-amz-json-1.0\r\n\
Content-Length: 17\r\n\
\r\n\
{\"TableName\":\"t\"}";

// --- well-formed requests --------------------------------------------------

#[test]
fn parse_reads_method_target_version_headers_and_body() {
    let request = parse_whole(DYNAMODB_REQUEST);
    assert_eq!(request.method, "POST");
    assert_eq!(request.target, "/");
    assert_eq!(request.version, Version::Http11);
    assert_eq!(request.headers.len(), 4);
    assert_eq!(
        request.headers.get("x-amz-target"),
        Some("DynamoDB_20120810.GetItem")
    );
    assert_eq!(request.body, b"{\"TableName\":\"t\"}");
}

#[test]
fn parse_header_lookup_ignores_case_and_keeps_repeats() {
    let request = parse_whole(
        b"GET /path?q=1 HTTP/1.1\r\nHost: h\r\nX-Thing:  one \r\nx-thing:two\r\nX-THING:\t\r\n\r\n",
    );
    assert_eq!(request.target, "/path?q=1");
    assert_eq!(request.headers.get("X-THING"), Some("one"));
    assert_eq!(
        request.headers.get_all("x-Thing").collect::<Vec<_>>(),
        ["one", "two", ""]
    );
    assert_eq!(request.headers.get("missing"), None);
    let names: Vec<&str> = request.headers.iter().map(|(name, _)| name).collect();
    assert_eq!(names, ["Host", "X-Thing", "x-thing", "X-THING"]);
}

#[test]
fn parse_get_without_content_length_has_an_empty_body() {
    let request = parse_whole(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n");
    assert_eq!(request.method, "GET");
    assert!(request.body.is_empty());
}

#[test]
fn parse_http_1_0_needs_no_host() {
    let request = parse_whole(b"GET / HTTP/1.0\r\n\r\n");
    assert_eq!(request.version, Version::Http10);
    assert!(request.headers.is_empty());
}

#[test]
fn parse_accepts_repeated_equal_content_lengths() {
    let request = parse_whole(
        b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\ncontent-length: 3, 3\r\n\r\nabc",
    );
    assert_eq!(request.body, b"abc");
}

#[test]
fn parse_accepts_an_empty_post_with_content_length_zero() {
    let request = parse_whole(b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n");
    assert!(request.body.is_empty());
}

#[test]
fn parse_needs_more_bytes_for_every_proper_prefix() {
    for end in 0..DYNAMODB_REQUEST.len() {
        assert_eq!(
            parse(&DYNAMODB_REQUEST[..end], &limits()),
            Ok(None),
            "prefix of {end} bytes"
        );
    }
}

#[test]
fn parse_two_pipelined_requests_from_one_buffer() {
    let mut buf = DYNAMODB_REQUEST.to_vec();
    // A stray CRLF between requests is skipped (RFC 9112 §2.2).
    buf.extend_from_slice(b"\r\nGET /health HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
    let (first, consumed) = parse(&buf, &limits()).unwrap().unwrap();
    assert_eq!(consumed, DYNAMODB_REQUEST.len());
    assert_eq!(first.method, "POST");
    assert!(first.keep_alive());
    let rest = &buf[consumed..];
    let (second, consumed) = parse(rest, &limits()).unwrap().unwrap();
    assert_eq!(consumed, rest.len());
    assert_eq!(second.target, "/health");
    assert!(!second.keep_alive());
}

#[test]
fn fuzz_oracle_parses_a_clean_pipeline_whole() {
    let mut stream = DYNAMODB_REQUEST.to_vec();
    stream.extend_from_slice(b"GET / HTTP/1.0\r\n\r\n");
    let outcome = fuzz::fuzz_parse(&stream);
    assert_eq!(outcome.requests_parsed, 2);
    assert!(!outcome.refused);
}

#[test]
fn parse_byte_by_byte_pipeline_equals_one_shot() {
    let mut stream = DYNAMODB_REQUEST.to_vec();
    stream.extend_from_slice(DYNAMODB_REQUEST);
    let mut buf = Vec::new();
    let mut requests = Vec::new();
    for &byte in &stream {
        buf.push(byte);
        while let Some((request, consumed)) = parse(&buf, &limits()).unwrap() {
            requests.push(request);
            buf.drain(..consumed);
        }
    }
    assert!(buf.is_empty());
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0], parse_whole(DYNAMODB_REQUEST));
    assert_eq!(requests[1], requests[0]);
}

// --- keep-alive ------------------------------------------------------------

#[test]
fn keep_alive_http_1_1_defaults_to_keep_alive() {
    assert!(parse_whole(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n").keep_alive());
}

#[test]
fn keep_alive_http_1_1_connection_close_closes() {
    assert!(!parse_whole(b"GET / HTTP/1.1\r\nHost: h\r\nConnection: Close\r\n\r\n").keep_alive());
}

#[test]
fn keep_alive_http_1_0_defaults_to_close() {
    assert!(!parse_whole(b"GET / HTTP/1.0\r\n\r\n").keep_alive());
}

#[test]
fn keep_alive_http_1_0_connection_keep_alive_keeps() {
    assert!(parse_whole(b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").keep_alive());
}

#[test]
fn keep_alive_reads_connection_as_a_token_list_and_close_wins() {
    assert!(parse_whole(b"GET / HTTP/1.0\r\nConnection: Upgrade, keep-alive\r\n\r\n").keep_alive());
    assert!(
        !parse_whole(b"GET / HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n\r\n")
            .keep_alive()
    );
    // A token is whole: "keep-alive-ish" is not "keep-alive".
    assert!(!parse_whole(b"GET / HTTP/1.0\r\nConnection: keep-alive-ish\r\n\r\n").keep_alive());
}

// --- errors and their statuses --------------------------------------------

#[test]
fn error_bad_request_lines_are_400() {
    for line in [
        &b"GET /\r\n\r\n"[..],
        b"GET / HTTP/1.1 extra\r\n\r\n",
        b"GET  / HTTP/1.1\r\n\r\n",
        b" GET / HTTP/1.1\r\n\r\n",
        b"GE(T / HTTP/1.1\r\n\r\n",
        b"GET /a\x7fb HTTP/1.1\r\n\r\n",
        b"GET / http/1.1\r\n\r\n",
        b"GET / HTTP/11\r\n\r\n",
        b"GET / HTTP/1.1\n\r\n",
        b"GET / HTTP/1.1\rX\n\r\n",
        b"\n",
    ] {
        let error = parse_error(line);
        assert_eq!(
            error.status(),
            400,
            "{:?}: {error}",
            String::from_utf8_lossy(line)
        );
        assert!(!error.reason().is_empty());
    }
}

#[test]
fn error_other_http_versions_are_505() {
    for line in [
        &b"GET / HTTP/2.0\r\n"[..],
        b"GET / HTTP/1.2\r\n",
        b"GET / HTTP/0.9\r\n",
    ] {
        assert_eq!(
            parse_error(line),
            HttpError::VersionNotSupported("only HTTP/1.0 and HTTP/1.1")
        );
    }
}

#[test]
fn error_bad_header_syntax_is_400() {
    for head in [
        &b"GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nHost: h\r\nName : value\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: h\r\n: value\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: h\r\nX-A: one\r\n  folded\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x01b\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: h\r\nX-A: a\x7fb\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: h\r\nX-A: \xff\xfe\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: h\r\nX-A: a\nb\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: h\r\nX-A: a\rb\r\n\r\n",
    ] {
        assert_eq!(status_of(head), 400, "{:?}", String::from_utf8_lossy(head));
    }
}

#[test]
fn error_http_1_1_without_exactly_one_host_is_400() {
    assert_eq!(
        parse_error(b"GET / HTTP/1.1\r\n\r\n"),
        HttpError::BadRequest("HTTP/1.1 request without Host")
    );
    assert_eq!(
        parse_error(b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
        HttpError::BadRequest("more than one Host header")
    );
}

#[test]
fn error_content_length_not_a_number_is_400() {
    for value in ["abc", "-1", "+5", "", "1 2", "0x10", "5,", "3.0"] {
        let head = format!("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: {value}\r\n\r\n");
        assert_eq!(
            parse_error(head.as_bytes()),
            HttpError::BadRequest("Content-Length is not a number"),
            "{value:?}"
        );
    }
}

#[test]
fn error_content_lengths_that_differ_are_400() {
    for head in [
        &b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"[..],
        b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 4\r\n\r\nabcd",
    ] {
        assert_eq!(
            parse_error(head),
            HttpError::BadRequest("Content-Length values differ")
        );
    }
}

#[test]
fn error_post_or_put_without_content_length_is_411() {
    for method in ["POST", "PUT"] {
        let head = format!("{method} / HTTP/1.1\r\nHost: h\r\n\r\n{{}}");
        assert_eq!(status_of(head.as_bytes()), 411, "{method}");
    }
}

#[test]
fn error_transfer_encoding_is_501() {
    for head in [
        &b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"[..],
        // With a Content-Length too (a smuggling attempt): still refused.
        b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"POST / HTTP/1.1\r\nHost: h\r\ntransfer-encoding: gzip\r\n\r\n",
    ] {
        assert_eq!(status_of(head), 501);
    }
}

// --- limits -----------------------------------------------------------------

#[test]
fn limit_four_gigabyte_content_length_is_413_from_the_headers_alone() {
    // Only the head is in the buffer; nothing of the body has arrived.
    let head = b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4294967296\r\n\r\n";
    assert_eq!(
        parse_error(head),
        HttpError::PayloadTooLarge("request body over 16 MiB")
    );
    // Past u64: still "too large", not "not a number".
    let head = b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999\r\n\r\n";
    assert_eq!(status_of(head), 413);
}

#[test]
fn limit_body_of_exactly_16_mib_waits_and_one_more_byte_is_413() {
    let at_limit = format!(
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: {}\r\n\r\n",
        16 * 1024 * 1024
    );
    assert_eq!(parse(at_limit.as_bytes(), &limits()), Ok(None));
    let over = format!(
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: {}\r\n\r\n",
        16 * 1024 * 1024 + 1
    );
    assert_eq!(status_of(over.as_bytes()), 413);
}

#[test]
fn limit_body_at_a_small_limit_is_accepted_whole() {
    let small = Limits {
        body_bytes_max: 4,
        ..Limits::default()
    };
    let (request, _) = parse(
        b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nabcd",
        &small,
    )
    .unwrap()
    .unwrap();
    assert_eq!(request.body, b"abcd");
    assert_eq!(
        parse(
            b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n",
            &small
        )
        .unwrap_err()
        .status(),
        413
    );
}

#[test]
fn limit_request_line_of_8_kib_is_accepted_and_longer_is_414() {
    // "GET " + target + " HTTP/1.1" is exactly 8192 bytes.
    let target_length = 8192 - "GET ".len() - " HTTP/1.1".len();
    let target = format!("/{}", "a".repeat(target_length - 1));
    let request = parse_whole(format!("GET {target} HTTP/1.1\r\nHost: h\r\n\r\n").as_bytes());
    assert_eq!(request.target.len(), target_length);

    let longer = format!("GET {target}a HTTP/1.1\r\nHost: h\r\n\r\n");
    assert_eq!(status_of(longer.as_bytes()), 414);
    // Refused before its end arrives: no CRLF in sight, 8 KiB buffered.
    assert_eq!(status_of(&longer.as_bytes()[..8194]), 414);
    assert_eq!(parse(&longer.as_bytes()[..8193], &limits()), Ok(None));
}

#[test]
fn limit_100_headers_are_accepted_and_101_are_431() {
    let head = |count: usize| {
        let mut head = b"GET / HTTP/1.1\r\nHost: h\r\n".to_vec();
        for index in 1..count {
            write!(head, "X-{index}: v\r\n").unwrap();
        }
        head.extend_from_slice(b"\r\n");
        head
    };
    assert_eq!(parse_whole(&head(100)).headers.len(), 100);
    assert_eq!(
        parse_error(&head(101)),
        HttpError::HeadersTooLarge("more than 100 header lines")
    );
}

#[test]
fn limit_header_block_of_16_kib_is_accepted_and_longer_is_431() {
    // "Host: h\r\n" (9) + "X: " + value + "\r\n" + "\r\n" = 16384 bytes.
    let value_length = 16 * 1024 - 9 - 3 - 2 - 2;
    let head = |value_length: usize| {
        format!(
            "GET / HTTP/1.1\r\nHost: h\r\nX: {}\r\n\r\n",
            "v".repeat(value_length)
        )
    };
    let request = parse_whole(head(value_length).as_bytes());
    assert_eq!(request.headers.get("x").unwrap().len(), value_length);
    let over = head(value_length + 1);
    assert_eq!(status_of(over.as_bytes()), 431);
    // Refused while the head is still arriving.
    assert_eq!(status_of(&over.as_bytes()[..16 + 16 * 1024]), 431);
}

#[test]
fn limit_endless_empty_lines_before_a_request_are_refused() {
    assert_eq!(status_of(&b"\r\n".repeat(5000)), 414);
}

// --- responses ----------------------------------------------------------------

#[test]
fn write_response_frames_the_body_and_says_keep_alive() {
    let mut out = Vec::new();
    write_response(
        &mut out,
        200,
        &[
            ("Content-Type", "application/x-amz-json-1.0"),
            ("x-amz-crc32", "2745614147"),
        ],
        b"{}",
        true,
    );
    assert_eq!(
        out,
        b"HTTP/1.1 200 OK\r\n\
Content-Type: application/x-amz-json-1.0\r\n\
x-amz-crc32: 2745614147\r\n\
Content-Length: 2\r\n\
Connection: keep-alive\r\n\
\r\n\
{}"
    );
}

#[test]
fn write_response_appends_and_says_close() {
    let mut out = b"earlier".to_vec();
    write_response(&mut out, 413, &[], b"", false);
    assert_eq!(
        out,
        b"earlierHTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
}

#[test]
fn write_response_for_every_error_has_a_reason_phrase() {
    for error in [
        HttpError::BadRequest(""),
        HttpError::LengthRequired(""),
        HttpError::PayloadTooLarge(""),
        HttpError::UriTooLong(""),
        HttpError::UnsupportedMediaType(""),
        HttpError::HeadersTooLarge(""),
        HttpError::NotImplemented(""),
        HttpError::VersionNotSupported(""),
    ] {
        assert!(!reason_phrase(error.status()).is_empty(), "{error:?}");
    }
}

#[test]
#[should_panic(expected = "CR or LF")]
fn write_response_refuses_a_header_value_that_would_split_the_response() {
    write_response(
        &mut Vec::new(),
        200,
        &[("X", "a\r\nInjected: 1")],
        b"",
        true,
    );
}

// --- gzip bodies --------------------------------------------------------------

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

fn request_with_body(content_encoding: Option<&str>, body: &[u8]) -> Request {
    let mut head = b"POST / HTTP/1.1\r\nHost: h\r\n".to_vec();
    if let Some(coding) = content_encoding {
        write!(head, "Content-Encoding: {coding}\r\n").unwrap();
    }
    write!(head, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
    head.extend_from_slice(body);
    parse_whole(&head)
}

#[test]
fn gzip_body_round_trips() {
    let json = br#"{"TableName":"t","Key":{"pk":{"S":"a"}}}"#;
    let request = request_with_body(Some("GZIP"), &gzip(json));
    assert_eq!(&*decode_body(&request, &limits()).unwrap(), json);
}

#[test]
fn gzip_concatenated_members_are_all_inflated() {
    let mut body = gzip(b"hello, ");
    body.extend_from_slice(&gzip(b"world"));
    let request = request_with_body(Some("gzip"), &body);
    assert_eq!(&*decode_body(&request, &limits()).unwrap(), b"hello, world");
}

#[test]
fn gzip_absent_or_identity_borrows_the_body_as_sent() {
    for coding in [None, Some("identity")] {
        let request = request_with_body(coding, b"{}");
        let body = decode_body(&request, &limits()).unwrap();
        assert!(
            matches!(body, std::borrow::Cow::Borrowed(b"{}")),
            "{coding:?}"
        );
    }
}

#[test]
fn gzip_other_codings_are_415_and_corrupt_gzip_is_400() {
    for coding in ["br", "deflate", "gzip, gzip"] {
        let request = request_with_body(Some(coding), b"{}");
        assert_eq!(
            decode_body(&request, &limits()).unwrap_err().status(),
            415,
            "{coding}"
        );
    }
    let request = request_with_body(Some("gzip"), b"not gzip at all");
    assert_eq!(decode_body(&request, &limits()).unwrap_err().status(), 400);
    let mut truncated = gzip(b"some json body");
    truncated.truncate(truncated.len() - 4);
    let request = request_with_body(Some("gzip"), &truncated);
    assert_eq!(decode_body(&request, &limits()).unwrap_err().status(), 400);
}

#[test]
fn gzip_inflated_size_at_the_limit_is_accepted_and_past_it_is_413() {
    let small = Limits {
        inflated_body_bytes_max: 1000,
        ..Limits::default()
    };
    let request = request_with_body(Some("gzip"), &gzip(&[b'x'; 1000]));
    assert_eq!(decode_body(&request, &small).unwrap().len(), 1000);
    let request = request_with_body(Some("gzip"), &gzip(&[b'x'; 1001]));
    assert_eq!(
        decode_body(&request, &small).unwrap_err(),
        HttpError::PayloadTooLarge("request body over 16 MiB once inflated")
    );
}

#[test]
fn gzip_bomb_is_refused_at_the_default_limit() {
    // 17 members of 1 MiB of zeros: under 64 KiB on the wire, 17 MiB inflated.
    let member = gzip(&vec![0u8; 1024 * 1024]);
    let bomb = member.repeat(17);
    assert!(bomb.len() < 64 * 1024, "{} bytes", bomb.len());
    let request = request_with_body(Some("gzip"), &bomb);
    assert_eq!(decode_body(&request, &limits()).unwrap_err().status(), 413);
}

// --- properties ---------------------------------------------------------------

/// A valid request from generated parts, as bytes.
fn request_bytes(method: &str, target: &str, headers: &[(String, String)], body: &[u8]) -> Vec<u8> {
    let mut bytes = Vec::new();
    write!(bytes, "{method} {target} HTTP/1.1\r\nHost: h\r\n").unwrap();
    for (name, value) in headers {
        write!(bytes, "{name}: {value}\r\n").unwrap();
    }
    write!(bytes, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
    bytes.extend_from_slice(body);
    bytes
}

fn request_strategy() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::sample::select(vec!["GET", "POST", "PUT", "DELETE"]),
        "/[a-z0-9/?=&]{0,20}",
        prop::collection::vec(("[A-Za-z][A-Za-z0-9-]{0,10}", "[ -~]{0,30}"), 0..8),
        prop::collection::vec(any::<u8>(), 0..300),
    )
        .prop_map(|(method, target, headers, body)| {
            let headers: Vec<(String, String)> = headers
                .into_iter()
                // Framing headers are the generator's to write.
                .filter(|(name, _)| {
                    !["host", "content-length", "transfer-encoding"]
                        .contains(&name.to_ascii_lowercase().as_str())
                })
                .collect();
            request_bytes(method, &target, &headers, &body)
        })
}

proptest! {
    #[test]
    fn prop_incremental_feeding_equals_one_shot(
        bytes in request_strategy(),
        chunk_lengths in prop::collection::vec(1usize..64, 0..40),
    ) {
        let one_shot = parse(&bytes, &limits()).unwrap().unwrap();
        prop_assert_eq!(one_shot.1, bytes.len());
        let incremental = parse_incrementally(&bytes, &chunk_lengths);
        prop_assert_eq!(incremental, Some(Ok(one_shot)));
    }

    #[test]
    fn prop_every_split_of_two_pipelined_requests_parses_both(
        first in request_strategy(),
        second in request_strategy(),
        split in any::<prop::sample::Index>(),
    ) {
        let mut stream = first.clone();
        stream.extend_from_slice(&second);
        let split = split.index(stream.len() + 1);
        let mut buf = stream[..split].to_vec();
        let mut requests = Vec::new();
        while let Some((request, consumed)) = parse(&buf, &limits()).unwrap() {
            requests.push(request);
            buf.drain(..consumed);
        }
        buf.extend_from_slice(&stream[split..]);
        while let Some((request, consumed)) = parse(&buf, &limits()).unwrap() {
            requests.push(request);
            buf.drain(..consumed);
        }
        prop_assert!(buf.is_empty());
        prop_assert_eq!(requests.len(), 2);
        prop_assert_eq!(&requests[0], &parse(&first, &limits()).unwrap().unwrap().0);
        prop_assert_eq!(&requests[1], &parse(&second, &limits()).unwrap().unwrap().0);
    }

    /// A request with one byte changed: byte-by-byte feeding reaches the
    /// same answer (request or error) as the one-shot parse, and no input
    /// panics. This is what makes "need more bytes" trustworthy: a prefix
    /// never gives an answer the whole would not.
    #[test]
    fn prop_mutated_requests_give_the_same_answer_fed_byte_by_byte(
        bytes in request_strategy(),
        position in any::<prop::sample::Index>(),
        replacement in prop::sample::select(vec![b'\r', b'\n', b' ', b':', b'\t', 0u8, 0x7F, 0xFF, b'a', b'1', b',']),
    ) {
        let mut bytes = bytes;
        let position = position.index(bytes.len());
        bytes[position] = replacement;
        let one_shot = match parse(&bytes, &limits()) {
            Ok(None) => None,
            Ok(Some(found)) => Some(Ok(found)),
            Err(error) => Some(Err(error)),
        };
        prop_assert_eq!(parse_incrementally(&bytes, &[]), one_shot);
    }

    #[test]
    fn prop_arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Ok(Some((_, consumed))) = parse(&bytes, &limits()) {
            prop_assert!(consumed <= bytes.len());
        }
        fuzz::fuzz_parse(&bytes);
    }

    /// The fuzz oracle over pipelines of mutated requests, under its small
    /// limits (so some requests pass them and some do not).
    #[test]
    fn prop_fuzz_oracle_holds_on_mutated_pipelines(
        first in request_strategy(),
        second in request_strategy(),
        position in any::<prop::sample::Index>(),
        replacement in any::<u8>(),
    ) {
        let mut stream = first;
        stream.extend_from_slice(&second);
        let position = position.index(stream.len());
        stream[position] = replacement;
        fuzz::fuzz_parse(&stream);
    }
}
