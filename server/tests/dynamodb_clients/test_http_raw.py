"""The listener at the HTTP level, with http.client and raw sockets: the
GET / health check, malformed and oversized requests (each answered with a
well-formed response, or for a body cut short a clean close, and the
server serving a separate healthy boto3 client afterwards), gzip bodies,
keep-alive and pipelining."""

import gzip
import http.client
import json
import socket
import unittest

from support import (
    CONTENT_TYPE,
    TARGET_PREFIX,
    DynamoTestCase,
    client,
    crc32_of,
    error_type,
    host_port,
    raw_call,
)

SOCKET_TIMEOUT_S = 10


class Response:
    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body

    def __repr__(self):
        return f"Response({self.status} {self.reason}, {self.headers}, {self.body[:200]!r})"


class ResponseReader:
    """Reads HTTP/1.1 responses one after another from a socket, keeping
    what it read past one response for the next (pipelining)."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""
        self.closed = False

    def _fill(self):
        data = self.sock.recv(65536)
        if not data:
            self.closed = True
        self.buffer += data
        return bool(data)

    def _line(self):
        while b"\r\n" not in self.buffer:
            if not self._fill():
                raise EOFError(f"connection closed inside a line: {self.buffer[:200]!r}")
        line, self.buffer = self.buffer.split(b"\r\n", 1)
        return line

    def _exactly(self, count):
        while len(self.buffer) < count:
            if not self._fill():
                raise EOFError("connection closed inside a body")
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def at_eof(self):
        """True if the peer closed with nothing more to read."""
        if self.buffer:
            return False
        try:
            return not self._fill()
        except ConnectionResetError:
            return True

    def read(self, head_request=False):
        status_line = self._line().decode("latin-1")
        version, status, *reason = status_line.split(" ", 2)
        if not version.startswith("HTTP/1."):
            raise AssertionError(f"not an HTTP/1.x status line: {status_line!r}")
        headers = {}
        while True:
            line = self._line()
            if not line:
                break
            name, _, value = line.decode("latin-1").partition(":")
            if not _:
                raise AssertionError(f"malformed header line {line!r}")
            headers[name.strip().lower()] = value.strip()
        if head_request:
            body = b""
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self._line().split(b";")[0], 16)
                if size == 0:
                    while self._line():
                        pass
                    break
                body += self._exactly(size)
                self._line()
        elif "content-length" in headers:
            body = self._exactly(int(headers["content-length"]))
        else:
            # Only a response that closes the connection may omit its length.
            while self._fill():
                pass
            body, self.buffer = self.buffer, b""
        return Response(int(status), reason[0] if reason else "", headers, body)


def connect():
    sock = socket.create_connection(host_port(), timeout=SOCKET_TIMEOUT_S)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def post_bytes(operation, body, extra_headers=""):
    host, port = host_port()
    return (
        f"POST / HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Content-Type: {CONTENT_TYPE}\r\nX-Amz-Target: {TARGET_PREFIX}{operation}\r\n"
        f"Content-Length: {len(body)}\r\n{extra_headers}\r\n"
    ).encode() + body


class RawHttpTests(DynamoTestCase):
    def assert_still_serving(self):
        """A separate, healthy boto3 client still gets answers."""
        response = client().list_tables(Limit=1)
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], 200)

    def assert_error_response(self, response, statuses):
        self.assertIn(response.status, statuses, response)
        # A well-formed error: framed by Content-Length (read above) and, if
        # it has a body that claims to be DynamoDB JSON, that body parses.
        if response.body and "json" in response.headers.get("content-type", ""):
            json.loads(response.body)

    def send_and_read(self, payload, shutdown_write=False):
        sock = connect()
        try:
            sock.sendall(payload)
            if shutdown_write:
                sock.shutdown(socket.SHUT_WR)
            return ResponseReader(sock).read()
        finally:
            sock.close()

    def test_get_slash_is_a_health_check(self):
        host, port = host_port()
        connection = http.client.HTTPConnection(host, port, timeout=SOCKET_TIMEOUT_S)
        try:
            connection.request("GET", "/")
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        self.assertEqual(response.status, 200)
        self.assertTrue(body.startswith(b"healthy"), body)

    def test_a_normal_request_has_dynamodbs_headers(self):
        status, headers, body = raw_call("ListTables", {"Limit": 1})
        self.assertEqual(status, 200)
        self.assertTrue(headers["content-type"].startswith(CONTENT_TYPE))
        self.assertEqual(int(headers["x-amz-crc32"]), crc32_of(body))
        self.assertTrue(headers["x-amzn-requestid"])
        self.assertEqual(int(headers["content-length"]), len(body))
        self.assertIn("TableNames", json.loads(body))

    def test_a_bad_request_line_gets_400(self):
        response = self.send_and_read(b"THIS IS NOT HTTP\r\n\r\n")
        self.assert_error_response(response, (400,))
        response = self.send_and_read(b"POST / HTTP/9.9\r\nContent-Length: 0\r\n\r\n")
        self.assert_error_response(response, (400, 505))
        self.assert_still_serving()

    def test_a_20_kb_header_gets_431(self):
        big = "X-Padding: " + "a" * (20 * 1024) + "\r\n"
        response = self.send_and_read(post_bytes("ListTables", b"{}", big))
        self.assert_error_response(response, (431, 400))
        self.assert_still_serving()

    def test_a_body_shorter_than_its_content_length_then_close(self):
        # Content-Length promises 1000 bytes; 10 arrive and the client
        # half-closes. The server may answer 400 or just close, but must
        # not hang, answer garbage, or fall over.
        payload = post_bytes("ListTables", b"{}")
        payload = payload.replace(b"Content-Length: 2\r\n", b"Content-Length: 1000\r\n")
        payload += b'"padding"'
        sock = connect()
        try:
            sock.sendall(payload)
            sock.shutdown(socket.SHUT_WR)
            reader = ResponseReader(sock)
            if not reader.at_eof():
                self.assert_error_response(reader.read(), (400, 408))
        finally:
            sock.close()
        self.assert_still_serving()

    def test_invalid_json_is_a_serialization_exception(self):
        for body in (b"{not json", b"[1, 2, 3]", b"\xff\xfe", b'{"Limit": 1} trailing'):
            status, headers, data = raw_call("ListTables", body)
            self.assertEqual(status, 400, body)
            self.assertIn(error_type(data), ("SerializationException", "ValidationException"), data)
            self.assertEqual(int(headers["x-amz-crc32"]), crc32_of(data))
        self.assert_still_serving()

    def test_json_nested_ten_thousand_deep_is_refused_not_a_crash(self):
        depth = 10_000
        for body in (
            b'{"TableName": ' + b"[" * depth + b"]" * depth + b"}",
            b'{"Item": ' + b'{"a":' * depth + b"1" + b"}" * depth + b"}",
        ):
            status, _, data = raw_call("PutItem", body)
            self.assertEqual(status, 400, data[:200])
            self.assertIn(error_type(data), ("SerializationException", "ValidationException"), data[:200])
        self.assert_still_serving()

    def test_wrong_or_missing_target(self):
        status, _, data = raw_call("NotAnOperation", {})
        self.assertEqual(status, 400)
        self.assertEqual(error_type(data), "UnknownOperationException")
        status, _, data = raw_call("", {}, headers={"X-Amz-Target": "garbage"})
        self.assertEqual(status, 400)
        self.assertEqual(error_type(data), "UnknownOperationException")
        # No target header at all.
        response = self.send_and_read(
            post_bytes("ListTables", b"{}").replace(
                f"X-Amz-Target: {TARGET_PREFIX}ListTables\r\n".encode(), b""
            )
        )
        self.assert_error_response(response, (400,))
        self.assertIn(error_type(response.body), ("UnknownOperationException", "MissingAuthenticationTokenException", "SerializationException", "ValidationException"))
        self.assert_still_serving()

    def test_a_body_over_16_mb_gets_413_before_it_is_sent(self):
        length = 16 * 1024 * 1024 + 1
        host, port = host_port()
        head = (
            f"POST / HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: {CONTENT_TYPE}\r\n"
            f"X-Amz-Target: {TARGET_PREFIX}PutItem\r\nContent-Length: {length}\r\n\r\n"
        ).encode()
        sock = connect()
        try:
            sock.sendall(head)
            response = ResponseReader(sock).read()
        finally:
            sock.close()
        self.assert_error_response(response, (413,))
        self.assert_still_serving()

    def test_a_body_over_16_mb_sent_whole_gets_413(self):
        body = b'{"TableName": "' + b"x" * (16 * 1024 * 1024 + 10) + b'"}'
        sock = connect()
        try:
            try:
                sock.sendall(post_bytes("PutItem", body))
            except (BrokenPipeError, ConnectionResetError):
                pass  # The server answered and closed before reading it all.
            try:
                response = ResponseReader(sock).read()
            except (ConnectionResetError, EOFError):
                response = None
        finally:
            sock.close()
        if response is not None:
            self.assert_error_response(response, (413,))
        self.assert_still_serving()

    def test_a_gzip_body_is_accepted(self):
        body = gzip.compress(json.dumps({"Limit": 1}).encode())
        status, headers, data = raw_call("ListTables", body, headers={"Content-Encoding": "gzip"})
        self.assertEqual(status, 200, data)
        self.assertIn("TableNames", json.loads(data))
        # A body that says gzip but is not gzip is refused.
        status, _, data = raw_call("ListTables", b"{}", headers={"Content-Encoding": "gzip"})
        self.assertEqual(status, 400, data)
        self.assert_still_serving()

    def test_keep_alive_serves_many_requests_on_one_connection(self):
        host, port = host_port()
        connection = http.client.HTTPConnection(host, port, timeout=SOCKET_TIMEOUT_S)
        try:
            connection.connect()
            first_socket = connection.sock
            for index in range(200):
                operation = "ListTables" if index % 2 == 0 else "NoSuchOperation"
                connection.request(
                    "POST", "/", body=b"{}",
                    headers={"Content-Type": CONTENT_TYPE, "X-Amz-Target": TARGET_PREFIX + operation},
                )
                response = connection.getresponse()
                response.read()
                self.assertEqual(response.status, 200 if index % 2 == 0 else 400)
                self.assertIs(connection.sock, first_socket, f"reconnected at request {index}")
                self.assertNotEqual(response.getheader("Connection", "").lower(), "close")
        finally:
            connection.close()

    def test_pipelined_requests_are_answered_in_order(self):
        name = self.new_table("pipeline")
        put = json.dumps({"TableName": name, "Item": {"pk": {"S": "a"}, "v": {"S": "1"}}}).encode()
        get = json.dumps({"TableName": name, "Key": {"pk": {"S": "a"}}, "ConsistentRead": True}).encode()
        listing = json.dumps({"Limit": 1}).encode()
        sock = connect()
        try:
            sock.sendall(post_bytes("PutItem", put) + post_bytes("GetItem", get) + post_bytes("ListTables", listing))
            reader = ResponseReader(sock)
            responses = [reader.read() for _ in range(3)]
        finally:
            sock.close()
        self.assertEqual([r.status for r in responses], [200, 200, 200], responses)
        self.assertEqual(json.loads(responses[0].body), {})
        self.assertEqual(json.loads(responses[1].body)["Item"], {"pk": {"S": "a"}, "v": {"S": "1"}})
        self.assertIn("TableNames", json.loads(responses[2].body))
        for response in responses:
            self.assertEqual(int(response.headers["x-amz-crc32"]), crc32_of(response.body))
        ids = [r.headers["x-amzn-requestid"] for r in responses]
        self.assertEqual(len(set(ids)), 3)

    def test_many_pipelined_requests_in_one_write(self):
        count = 50
        payload = b"".join(
            post_bytes("ListTables", json.dumps({"Limit": 1 + i % 5}).encode()) for i in range(count)
        )
        sock = connect()
        try:
            sock.sendall(payload)
            reader = ResponseReader(sock)
            responses = [reader.read() for _ in range(count)]
        finally:
            sock.close()
        for index, response in enumerate(responses):
            self.assertEqual(response.status, 200, index)
            self.assertLessEqual(len(json.loads(response.body)["TableNames"]), 1 + index % 5)

    def test_other_framings_get_well_formed_answers(self):
        host, port = host_port()
        target = f"X-Amz-Target: {TARGET_PREFIX}ListTables\r\n"
        # HTTP/1.0: answered, then closed.
        sock = connect()
        try:
            sock.sendall(f"POST / HTTP/1.0\r\n{target}Content-Length: 2\r\n\r\n{{}}".encode())
            reader = ResponseReader(sock)
            self.assertEqual(reader.read().status, 200)
            self.assertTrue(reader.at_eof())
        finally:
            sock.close()
        # Expect: 100-continue (some HTTP clients send it for large bodies).
        sock = connect()
        try:
            sock.sendall(
                f"POST / HTTP/1.1\r\nHost: {host}:{port}\r\n{target}Expect: 100-continue\r\n"
                f"Content-Length: 2\r\n\r\n{{}}".encode()
            )
            reader = ResponseReader(sock)
            response = reader.read()
            if response.status == 100:
                response = reader.read()
            self.assertEqual(response.status, 200, response)
        finally:
            sock.close()
        # A chunked body: DynamoDB's SDKs always send Content-Length, so a
        # refusal is fine, but it must be a well-formed one.
        response = self.send_and_read(
            f"POST / HTTP/1.1\r\nHost: {host}:{port}\r\n{target}Transfer-Encoding: chunked\r\n"
            f"\r\n2\r\n{{}}\r\n0\r\n\r\n".encode()
        )
        self.assert_error_response(response, (200, 400, 411, 501))
        # Another path than /.
        response = self.send_and_read(f"GET /elsewhere HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        self.assert_error_response(response, (400, 404, 405))
        self.assert_still_serving()

    def test_connection_close_is_honoured(self):
        sock = connect()
        try:
            sock.sendall(post_bytes("ListTables", b"{}", "Connection: close\r\n"))
            reader = ResponseReader(sock)
            response = reader.read()
            self.assertEqual(response.status, 200)
            self.assertTrue(reader.at_eof(), "the server kept the connection open")
        finally:
            sock.close()


if __name__ == "__main__":
    unittest.main()
