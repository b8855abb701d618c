//! SigV4 verification against AWS's published test-suite vectors, a request
//! signed by botocore the way it signs DynamoDB calls, and every refusal
//! with DynamoDB's type name and text.

use proptest::prelude::*;

use super::canonical::{canonical_query, canonical_uri};
use super::*;
use crate::http::{Headers, Limits, parse};

/// The test suite's key, date and scope (aws-sig-v4-test-suite, 2015).
const SUITE_KEY: &str = "AKIDEXAMPLE";
const SUITE_SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// 20150830T123600Z.
const SUITE_NOW: u64 = 1_440_938_160;
const SUITE_CREDENTIAL: &str = "AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

fn suite_credentials() -> Credentials {
    Credentials::parse(&format!("{SUITE_KEY} {SUITE_SECRET}\n")).expect("valid credentials")
}

/// Parses a request head built from `target` and `headers` (plus the body's
/// `Content-Length`) with the real HTTP parser.
fn request(method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Request {
    let mut bytes = format!("{method} {target} HTTP/1.1\r\n");
    for (name, value) in headers {
        bytes.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() || method == "POST" {
        bytes.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    bytes.push_str("\r\n");
    let mut bytes = bytes.into_bytes();
    bytes.extend_from_slice(body);
    let (request, used) = parse(&bytes, &Limits::default())
        .expect("valid request")
        .expect("whole request");
    assert_eq!(used, bytes.len());
    request
}

/// A test-suite request: host example.amazonaws.com, X-Amz-Date, `extra`
/// headers, signed as `signed_headers` with `signature`.
fn suite_request(
    method: &str,
    target: &str,
    extra: &[(&str, &str)],
    body: &[u8],
    signed_headers: &str,
    signature: &str,
) -> Request {
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential={SUITE_CREDENTIAL}, SignedHeaders={signed_headers}, Signature={signature}"
    );
    let mut headers = vec![
        ("Host", "example.amazonaws.com"),
        ("X-Amz-Date", "20150830T123600Z"),
    ];
    headers.extend_from_slice(extra);
    headers.push(("Authorization", &authorization));
    request(method, target, &headers, body)
}

fn get_vanilla(authorization: &str) -> Request {
    request(
        "GET",
        "/",
        &[
            ("Host", "example.amazonaws.com"),
            ("X-Amz-Date", "20150830T123600Z"),
            ("Authorization", authorization),
        ],
        b"",
    )
}

const GET_VANILLA_SIGNATURE: &str =
    "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";

fn check(request: &Request) -> Result<(), AuthError> {
    verify(request, &suite_credentials(), SUITE_NOW)
}

/// The canonical request `verify` built, read from the mismatch it reports
/// for a wrong signature.
fn canonical_request_of(request: &Request) -> String {
    let mut request = request.clone();
    let authorization = request.headers.get("authorization").unwrap().to_owned();
    let (head, _) = authorization.rsplit_once("Signature=").unwrap();
    let wrong = format!("{head}Signature={}", "0".repeat(64));
    request.headers = parse_headers_replacing_authorization(&request, &wrong);
    match check(&request) {
        Err(AuthError::SignatureMismatch {
            canonical_request, ..
        }) => canonical_request,
        other => panic!("expected a signature mismatch, got {other:?}"),
    }
}

fn parse_headers_replacing_authorization(request: &Request, authorization: &str) -> Headers {
    let mut fields: Vec<(&str, &str)> = request
        .headers
        .iter()
        .filter(|(name, _)| {
            !name.eq_ignore_ascii_case("authorization")
                && !name.eq_ignore_ascii_case("content-length")
        })
        .collect();
    fields.push(("Authorization", authorization));
    self::request("GET", "/", &fields, b"").headers
}

// ----- the AWS test suite (signatures as published) -----

#[test]
fn suite_get_vanilla_verifies() {
    let request = suite_request(
        "GET",
        "/",
        &[],
        b"",
        "host;x-amz-date",
        GET_VANILLA_SIGNATURE,
    );
    assert_eq!(check(&request), Ok(()));
    assert_eq!(
        canonical_request_of(&request),
        format!(
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n{EMPTY_SHA256}"
        )
    );
}

#[test]
fn suite_dot_and_empty_path_segments_sign_as_root() {
    // get-slash, get-slash-dot-slash, get-relative, get-relative-relative:
    // all canonicalise to `/` and share get-vanilla's signature.
    for target in ["//", "/./", "/example/..", "/example1/example2/../.."] {
        let request = suite_request(
            "GET",
            target,
            &[],
            b"",
            "host;x-amz-date",
            GET_VANILLA_SIGNATURE,
        );
        assert_eq!(check(&request), Ok(()), "{target}");
    }
}

#[test]
fn suite_get_slashes_keeps_the_trailing_slash() {
    let signature = "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84";
    let request = suite_request("GET", "//example//", &[], b"", "host;x-amz-date", signature);
    assert_eq!(check(&request), Ok(()));
}

#[test]
fn suite_get_unreserved_leaves_unreserved_characters() {
    let target = "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let signature = "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f";
    let request = suite_request("GET", target, &[], b"", "host;x-amz-date", signature);
    assert_eq!(check(&request), Ok(()));
}

#[test]
fn suite_get_vanilla_query_order_key_case_sorts_parameters() {
    let signature = "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500";
    let request = suite_request(
        "GET",
        "/?Param2=value2&Param1=value1",
        &[],
        b"",
        "host;x-amz-date",
        signature,
    );
    assert_eq!(check(&request), Ok(()));
    assert!(canonical_request_of(&request).starts_with("GET\n/\nParam1=value1&Param2=value2\n"));
}

#[test]
fn suite_get_vanilla_query_order_value_sorts_by_value() {
    let signature = "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694";
    let target = "/?Param1=value2&Param1=value1";
    let request = suite_request("GET", target, &[], b"", "host;x-amz-date", signature);
    assert_eq!(check(&request), Ok(()));
}

#[test]
fn suite_get_vanilla_utf8_query_encodes_bytes() {
    // The suite sends U+1234 raw; on the wire (visible ASCII only) it is
    // percent-encoded, and decodes and re-encodes to the same canonical query.
    let signature = "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04";
    let target = "/?%e1%88%b4=bar";
    let request = suite_request("GET", target, &[], b"", "host;x-amz-date", signature);
    assert_eq!(check(&request), Ok(()));
}

#[test]
fn suite_get_header_key_duplicate_joins_values_with_commas() {
    let signature = "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea";
    let extra = [
        ("My-Header1", "value2"),
        ("My-Header1", "value2"),
        ("My-Header1", "value1"),
    ];
    let signed = "host;my-header1;x-amz-date";
    let request = suite_request("GET", "/", &extra, b"", signed, signature);
    assert_eq!(check(&request), Ok(()));
}

#[test]
fn suite_get_header_value_trim_collapses_inner_spaces() {
    let signature = "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736";
    let extra = [("My-Header1", " value1"), ("My-Header2", "\"a   b   c\"")];
    let signed = "host;my-header1;my-header2;x-amz-date";
    let request = suite_request("GET", "/", &extra, b"", signed, signature);
    assert_eq!(check(&request), Ok(()));
    assert!(canonical_request_of(&request).contains("\nmy-header1:value1\nmy-header2:\"a b c\"\n"));
}

#[test]
fn suite_post_x_www_form_urlencoded_hashes_the_body() {
    let signature = "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a";
    let extra = [("Content-Type", "application/x-www-form-urlencoded")];
    let signed = "content-type;host;x-amz-date";
    let request = suite_request("POST", "/", &extra, b"Param1=value1", signed, signature);
    assert_eq!(check(&request), Ok(()));
    assert!(
        canonical_request_of(&request)
            .ends_with("\n9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e")
    );
}

#[test]
fn suite_2011_get_vanilla_takes_its_time_from_the_date_header() {
    // The 2011 suite signs `Date` (RFC 1123) and no X-Amz-Date.
    let authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20110909/us-east-1/host/aws4_request, SignedHeaders=date;host, Signature=b27ccfbfa7df52a200ff74193ca6e32d4b48b8856fab7ebf1c595d0670a7e470";
    let headers = [
        ("Date", "Mon, 09 Sep 2011 23:36:00 GMT"),
        ("Host", "host.foo.com"),
        ("Authorization", authorization),
    ];
    let request = request("GET", "/", &headers, b"");
    assert_eq!(
        verify(&request, &suite_credentials(), 1_315_611_360),
        Ok(())
    );
}

// ----- a DynamoDB request as botocore signs it -----

/// The key and time the botocore fixtures were signed with: botocore
/// 1.43.11, `SigV4Auth(Credentials(BOTO_KEY, BOTO_SECRET[, token]),
/// "dynamodb", "us-west-2").add_auth(AWSRequest("POST",
/// "http://127.0.0.1:8000/", ...))` with its clock fixed at
/// 2026-01-01T00:00:00Z.
const BOTO_KEY: &str = "AKIDDYNACORE";
const BOTO_SECRET: &str = "dynacore/secret+KEY";
const BOTO_NOW: u64 = 1_767_225_600;
const BOTO_BODY: &[u8] = br#"{"TableName": "Music", "Item": {"Artist": {"S": "No One You Know"}, "SongTitle": {"S": "Call Me Today"}}}"#;
const BOTO_AUTHORIZATION: &str = "AWS4-HMAC-SHA256 Credential=AKIDDYNACORE/20260101/us-west-2/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=54bbec0382b79c251b11422f8e0a30228abeeaa8647bdc69c0c285c79817d6fc";
const BOTO_USER_AGENT: &str = "Boto3/1.34.0 md/Botocore#1.43.11 ua/2.0 os/linux lang/python#3.11.7";

fn boto_credentials() -> Credentials {
    Credentials::parse(&format!(
        "# a comment\n\nOTHERKEY other-secret\n{BOTO_KEY}\t{BOTO_SECRET}\n"
    ))
    .unwrap()
}

fn boto_request(target: &str, extra: &[(&str, &str)], body: &[u8]) -> Request {
    let mut headers = vec![
        ("Host", "127.0.0.1:8000"),
        ("Content-Type", "application/x-amz-json-1.0"),
        ("X-Amz-Target", target),
        ("User-Agent", BOTO_USER_AGENT),
        ("X-Amz-Date", "20260101T000000Z"),
    ];
    headers.extend_from_slice(extra);
    request("POST", "/", &headers, body)
}

fn boto_put_item(authorization: &str, body: &[u8]) -> Request {
    boto_request(
        "DynamoDB_20120810.PutItem",
        &[("Authorization", authorization)],
        body,
    )
}

#[test]
fn botocore_put_item_verifies() {
    let request = boto_put_item(BOTO_AUTHORIZATION, BOTO_BODY);
    assert_eq!(verify(&request, &boto_credentials(), BOTO_NOW), Ok(()));
}

/// A PutItem exactly as a botocore 1.43.11 client (`create_client(
/// "dynamodb", region_name="eu-north-1", endpoint_url=...)`) sent it to a
/// loopback socket, unsigned SDK headers and all.
const BOTO_WIRE_PUT_ITEM: &[u8] = b"POST / HTTP/1.1\r\nHost: 127.0.0.1:36725\r\nAccept-Encoding: identity\r\nX-Amz-Target: DynamoDB_20120810.PutItem\r\nContent-Type: application/x-amz-json-1.0\r\nUser-Agent: Botocore/1.43.11 ua/2.1 os/linux#6.18.44-fc-v1045 md/arch#x86_64 lang/python#3.11.7 md/pyimpl#CPython m/Z,N,D,P,e,b cfg/retry-mode#legacy\r\nX-Amz-Date: 20261202T020209Z\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIDREAL/20261202/eu-north-1/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=fbdc876fd63ffe66ab5173d61c170faa9ae9a9e355a3c4fc6ee6b063a88e907c\r\namz-sdk-invocation-id: 4ca7a1c5-1355-4b73-b5c4-dcd25bbd81c7\r\namz-sdk-request: attempt=1\r\nContent-Length: 76\r\n\r\n{\"TableName\": \"Music\", \"Item\": {\"Artist\": {\"S\": \"No One\"}, \"n\": {\"N\": \"1\"}}}";

#[test]
fn botocore_client_request_from_the_wire_verifies() {
    let (request, _) = parse(BOTO_WIRE_PUT_ITEM, &Limits::default())
        .unwrap()
        .unwrap();
    let credentials = Credentials::parse("AKIDREAL real/secret").unwrap();
    // 20261202T020209Z, the time it was signed.
    assert_eq!(verify(&request, &credentials, 1_796_176_929), Ok(()));
    let other = Credentials::parse("AKIDREAL real/secreT").unwrap();
    let error = verify(&request, &other, 1_796_176_929).unwrap_err();
    assert!(matches!(error, AuthError::SignatureMismatch { .. }));
}

#[test]
fn botocore_put_item_with_session_token_verifies() {
    let authorization = "AWS4-HMAC-SHA256 Credential=AKIDDYNACORE/20260101/us-west-2/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=9e29c6f3871116f16ffd4b472ee62eb4e9e7be78d0fbd60eb38c8c7580e1c98b";
    let token = "FQoGZXIvYXdzEXAMPLETOKEN//////////wEaDN0=";
    let extra = [
        ("X-Amz-Security-Token", token),
        ("Authorization", authorization),
    ];
    let request = boto_request("DynamoDB_20120810.PutItem", &extra, BOTO_BODY);
    assert_eq!(verify(&request, &boto_credentials(), BOTO_NOW), Ok(()));
    // The token is signed: another token is another request.
    let extra = [
        ("X-Amz-Security-Token", "forged"),
        ("Authorization", authorization),
    ];
    let request = boto_request("DynamoDB_20120810.PutItem", &extra, BOTO_BODY);
    let error = verify(&request, &boto_credentials(), BOTO_NOW).unwrap_err();
    assert_eq!(error.type_name(), "InvalidSignatureException");
}

#[test]
fn unsigned_session_token_is_accepted() {
    let extra = [
        ("X-Amz-Security-Token", "anything"),
        ("Authorization", BOTO_AUTHORIZATION),
    ];
    let request = boto_request("DynamoDB_20120810.PutItem", &extra, BOTO_BODY);
    assert_eq!(verify(&request, &boto_credentials(), BOTO_NOW), Ok(()));
}

#[test]
fn botocore_content_sha256_header_is_checked_against_the_body() {
    let good = "AWS4-HMAC-SHA256 Credential=AKIDDYNACORE/20260101/us-west-2/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target, Signature=d0f584a98b7733d82340f3d9acd815906334da25c281f90eaf03ac8e0a9d673b";
    let hash = "9c4d2d92a3d07c865ca11cebd79aa405372a6ac591384b7d2fdca2d90d1a8493";
    let extra = [("X-Amz-Content-SHA256", hash), ("Authorization", good)];
    let request = boto_request("DynamoDB_20120810.PutItem", &extra, BOTO_BODY);
    assert_eq!(verify(&request, &boto_credentials(), BOTO_NOW), Ok(()));

    // botocore signs whatever hash the header declares; it must be the body's.
    let zeros = "0".repeat(64);
    let wrong = "AWS4-HMAC-SHA256 Credential=AKIDDYNACORE/20260101/us-west-2/dynamodb/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date;x-amz-target, Signature=b5f5218d7b0e60a6f0e4415048669bc959b197b094e6e5a154e6f303e06b019a";
    let extra = [
        ("X-Amz-Content-SHA256", zeros.as_str()),
        ("Authorization", wrong),
    ];
    let request = boto_request("DynamoDB_20120810.PutItem", &extra, BOTO_BODY);
    let error = verify(&request, &boto_credentials(), BOTO_NOW).unwrap_err();
    assert_eq!(error, AuthError::ContentSha256Mismatch);
    assert_eq!(error.type_name(), "InvalidSignatureException");
}

#[test]
fn tampered_body_is_an_invalid_signature() {
    let mut body = BOTO_BODY.to_vec();
    body[30] ^= 1;
    let request = boto_put_item(BOTO_AUTHORIZATION, &body);
    let error = verify(&request, &boto_credentials(), BOTO_NOW).unwrap_err();
    assert!(
        matches!(error, AuthError::SignatureMismatch { .. }),
        "{error:?}"
    );
    assert_eq!(error.type_name(), "InvalidSignatureException");
    assert_eq!(error.status(), 400);
    let message = error.message();
    assert!(message.starts_with(messages::SIGNATURE_MISMATCH));
    assert!(message.contains("\n\nThe Canonical String for this request should have been\n'POST\n/\n\ncontent-type:application/x-amz-json-1.0\nhost:127.0.0.1:8000\nx-amz-date:20260101T000000Z\nx-amz-target:DynamoDB_20120810.PutItem\n\ncontent-type;host;x-amz-date;x-amz-target\n"));
    assert!(message.contains("\n\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n20260101T000000Z\n20260101/us-west-2/dynamodb/aws4_request\n"));
}

#[test]
fn tampered_signed_header_is_an_invalid_signature_but_unsigned_ones_are_free() {
    let request = boto_request(
        "DynamoDB_20120810.DeleteItem",
        &[("Authorization", BOTO_AUTHORIZATION)],
        BOTO_BODY,
    );
    let error = verify(&request, &boto_credentials(), BOTO_NOW).unwrap_err();
    assert!(matches!(error, AuthError::SignatureMismatch { .. }));

    let headers = [
        ("Host", "127.0.0.1:8000"),
        ("Content-Type", "application/x-amz-json-1.0"),
        ("X-Amz-Target", "DynamoDB_20120810.PutItem"),
        ("User-Agent", "curl/8"),
        ("X-Amz-Date", "20260101T000000Z"),
        ("Authorization", BOTO_AUTHORIZATION),
    ];
    let request = self::request("POST", "/", &headers, BOTO_BODY);
    assert_eq!(verify(&request, &boto_credentials(), BOTO_NOW), Ok(()));
}

#[test]
fn wrong_secret_is_an_invalid_signature() {
    let credentials = Credentials::parse(&format!("{BOTO_KEY} not-the-secret")).unwrap();
    let request = boto_put_item(BOTO_AUTHORIZATION, BOTO_BODY);
    let error = verify(&request, &credentials, BOTO_NOW).unwrap_err();
    assert!(matches!(error, AuthError::SignatureMismatch { .. }));
    assert_eq!(error.type_name(), "InvalidSignatureException");
}

#[test]
fn signature_that_is_not_64_hex_digits_is_an_invalid_signature() {
    for signature in ["abc", &"g".repeat(64), &"5".repeat(66)] {
        let authorization = format!(
            "AWS4-HMAC-SHA256 Credential={SUITE_CREDENTIAL}, SignedHeaders=host;x-amz-date, Signature={signature}"
        );
        let error = check(&get_vanilla(&authorization)).unwrap_err();
        assert!(
            matches!(error, AuthError::SignatureMismatch { .. }),
            "{signature}"
        );
    }
}

// ----- refusals, with DynamoDB's types and texts -----

#[test]
fn unknown_access_key_is_unrecognized_client() {
    let request = boto_put_item(BOTO_AUTHORIZATION, BOTO_BODY);
    let error = verify(&request, &suite_credentials(), BOTO_NOW).unwrap_err();
    assert_eq!(
        error,
        AuthError::UnknownAccessKey {
            access_key_id: BOTO_KEY.to_owned()
        }
    );
    assert_eq!(error.type_name(), "UnrecognizedClientException");
    assert_eq!(
        error.message(),
        "The security token included in the request is invalid."
    );
}

#[test]
fn missing_or_foreign_authorization_is_missing_authentication_token() {
    let request = request("POST", "/", &[("Host", "localhost")], b"{}");
    let error = check(&request).unwrap_err();
    assert_eq!(error, AuthError::MissingAuthenticationToken);
    assert_eq!(error.type_name(), "MissingAuthenticationTokenException");
    assert_eq!(error.message(), "Request is missing Authentication Token");
    assert_eq!(error.status(), 400);
    for foreign in ["Bearer abc", "AWS AKID:c2lnbmF0dXJl"] {
        let error = check(&get_vanilla(foreign)).unwrap_err();
        assert_eq!(error, AuthError::MissingAuthenticationToken, "{foreign}");
    }
}

#[test]
fn expired_request_names_both_times() {
    let request = suite_request(
        "GET",
        "/",
        &[],
        b"",
        "host;x-amz-date",
        GET_VANILLA_SIGNATURE,
    );
    let skew = CLOCK_SKEW_SECONDS_MAX as u64;
    assert_eq!(
        verify(&request, &suite_credentials(), SUITE_NOW + skew),
        Ok(())
    );
    let error = verify(&request, &suite_credentials(), SUITE_NOW + skew + 1).unwrap_err();
    assert_eq!(error.type_name(), "InvalidSignatureException");
    assert_eq!(
        error.message(),
        "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T125101Z - 15 min.)"
    );
}

#[test]
fn request_from_the_future_is_not_yet_current() {
    let request = suite_request(
        "GET",
        "/",
        &[],
        b"",
        "host;x-amz-date",
        GET_VANILLA_SIGNATURE,
    );
    let skew = CLOCK_SKEW_SECONDS_MAX as u64;
    assert_eq!(
        verify(&request, &suite_credentials(), SUITE_NOW - skew),
        Ok(())
    );
    let error = verify(&request, &suite_credentials(), SUITE_NOW - skew - 1).unwrap_err();
    assert_eq!(error.type_name(), "InvalidSignatureException");
    assert_eq!(
        error.message(),
        "Signature not yet current: 20150830T123600Z is still later than 20150830T123559Z (20150830T122059Z + 15 min.)"
    );
}

#[test]
fn missing_parameters_and_date_are_listed_together() {
    let authorization =
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request";
    let request = request(
        "GET",
        "/",
        &[("Host", "localhost"), ("Authorization", authorization)],
        b"",
    );
    let error = check(&request).unwrap_err();
    assert_eq!(error.type_name(), "IncompleteSignatureException");
    assert_eq!(
        error.message(),
        format!(
            "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization={authorization}"
        )
    );
    let error = check(&get_vanilla(
        "AWS4-HMAC-SHA256 Signature=, SignedHeaders=host",
    ))
    .unwrap_err();
    assert_eq!(
        error.message(),
        "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization=AWS4-HMAC-SHA256 Signature=, SignedHeaders=host"
    );
}

#[test]
fn item_without_equals_sign_is_incomplete() {
    // The space after the key id, as in aws/aws-sdk-go#289.
    let authorization = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE /20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=00";
    let error = check(&get_vanilla(authorization)).unwrap_err();
    assert_eq!(error.type_name(), "IncompleteSignatureException");
    assert_eq!(
        error.message(),
        format!(
            "'/20150830/us-east-1/service/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: '{authorization}'."
        )
    );
}

#[test]
fn malformed_date_is_incomplete() {
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential={SUITE_CREDENTIAL}, SignedHeaders=host;x-amz-date, Signature={GET_VANILLA_SIGNATURE}"
    );
    for date in [
        "201",
        "20150830T123600",
        "20151330T123600Z",
        "20150230T000000Z",
        "2015-08-30T12:36:00Z",
    ] {
        let headers = [
            ("Host", "h"),
            ("X-Amz-Date", date),
            ("Authorization", &authorization),
        ];
        let error = check(&request("GET", "/", &headers, b"")).unwrap_err();
        assert_eq!(error.type_name(), "IncompleteSignatureException", "{date}");
        assert_eq!(
            error.message(),
            format!(
                "Date must be in ISO-8601 'basic format'. Got '{date}'. See http://en.wikipedia.org/wiki/ISO_8601"
            )
        );
    }
}

#[test]
fn host_must_be_signed() {
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential={SUITE_CREDENTIAL}, SignedHeaders=x-amz-date, Signature={GET_VANILLA_SIGNATURE}"
    );
    let error = check(&get_vanilla(&authorization)).unwrap_err();
    assert_eq!(error, AuthError::HostNotSigned);
    assert_eq!(error.type_name(), "InvalidSignatureException");
    assert_eq!(
        error.message(),
        "'Host' must be a 'SignedHeader' in the AWS Authorization."
    );
}

