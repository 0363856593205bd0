import glob
import json
import os
import re
import shlex

import pytest
from ansible_collections.duoshou.kubeadm.plugins.module_utils.join import (
    JoinInfoError,
    api_server_endpoint_from_kubeconfig,
    build_join_command,
    normalize_output,
    parse_certificate_key,
    parse_join_info,
    redact_hex_keys,
)
from ansible_collections.duoshou.kubeadm.tests.unit.plugins.helpers import FIXTURES, read_fixture

H1 = 'sha256:ed658f722bd79064d89e4bfd72b1e43fffae50e966528477fead1df68948eb51'
H2 = 'sha256:968bca989676c59889882d8fa5f7966c6378105bc8070fba5ba603d3b3753f43'
K1 = '3240c78a5d90ee1c5c2a1b03b514471bfbf2c8031726e61210c38be71a8b9954'
K2 = 'cd25fc885ee054ae3a6d47e2a825d2c77443468ffe18995cfe8781d07443a7e3'
T1 = 'x7k2mq.9fz3c1d8ab0e5w4y'
T2 = 'r4nd0m.t0k3nv4lu3f0rt3s'
T3 = 'p9q8r7.s6t5u4v3w2x1y0z9'


def worker(endpoint, token, hashes):
    return 'kubeadm join %s --token %s %s' % (
        endpoint, token, ' '.join('--discovery-token-ca-cert-hash ' + h for h in hashes))


EXPECTED = {
    'kubeadm-1.28-init-single-cp-reconstructed.txt': dict(
        api_server_endpoint='192.168.0.11:6443', token=T1, ca_cert_hashes=[H1], certificate_key=None,
        control_plane_join_command=None, worker_join_command=worker('192.168.0.11:6443', T1, [H1])),
    'kubeadm-1.28-init-ha-no-upload-certs-reconstructed.txt': dict(
        api_server_endpoint='k8s-api.lab.internal:16443', token=T1, ca_cert_hashes=[H1], certificate_key=None,
        control_plane_join_command=worker('k8s-api.lab.internal:16443', T1, [H1]) + ' --control-plane',
        worker_join_command=worker('k8s-api.lab.internal:16443', T1, [H1])),
    'kubeadm-1.31-init-ha-upload-certs-reconstructed.txt': dict(
        api_server_endpoint='192.168.0.100:16443', token=T2, ca_cert_hashes=[H1], certificate_key=K1,
        control_plane_join_command=worker('192.168.0.100:16443', T2, [H1]) + ' --control-plane --certificate-key ' + K1,
        worker_join_command=worker('192.168.0.100:16443', T2, [H1])),
    'kubeadm-1.34-init-ha-upload-certs-reconstructed.txt': dict(
        api_server_endpoint='192.168.0.100:16443', token=T3, ca_cert_hashes=[H1], certificate_key=K2,
        control_plane_join_command=worker('192.168.0.100:16443', T3, [H1]) + ' --control-plane --certificate-key ' + K2,
        worker_join_command=worker('192.168.0.100:16443', T3, [H1])),
    'kubeadm-1.34-init-ipv6-single-cp-reconstructed.txt': dict(
        api_server_endpoint='[fd00::11]:6443', token=T3, ca_cert_hashes=[H1], certificate_key=None,
        control_plane_join_command=None, worker_join_command=worker('[fd00::11]:6443', T3, [H1])),
    'kubeadm-1.34-init-ha-two-ca-hashes-reconstructed.txt': dict(
        api_server_endpoint='192.168.0.100:16443', token=T3, ca_cert_hashes=[H1, H2], certificate_key=None,
        control_plane_join_command=worker('192.168.0.100:16443', T3, [H1, H2]) + ' --control-plane',
        worker_join_command=worker('192.168.0.100:16443', T3, [H1, H2])),
    'kubeadm-1.34-token-create-print-join-command-reconstructed.txt': dict(
        api_server_endpoint='192.168.0.100:16443', token=T2, ca_cert_hashes=[H1], certificate_key=None,
        control_plane_join_command=None, worker_join_command=worker('192.168.0.100:16443', T2, [H1])),
    'kubeadm-1.28-token-create-print-join-command-reconstructed.txt': dict(
        api_server_endpoint='192.168.0.100:16443', token=T2, ca_cert_hashes=[H1], certificate_key=None,
        control_plane_join_command=None, worker_join_command=worker('192.168.0.100:16443', T2, [H1])),
    'kubeadm-1.34-token-create-print-join-command-certificate-key-reconstructed.txt': dict(
        api_server_endpoint='192.168.0.100:16443', token=T2, ca_cert_hashes=[H1], certificate_key=K2,
        control_plane_join_command=worker('192.168.0.100:16443', T2, [H1]) + ' --control-plane --certificate-key ' + K2,
        worker_join_command=worker('192.168.0.100:16443', T2, [H1])),
}

