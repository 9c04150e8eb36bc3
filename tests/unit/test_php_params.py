"""Moodle's PHP array parameter encoding, both ways."""

from include.connectors.moodle_ws import encode_php_params
from include.sandbox.moodle_ws.server import decode_php_params


def test_encoding_matches_the_recorded_request():
    fields = encode_php_params(
        {
            "members": [
                {
                    "cohorttype": {"type": "idnumber", "value": "group:ЛД-21"},
                    "usertype": {"type": "username", "value": "s1001"},
                }
            ]
        }
    )
    assert fields == [
        ("members[0][cohorttype][type]", "idnumber"),
        ("members[0][cohorttype][value]", "group:ЛД-21"),
        ("members[0][usertype][type]", "username"),
        ("members[0][usertype][value]", "s1001"),
    ]


def test_round_trip_keeps_lists_order_and_booleans():
    params = {
        "users": [{"id": 3, "suspended": True}, {"id": 4, "suspended": False}],
        "values": ["1001", "1004"],
        "field": "idnumber",
    }
    decoded = decode_php_params(encode_php_params(params))
    assert decoded == {
        "users": [{"id": "3", "suspended": "1"}, {"id": "4", "suspended": "0"}],
        "values": ["1001", "1004"],
        "field": "idnumber",
    }