#[test]
fn signed_header_named_twice_is_incomplete() {
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential={SUITE_CREDENTIAL}, SignedHeaders=host;x-amz-date;Host, Signature={GET_VANILLA_SIGNATURE}"
    );
    let error = check(&get_vanilla(&authorization)).unwrap_err();
    assert_eq!(
        error,
        AuthError::DuplicateSignedHeader {
            name: "host".to_owned()
        }
    );
    assert_eq!(error.type_name(), "IncompleteSignatureException");
}

#[test]
fn other_algorithm_is_incomplete() {
    let authorization = format!(
        "AWS4-HMAC-SHA512 Credential={SUITE_CREDENTIAL}, SignedHeaders=host;x-amz-date, Signature={GET_VANILLA_SIGNATURE}"
    );
    let error = check(&get_vanilla(&authorization)).unwrap_err();
    assert_eq!(error.type_name(), "IncompleteSignatureException");
    assert_eq!(
        error.message(),
        "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512' (only AWS4-HMAC-SHA256 for now). "
    );
}

#[test]
fn credential_needs_five_elements() {
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential=a/b/c/d, SignedHeaders=host;x-amz-date, Signature={GET_VANILLA_SIGNATURE}"
    );
    let error = check(&get_vanilla(&authorization)).unwrap_err();
    assert_eq!(error.type_name(), "IncompleteSignatureException");
    assert_eq!(
        error.message(),
        "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'a/b/c/d'"
    );
}

