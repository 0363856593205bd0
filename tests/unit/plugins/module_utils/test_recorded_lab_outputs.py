"""Outputs recorded from a real kubeadm v1.34.4 cluster in the lab (tests/lab, `make test-cluster`).

The cluster they came from is gone; its tokens and CA are worthless outside these tests.
"""

from ansible_collections.duoshou.kubeadm.plugins.module_utils.join import parse_join_info
from ansible_collections.duoshou.kubeadm.plugins.module_utils.pki import ca_cert_hash
from ansible_collections.duoshou.kubeadm.plugins.module_utils.tokens import (
    parse_timestamp,
    parse_token_list,
    select_token,
)
from ansible_collections.duoshou.kubeadm.tests.unit.plugins.helpers import read_fixture

JOIN = 'kubeadm-1.34-token-create-print-join-command-recorded.txt'
TOKENS = 'kubeadm-1.34-token-list-json-recorded.txt'
CA = 'kubeadm-1.34-ca-recorded.crt'


def test_pure_python_hash_equals_the_one_kubeadm_printed():
    assert parse_join_info(read_fixture(JOIN))['ca_cert_hashes'] == [ca_cert_hash(read_fixture(CA))]


def test_recorded_join_command():
    info = parse_join_info(read_fixture(JOIN))
    assert info['api_server_endpoint'] == '192.168.77.11:6443'
    assert info['token'] == 'ikj8i3.yuhczt6il1uz45ir'
    assert info['certificate_key'] is None and info['control_plane_join_command'] is None


def test_recorded_token_list_is_a_stream_of_objects():
    tokens = parse_token_list(read_fixture(TOKENS))
    assert [t['token'] for t in tokens] == ['ikj8i3.yuhczt6il1uz45ir', 'wmob5o.wzrdyh2wecxe6rp7']
    assert all(t['kind'] == 'BootstrapToken' and 'signing' in t['usages'] for t in tokens)


def test_recorded_tokens_are_selected_by_remaining_lifetime():
    tokens = parse_token_list(read_fixture(TOKENS))
    groups = ['system:bootstrappers:kubeadm:default-node-token']
    recorded_at = parse_timestamp('2026-11-22T03:52:20Z')
    # The 10-minute token has 10 minutes left, the 24-hour one about a day.
    chosen = select_token(tokens, ['authentication', 'signing'], groups, 3600, now=recorded_at)
    assert chosen['token'] == 'wmob5o.wzrdyh2wecxe6rp7'
    assert select_token(tokens, ['authentication', 'signing'], groups, 2 * 86400, now=recorded_at) is None
