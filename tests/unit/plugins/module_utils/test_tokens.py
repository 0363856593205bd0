import datetime

import pytest
from ansible_collections.duoshou.kubeadm.plugins.module_utils.tokens import (
    UTC,
    TokenError,
    format_duration,
    format_timestamp,
    parse_created_token,
    parse_duration,
    parse_timestamp,
    parse_token_list,
    select_token,
    token_expiry,
    token_id,
)
from ansible_collections.duoshou.kubeadm.tests.unit.plugins.helpers import read_fixture

COMPACT = 'aaaaaa.bbbbbbbbbbbbbbbb'
DEFAULT = 'p9q8r7.s6t5u4v3w2x1y0z9'
FOREVER = 'ffffff.0000000000000000'
NOW = datetime.datetime(2026, 11, 22, 2, 0, 0, tzinfo=UTC)
USAGES = ['signing', 'authentication']
GROUPS = ['system:bootstrappers:kubeadm:default-node-token']


def token_list_text():
    return read_fixture('kubeadm-1.34-token-list-json-reconstructed.txt')


@pytest.mark.parametrize('value, seconds', [
    ('2h', 7200), ('90m', 5400), ('1h30m', 5400), ('2h0m0s', 7200), ('45s', 45), ('0', 0), ('1.5h', 5400),
    (3600, 3600),
])
def test_parse_duration(value, seconds):
    assert parse_duration(value) == seconds


@pytest.mark.parametrize('value', ['', '2d', 'h', '1h 30m', '30m1h2', 'soon', '-1h'])
def test_parse_duration_errors(value):
    with pytest.raises(TokenError, match='ttl='):
        parse_duration(value, 'ttl')


def test_format_duration():
    assert format_duration(7200) == '2h0m0s'
    assert format_duration(5430) == '1h30m30s'


@pytest.mark.parametrize('text, expected', [
    ('2026-11-22T04:05:10Z', datetime.datetime(2026, 11, 22, 4, 5, 10, tzinfo=UTC)),
    ('2026-11-22T12:05:10+08:00', datetime.datetime(2026, 11, 22, 4, 5, 10, tzinfo=UTC)),
    ('2026-11-21T23:05:10.123456-05:00', datetime.datetime(2026, 11, 22, 4, 5, 10, 123456, tzinfo=UTC)),
])
def test_parse_timestamp(text, expected):
    assert parse_timestamp(text) == expected
    assert format_timestamp(parse_timestamp(text)) == '2026-11-22T04:05:10Z'


def test_parse_timestamp_error():
    with pytest.raises(TokenError, match='RFC 3339'):
        parse_timestamp('tomorrow')


def test_parse_token_list_stream():
    tokens = parse_token_list(token_list_text())
    assert [t['token'] for t in tokens] == [
        'p9q8r7.s6t5u4v3w2x1y0z9', 'abc123.shortlived000000', 'zzz999.signingonly00000']
    assert tokens[0]['usages'] == ['authentication', 'signing']


def test_parse_token_list_compact_and_list_wrapper():
    text = '{"token":"aaaaaa.bbbbbbbbbbbbbbbb"}{"token":"cccccc.dddddddddddddddd"}\n'
    assert len(parse_token_list(text)) == 2
    assert parse_token_list('{"kind":"List","items":[{"token":"%s"}]}' % COMPACT)[0]['token'] == COMPACT


@pytest.mark.parametrize('text', ['', '   \n', None])
def test_parse_token_list_empty(text):
    assert parse_token_list(text) == []


@pytest.mark.parametrize('text', [
    'TOKEN   TTL   EXPIRES\nabcdef.0123456789abcdef 23h 2026-11-23T02:10:58Z',
    '{"token": "aaaaaa.bbbbbbbbbbbbbbbb"',
    '{"description": "no token"}',
    '[1, 2]',
])
def test_parse_token_list_errors(text):
    with pytest.raises(TokenError):
        parse_token_list(text)


def test_select_prefers_longest_lived_matching_token():
    tokens = parse_token_list(token_list_text())
    chosen = select_token(tokens, USAGES, GROUPS, 3600, now=NOW)
    # The signing-only token lives longer but cannot authenticate a joining kubelet.
    assert chosen['token'] == DEFAULT


def test_select_skips_tokens_expiring_too_soon():
    tokens = parse_token_list(token_list_text())
    assert select_token(tokens, USAGES, GROUPS, 25 * 3600, now=NOW) is None
    short = [t for t in tokens if t['token'].startswith('abc123')]
    assert select_token(short, USAGES, GROUPS, 60 * 29, now=NOW) is not None
    assert select_token(short, USAGES, GROUPS, 60 * 31, now=NOW) is None


def test_select_never_expiring_token_wins():
    tokens = parse_token_list(token_list_text())
    forever = dict(tokens[1], token=FOREVER)
    del forever['expires']
    assert select_token(tokens + [forever], USAGES, GROUPS, 3600, now=NOW)['token'] == FOREVER
    assert token_expiry(forever) is None


def test_select_requires_groups():
    tokens = parse_token_list(token_list_text())
    assert select_token(tokens, USAGES, ['system:bootstrappers:other'], 0, now=NOW) is None


def test_select_expired_token():
    tokens = parse_token_list(token_list_text())
    later = NOW + datetime.timedelta(days=30)
    assert select_token(tokens, USAGES, GROUPS, 0, now=later) is None


def test_parse_created_token():
    out = 'W1122 02:11:05.004121 configset.go:177] warning\np9q8r7.s6t5u4v3w2x1y0z9\n'
    assert parse_created_token(out) == 'p9q8r7.s6t5u4v3w2x1y0z9'
    assert token_id('p9q8r7.s6t5u4v3w2x1y0z9') == 'p9q8r7'


@pytest.mark.parametrize('out', ['', 'created\n', 'ABCDEF.0123456789ABCDEF\n'])
def test_parse_created_token_errors(out):
    with pytest.raises(TokenError):
        parse_created_token(out)