#[test]
fn scope_needs_the_request_date_and_terminator_but_any_region_and_service() {
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150831/us-east-1/service/aws5_request, SignedHeaders=host;x-amz-date, Signature={GET_VANILLA_SIGNATURE}"
    );
    let error = check(&get_vanilla(&authorization)).unwrap_err();
    assert_eq!(error.type_name(), "InvalidSignatureException");
    assert_eq!(
        error.message(),
        "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150831' != '20150830', from '20150830T123600Z'."
    );
    // Another region and service is another signing key, not a refusal:
    // the signature no longer matches, but the scope is accepted.
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/local/dynamodb/aws4_request/, SignedHeaders=host;x-amz-date, Signature={GET_VANILLA_SIGNATURE}"
    );
    let error = check(&get_vanilla(&authorization)).unwrap_err();
    assert!(
        matches!(error, AuthError::SignatureMismatch { .. }),
        "{error:?}"
    );
}

#[test]
fn two_authorization_headers_or_query_and_header_are_refused() {
    let authorization = format!(
        "AWS4-HMAC-SHA256 Credential={SUITE_CREDENTIAL}, SignedHeaders=host;x-amz-date, Signature={GET_VANILLA_SIGNATURE}"
    );
    let headers = [
        ("Host", "example.amazonaws.com"),
        ("X-Amz-Date", "20150830T123600Z"),
        ("Authorization", authorization.as_str()),
        ("Authorization", authorization.as_str()),
    ];
    let error = check(&request("GET", "/", &headers, b"")).unwrap_err();
    assert_eq!(error, AuthError::MultipleAuthorizationHeaders);

    let request = suite_request(
        "GET",
        "/?X-Amz-Algorithm=AWS4-HMAC-SHA256",
        &[],
        b"",
        "host;x-amz-date",
        GET_VANILLA_SIGNATURE,
    );
    let error = check(&request).unwrap_err();
    assert_eq!(error.type_name(), "InvalidSignatureException");
    assert_eq!(
        error.message(),
        "Found both 'X-Amz-Algorithm' as a query-string param and 'Authorization' as HTTP header."
    );
}