JOIN_FIXTURES = sorted(
    os.path.basename(path) for path in glob.glob(os.path.join(FIXTURES, 'kubeadm-*.txt'))
    if re.search(r'-(init|token-create)-', os.path.basename(path))
)


@pytest.mark.parametrize('name', sorted(EXPECTED))
def test_reconstructed_outputs(name):
    assert parse_join_info(read_fixture(name)) == EXPECTED[name]


@pytest.mark.parametrize('name', sorted(EXPECTED))
def test_bytes_input(name):
    assert parse_join_info(read_fixture(name, 'rb')) == EXPECTED[name]


def test_every_join_fixture_has_an_expectation_or_is_a_recording():
    # Lab recordings (*-recorded.txt) are checked by test_any_fixture_parses; reconstructions need exact values.
    assert len(JOIN_FIXTURES) >= len(EXPECTED)
    unchecked = [name for name in JOIN_FIXTURES if name not in EXPECTED and not name.endswith('-recorded.txt')]
    assert unchecked == []


@pytest.mark.parametrize('name', JOIN_FIXTURES)
def test_any_fixture_parses(name):
    info = parse_join_info(read_fixture(name))
    assert re.match(r'^[a-z0-9]{6}\.[a-z0-9]{16}$', info['token'])
    assert info['ca_cert_hashes'] and all(re.match(r'^sha256:[0-9a-f]{64}$', h) for h in info['ca_cert_hashes'])
    assert re.match(r'^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d+$', info['api_server_endpoint'])
    for key in ('worker_join_command', 'control_plane_join_command'):
        command = info[key]
        if command is not None:
            assert '\n' not in command and '\\' not in command and '\t' not in command
            assert command.startswith('kubeadm join ' + info['api_server_endpoint'] + ' --token ' + info['token'])
    assert '--control-plane' not in info['worker_join_command']
    if info['certificate_key'] is not None:
        assert re.match(r'^[0-9a-f]{64}$', info['certificate_key'])
        assert info['control_plane_join_command'].endswith('--certificate-key ' + info['certificate_key'])


@pytest.mark.parametrize('name', sorted(EXPECTED))
def test_crlf_output_parses_like_lf(name):
    # Output pasted from Windows terminals; made here because the sanity tests forbid CRLF files.
    crlf = read_fixture(name).replace('\n', '\r\n')
    assert '\r\n' in crlf
    assert parse_join_info(crlf) == EXPECTED[name]


SPACED = 'gphqpl.x4t40tkyaznt49xa'


def test_space_indented_continuations_and_equals_flags():
    text = ('some log line\n'
            '  kubeadm join cluster-endpoint:6443 --token=gphqpl.x4t40tkyaznt49xa \\\n'
            '    --discovery-token-ca-cert-hash=%s \\\n'
            '    --control-plane \n'
            'more log\n') % H1
    info = parse_join_info(text)
    assert info['api_server_endpoint'] == 'cluster-endpoint:6443'
    assert info['token'] == SPACED
    assert info['ca_cert_hashes'] == [H1]
    assert info['certificate_key'] is None
    assert info['control_plane_join_command'].endswith('--control-plane')
    assert info['worker_join_command'] == (
        'kubeadm join cluster-endpoint:6443 --token=gphqpl.x4t40tkyaznt49xa --discovery-token-ca-cert-hash=' + H1)