// ----- the pieces -----

#[test]
fn canonical_uri_and_query_follow_aws_rules() {
    assert_eq!(canonical_uri(""), "/");
    assert_eq!(canonical_uri("/a%2Fb"), "/a%252Fb");
    assert_eq!(canonical_uri("/example%20space/"), "/example%2520space/");
    assert_eq!(canonical_uri("/a/./b/../c"), "/a/c");
    assert_eq!(canonical_query(""), "");
    assert_eq!(canonical_query("b&a=1"), "a=1&b=");
    assert_eq!(
        canonical_query("q=a+b&q=a%20b&x=a%2fb"),
        "q=a%20b&q=a%2Bb&x=a%2Fb"
    );
    assert_eq!(canonical_query("a=1=2&bad=%zz"), "a=1%3D2&bad=%25zz");
}

#[test]
fn dates_parse_and_format_both_ways() {
    assert_eq!(parse_basic_time("20150830T123600Z"), Some(1_440_938_160));
    assert_eq!(
        parse_http_date("Sun, 30 Aug 2015 12:36:00 GMT"),
        Some(1_440_938_160)
    );
    assert_eq!(parse_basic_time("20160229T000000Z"), Some(1_456_704_000));
    assert_eq!(parse_basic_time("20150229T000000Z"), None);
    assert_eq!(parse_basic_time("20150830T246000Z"), None);
    assert_eq!(basic_time(1_440_938_160), "20150830T123600Z");
    assert_eq!(basic_time(0), "19700101T000000Z");
    assert_eq!(basic_time(-1), "19691231T235959Z");
    assert_eq!(
        parse_basic_time("00010101T000000Z")
            .map(basic_time)
            .as_deref(),
        Some("00010101T000000Z")
    );
    // Extremes format without overflow.
    let _ = (basic_time(i64::MAX), basic_time(i64::MIN));
}