def test_backslash_with_trailing_whitespace_and_cr_only():
    text = 'kubeadm join 10.0.0.1:6443 --token %s \\  \r\t--discovery-token-ca-cert-hash %s \r' % (T1, H1)
    assert parse_join_info(text)['worker_join_command'] == worker('10.0.0.1:6443', T1, [H1])


def test_last_command_wins():
    first = worker('10.0.0.1:6443', T1, [H1])
    second = worker('10.0.0.2:6443', T2, [H2])
    assert parse_join_info(first + '\n' + second + '\n')['token'] == T2


def test_prose_mentioning_kubeadm_join_is_ignored():
    text = "Run 'kubeadm join' on each node\n" + worker('10.0.0.1:6443', T1, [H1]) + '\n'
    assert parse_join_info(text)['api_server_endpoint'] == '10.0.0.1:6443'


@pytest.mark.parametrize('text', [
    '',
    '[init] Using Kubernetes version: v1.34.4\n'
    'error execution phase preflight: [preflight] Some fatal errors occurred\n',
    "You can use 'kubeadm join' later\n",
    'kubeadm join 10.0.0.1:6443\n',
])
def test_no_join_command(text):
    with pytest.raises(JoinInfoError, match='no "kubeadm join'):
        parse_join_info(text)


def test_wrong_type():
    with pytest.raises(JoinInfoError, match='expected kubeadm output as text'):
        parse_join_info(None)


def test_normalize_output():
    assert normalize_output('a \\\r\n\tb\r\nc') == 'a b\nc'


INFO = dict(api_server_endpoint='192.168.0.100:16443', token=T3, ca_cert_hashes=[H1, H2], certificate_key=K2)


def test_build_worker_command():
    assert build_join_command(INFO) == worker('192.168.0.100:16443', T3, [H1, H2])


def test_build_round_trip_from_parsed_output():
    info = parse_join_info(read_fixture('kubeadm-1.34-init-ha-upload-certs-reconstructed.txt'))
    assert build_join_command(info) == info['worker_join_command']
    assert build_join_command(info, control_plane=True) == info['control_plane_join_command']


def test_build_control_plane_with_dict_key_and_override():
    assert build_join_command(INFO, control_plane=True).endswith('--control-plane --certificate-key ' + K2)
    assert build_join_command(INFO, control_plane=True, certificate_key=K1).endswith('--certificate-key ' + K1)


def test_build_all_options_are_quoted():
    command = build_join_command(
        dict(INFO, api_server_endpoint='[fd00::10]:6443'), control_plane=True,
        cri_socket='unix:///var/run/cri-dockerd.sock', node_name="node one;rm -rf /",
        apiserver_advertise_address='fd00::11')
    args = shlex.split(command)
    assert args[:3] == ['kubeadm', 'join', '[fd00::10]:6443']
    assert args[args.index('--node-name') + 1] == 'node one;rm -rf /'
    assert args[args.index('--cri-socket') + 1] == 'unix:///var/run/cri-dockerd.sock'
    assert args[args.index('--apiserver-advertise-address') + 1] == 'fd00::11'
    assert "'node one;rm -rf /'" in command
    assert "'[fd00::10]:6443'" in command


def test_build_single_hash_key_is_accepted():
    info = dict(api_server_endpoint='a:6443', token=T1, ca_cert_hash=H1)
    assert build_join_command(info) == worker('a:6443', T1, [H1])