#[test]
fn extreme_clocks_do_not_overflow() {
    let request = suite_request(
        "GET",
        "/",
        &[],
        b"",
        "host;x-amz-date",
        GET_VANILLA_SIGNATURE,
    );
    for now in [0, u64::MAX, i64::MAX as u64] {
        let error = verify(&request, &suite_credentials(), now).unwrap_err();
        assert_eq!(error.type_name(), "InvalidSignatureException");
        let _ = error.message();
    }
}

// ----- the --auth file -----

#[test]
fn credentials_parse_pairs_comments_and_blank_lines() {
    let credentials = Credentials::parse(
        "# keys\n\n  AKID1  secret#1 \r\nAKID2\tsecret2\n   # indented comment\n",
    )
    .unwrap();
    assert_eq!(credentials.len(), 2);
    assert!(!credentials.is_empty());
    assert_eq!(credentials.secrets["AKID1"], "secret#1");
    let debug = format!("{credentials:?}");
    assert!(!debug.contains("secret"), "{debug}");
}

#[test]
fn credentials_errors_name_the_line_and_hide_the_secret() {
    let cases = [
        ("", "no `ACCESS_KEY_ID SECRET_ACCESS_KEY` line"),
        (
            "# only a comment\n\n",
            "no `ACCESS_KEY_ID SECRET_ACCESS_KEY` line",
        ),
        ("A s\nLONELY\n", "line 2: expected"),
        ("A s\n\nB s3cr3t extra\n", "line 3: expected"),
        ("A/B s3cr3t\n", "line 1: an access key id"),
        (
            "A s\nA s3cr3t\n",
            "line 2: access key id A was already given on line 1",
        ),
    ];
    for (text, expected) in cases {
        let error = Credentials::parse(text).unwrap_err();
        assert!(error.starts_with(expected), "{text:?}: {error}");
        assert!(!error.contains("s3cr3t"), "{error}");
    }
}