@pytest.mark.parametrize('info, kwargs, message', [
    (dict(INFO, certificate_key=None), dict(control_plane=True), 'needs a certificate key'),
    (dict(INFO), dict(certificate_key=K1), 'control_plane is false'),
    (dict(INFO), dict(apiserver_advertise_address='10.0.0.1'), 'only applies to control-plane'),
    (dict(INFO, token=''), {}, 'token is missing'),
    (dict(INFO, api_server_endpoint=None), {}, 'api_server_endpoint is missing'),
    (dict(INFO, ca_cert_hashes=[]), {}, 'ca_cert_hashes is missing'),
    ('kubeadm join', {}, 'expected a dict'),
])
def test_build_errors(info, kwargs, message):
    with pytest.raises(JoinInfoError, match=message):
        build_join_command(info, **kwargs)


def test_parse_certificate_key_fixture():
    assert parse_certificate_key(read_fixture('kubeadm-1.34-upload-certs-reconstructed.txt')) == K2


def test_parse_certificate_key_from_init_log():
    init_log = read_fixture('kubeadm-1.31-init-ha-upload-certs-reconstructed.txt').replace('\n', '\r\n')
    assert parse_certificate_key(init_log) == K1


def test_parse_certificate_key_same_line():
    assert parse_certificate_key('[upload-certs] Using certificate key: %s\n' % K1) == K1


@pytest.mark.parametrize('text, message', [
    ('[upload-certs] Storing the certificates in Secret "kubeadm-certs"\n', 'no "\\[upload-certs\\] Using'),
    ('[upload-certs] Using certificate key:\n\n', 'not followed by'),
    ('[upload-certs] Using certificate key:\nNOTAKEY\n', 'not followed by'),
    ('[upload-certs] Using certificate key:\n%s\n' % K1.upper(), 'not followed by'),
])
def test_parse_certificate_key_errors(text, message):
    with pytest.raises(JoinInfoError, match=message):
        parse_certificate_key(text)


def test_redact_hex_keys():
    assert redact_hex_keys('key ' + K1 + ' end') == 'key <redacted> end'


KUBECONFIG = {
    'apiVersion': 'v1',
    'clusters': [
        {'name': 'other', 'cluster': {'server': 'https://10.9.9.9:6443'}},
        {'name': 'kubernetes', 'cluster': {'server': 'https://192.168.0.100:16443'}},
    ],
    'contexts': [{'name': 'kubernetes-admin@kubernetes', 'context': {'cluster': 'kubernetes', 'user': 'admin'}}],
    'current-context': 'kubernetes-admin@kubernetes',
}


def test_endpoint_from_kubeconfig_uses_current_context():
    assert api_server_endpoint_from_kubeconfig(KUBECONFIG) == '192.168.0.100:16443'


@pytest.mark.parametrize('server, expected', [
    ('https://[fd00::10]:6443', '[fd00::10]:6443'),
    ('https://k8s-api.lab.internal', 'k8s-api.lab.internal:443'),
    ('https://10.0.0.1:6443/', '10.0.0.1:6443'),
])
def test_endpoint_forms(server, expected):
    config = {'clusters': [{'name': 'c', 'cluster': {'server': server}}]}
    assert api_server_endpoint_from_kubeconfig(config) == expected


@pytest.mark.parametrize('name, expected', [
    ('kubectl-1.32-config-view-json-recorded.json', '192.168.0.100:16443'),
    ('kubectl-1.32-config-view-ipv6-json-recorded.json', '[fd00::10]:6443'),  # no current context, no users
])
def test_endpoint_from_recorded_kubectl_config_view(name, expected):
    assert api_server_endpoint_from_kubeconfig(json.loads(read_fixture(name))) == expected


@pytest.mark.parametrize('config', [None, {}, {'clusters': None}, {'clusters': [{'name': 'c', 'cluster': {}}]}])
def test_endpoint_errors(config):
    with pytest.raises(JoinInfoError):
        api_server_endpoint_from_kubeconfig(config)