// ----- never panics -----

proptest! {
    #[test]
    fn any_authorization_header_is_answered(value in "[ -~]{0,300}") {
        let request = get_vanilla(value.trim());
        let outcome = check(&request);
        if let Err(error) = outcome {
            let _ = (error.type_name(), error.message(), error.status());
        }
    }

    #[test]
    fn authorization_made_of_near_misses_is_answered(
        parts in proptest::collection::vec(
            prop_oneof![
                Just("AWS4-HMAC-SHA256".to_owned()),
                Just("Credential=".to_owned()),
                Just("SignedHeaders=".to_owned()),
                Just("Signature=".to_owned()),
                Just(SUITE_CREDENTIAL.to_owned()),
                Just("host;x-amz-date".to_owned()),
                Just(GET_VANILLA_SIGNATURE.to_owned()),
                "[,;/= a-z0-9é]{0,12}",
            ],
            0..12,
        ),
        date in prop_oneof![Just("20150830T123600Z".to_owned()), "[0-9TZ ,:A-Za-z]{0,30}"],
        target in prop_oneof![Just("/".to_owned()), "/[!-~]{0,40}"],
    ) {
        let authorization = parts.concat();
        let headers = [
            ("Host", "example.amazonaws.com"),
            ("X-Amz-Date", date.trim()),
            ("Authorization", authorization.trim()),
        ];
        let request = request("GET", &target, &headers, b"");
        if let Err(error) = check(&request) {
            let _ = (error.type_name(), error.message());
        }
    }

    #[test]
    fn any_credentials_file_is_answered(text in "(([ -~]|\t|é){0,20}\n){0,5}") {
        let _ = Credentials::parse(&text);
    }
}
