import datetime

import pytest
from ansible_collections.duoshou.kubeadm.plugins.module_utils.tokens import UTC
from ansible_collections.duoshou.kubeadm.plugins.modules import kubeadm_token
from ansible_collections.duoshou.kubeadm.tests.unit.plugins.helpers import ADMIN_KUBECONFIG, read_fixture

NOW = datetime.datetime(2026, 11, 22, 2, 0, 0, tzinfo=UTC)
FRESH = 'n3wt0k.abcdefghij012345'
REUSED = 'p9q8r7.s6t5u4v3w2x1y0z9'
REUSED_ID = REUSED.split('.', maxsplit=1)[0]


BINS = {'kubeadm': '/usr/bin/kubeadm', 'kubectl': '/usr/bin/kubectl'}
CONFIG_VIEW = 'kubectl-1.32-config-view-json-recorded.json'


def token_list():
    return read_fixture('kubeadm-1.34-token-list-json-reconstructed.txt')


def is_list(args):
    return args[1:3] == ['token', 'list']


def is_create(args):
    return args[1:3] == ['token', 'create']


def is_config_view(args):
    return args[1:3] == ['config', 'view']


@pytest.fixture
def run(module_harness):
    """Run the module with kubeadm and kubectl on PATH; kubectl prints the recorded config view unless told else."""

    def run_module(args, runner, bins=None, executables=()):
        runner.on(is_config_view, out=read_fixture(CONFIG_VIEW))
        return module_harness(kubeadm_token.main, args, runner, bins=BINS if bins is None else bins,
                              executables=executables)

    return run_module


@pytest.fixture
def env(tmp_path, openssl_ca, monkeypatch):
    monkeypatch.setattr(kubeadm_token, 'utcnow', lambda: NOW)
    kubeconfig = tmp_path / 'admin.conf'
    kubeconfig.write_text(ADMIN_KUBECONFIG)
    return dict(
        args=dict(kubeconfig=str(kubeconfig), ca_cert_path=openssl_ca['rsa2048']['path']),
        ca_hash=openssl_ca['rsa2048']['expected'],
    )


def test_valid_token_is_reused(run, runner, env):
    runner.on(is_list, out=token_list())
    kind, result, runner = run(env['args'], runner)
    assert kind == 'exit'
    assert result['changed'] is False
    assert result['created'] is False
    assert result['token'] == REUSED
    assert result['token_id'] == REUSED_ID
    assert result['expires'] == '2026-11-23T02:10:58Z'
    assert result['api_server_endpoint'] == '192.168.0.100:16443'
    assert result['ca_cert_hash'] == env['ca_hash']
    assert result['worker_join_command'] == (
        'kubeadm join 192.168.0.100:16443 --token p9q8r7.s6t5u4v3w2x1y0z9 --discovery-token-ca-cert-hash '
        + env['ca_hash'])
    # Without --raw: kubectl prints no credentials.
    assert runner.calls == [['/usr/bin/kubectl', 'config', 'view', '--kubeconfig', env['args']['kubeconfig'],
                             '--output', 'json'],
                            ['/usr/bin/kubeadm', 'token', 'list', '-o', 'json', '--kubeconfig',
                             env['args']['kubeconfig']]]


def create_answer(runner):
    return runner.on(is_create, out=FRESH + '\n', err='W1122 02:00:00 warning on stderr\n')


def test_near_expiry_token_causes_create(run, runner, env):
    only_short = token_list().split('}\n{')[1]
    runner.on(is_list, out='{' + only_short + '}\n')
    create_answer(runner)
    kind, result, runner = run(env['args'], runner)
    assert kind == 'exit'
    assert result['changed'] is True and result['created'] is True
    assert result['token'] == FRESH
    assert result['expires'] == '2026-11-22T04:00:00Z'
    create = runner.ran('create')[0]
    assert create == ['/usr/bin/kubeadm', 'token', 'create', '--kubeconfig', env['args']['kubeconfig'],
                      '--ttl', '2h0m0s', '--description', 'Created by duoshou.kubeadm.kubeadm_token',
                      '--usages', 'signing,authentication',
                      '--groups', 'system:bootstrappers:kubeadm:default-node-token']
    assert not any(arg.count('.') == 1 and len(arg) == 23 for arg in create), 'no token on the command line'


def test_min_remaining_longer_than_valid_tokens_causes_create(run, runner, env):
    runner.on(is_list, out=token_list())
    create_answer(runner)
    args = dict(env['args'], min_remaining='25h', ttl='48h')
    kind, result, runner = run(args, runner)
    assert kind == 'exit' and result['changed'] is True
    assert result['expires'] == '2026-11-24T02:00:00Z'
    assert '48h0m0s' in runner.ran('create')[0]


def test_no_tokens_causes_create(run, runner, env):
    runner.on(is_list, out='')
    create_answer(runner)
    kind, result, runner = run(env['args'], runner)
    assert kind == 'exit' and result['created'] is True and result['token'] == FRESH
    assert FRESH in result['worker_join_command']


def test_custom_usages_groups_and_never_expiring_ttl(run, runner, env):
    runner.on(is_list, out=token_list())
    create_answer(runner)
    args = dict(env['args'], usages=['authentication', 'signing'], groups=['system:bootstrappers:lab'], ttl='0',
                description='lab token')
    kind, result, runner = run(args, runner)
    assert kind == 'exit' and result['created'] is True
    assert result['expires'] is None
    create = runner.ran('create')[0]
    assert create[create.index('--groups') + 1] == 'system:bootstrappers:lab'
    assert create[create.index('--usages') + 1] == 'authentication,signing'
    assert create[create.index('--description') + 1] == 'lab token'


def test_check_mode_would_create(run, runner, env):
    runner.on(is_list, out='')
    kind, result, runner = run(dict(env['args'], _ansible_check_mode=True), runner)
    assert kind == 'exit'
    assert result['changed'] is True and result['created'] is True
    assert result['token'] is None and result['worker_join_command'] is None
    assert 'would be created' in result['msg']
    assert runner.ran('create') == []


def test_check_mode_reuses(run, runner, env):
    runner.on(is_list, out=token_list())
    kind, result, runner = run(dict(env['args'], _ansible_check_mode=True), runner)
    assert kind == 'exit' and result['changed'] is False and result['token'] == REUSED


def test_token_list_failure(run, runner, env):
    runner.on(is_list, rc=1, out='p9q8r7.s6t5u4v3w2x1y0z9', err='failed to load admin kubeconfig: permission denied\n')
    kind, result, runner = run(env['args'], runner)
    assert kind == 'fail'
    assert result['msg'] == 'kubeadm token list failed: failed to load admin kubeconfig: permission denied'
    assert result['rc'] == 1
    assert result['cmd'][1:3] == ['token', 'list']
    assert 'p9q8r7.s6t5u4v3w2x1y0z9' not in repr(result), 'stdout may hold secrets'


def test_unparseable_token_list(run, runner, env):
    text = 'TOKEN                     TTL   EXPIRES\np9q8r7.s6t5u4v3w2x1y0z9   23h   2026-11-23T02:10:58Z\n'
    runner.on(is_list, out=text)
    kind, result, runner = run(env['args'], runner)
    assert kind == 'fail'
    assert result['msg'].startswith('cannot understand the output of kubeadm token list')
    assert 'p9q8r7.s6t5u4v3w2x1y0z9' not in repr(result)


def test_create_failure(run, runner, env):
    runner.on(is_list, out='')
    runner.on(is_create, rc=1, err='error: timed out waiting for the condition\n')
    kind, result, runner = run(env['args'], runner)
    assert kind == 'fail' and 'timed out' in result['msg'] and result['rc'] == 1


def test_create_without_token_output(run, runner, env):
    runner.on(is_list, out='')
    runner.on(is_create, out='something unexpected\n')
    kind, result, runner = run(env['args'], runner)
    assert kind == 'fail' and 'did not print a token' in result['msg']


def test_missing_ca_file(run, runner, env, tmp_path):
    args = dict(env['args'], ca_cert_path=str(tmp_path / 'missing.crt'))
    kind, result, runner = run(args, runner)
    assert kind == 'fail'
    assert 'CA certificate' in result['msg'] and 'ca_cert_path' in result['msg']
    assert runner.calls == []


def test_ca_file_is_not_a_certificate(run, runner, env, tmp_path, openssl_ca):
    key = tmp_path / 'ca.key'
    key.write_text(openssl_ca['rsa2048']['key'])
    kind, result, runner = run(dict(env['args'], ca_cert_path=str(key)), runner)
    assert kind == 'fail' and 'not a usable CA certificate' in result['msg'] and 'PRIVATE KEY' in result['msg']


def test_missing_kubeconfig(run, runner, env, tmp_path):
    args = dict(env['args'], kubeconfig=str(tmp_path / 'nope.conf'))
    kind, result, runner = run(args, runner)
    assert kind == 'fail' and 'kubeconfig' in result['msg'] and runner.calls == []


def test_kubeconfig_without_server(run, runner, env):
    runner.on(is_config_view, out='{"kind": "Config", "clusters": null, "current-context": ""}\n')
    kind, result, runner = run(env['args'], runner)
    assert kind == 'fail'
    assert result['msg'] == ('cannot read the API server endpoint from %s: the kubeconfig has no '
                             'clusters[].cluster.server for its current context' % env['args']['kubeconfig'])
    assert runner.ran('token') == []


@pytest.mark.parametrize('answer, message', [
    (dict(rc=1, err='error: error loading config file: yaml: line 3: mapping values are not allowed\n'),
     'kubectl config view failed (rc=1): error: error loading config file'),
    (dict(out='apiVersion: v1\n'), 'kubectl config view printed invalid JSON'),
])
def test_kubectl_cannot_read_the_kubeconfig(run, runner, env, answer, message):
    runner.on(is_config_view, **answer)
    kind, result, runner = run(env['args'], runner)
    assert kind == 'fail' and message in result['msg'] and runner.ran('token') == []


def test_kubectl_not_found(run, runner, env):
    kind, result, runner = run(env['args'], runner, bins={'kubeadm': '/usr/bin/kubeadm'})
    assert kind == 'fail' and 'kubectl is not on PATH; install kubectl or set kubectl_path' in result['msg']
    assert runner.calls == []


def test_kubectl_path_option(run, runner, env):
    runner.on(is_list, out=token_list())
    kind, result, runner = run(dict(env['args'], kubectl_path='/opt/bin/kubectl'), runner,
                               bins={'kubeadm': '/usr/bin/kubeadm'}, executables=['/opt/bin/kubectl'])
    assert kind == 'exit' and runner.ran('config', 'view')[0][0] == '/opt/bin/kubectl'


@pytest.mark.parametrize('overrides, message', [
    (dict(min_remaining='2h', ttl='2h'), 'must be shorter than ttl'),
    (dict(ttl='2 days'), 'ttl='),
    (dict(min_remaining='x'), 'min_remaining='),
])
def test_bad_durations(run, runner, env, overrides, message):
    kind, result, runner = run(dict(env['args'], **overrides), runner)
    assert kind == 'fail' and message in result['msg'] and runner.calls == []


def test_kubeadm_not_found(run, runner, env):
    kind, result, runner = run(env['args'], runner, bins={})
    assert kind == 'fail' and 'set kubeadm_path' in result['msg'] and runner.calls == []


def test_kubeadm_path_option(run, runner, env):
    runner.on(is_list, out=token_list())
    kind, result, runner = run(dict(env['args'], kubeadm_path='/opt/bin/kubeadm'),
                               runner, bins={'kubectl': '/usr/bin/kubectl'}, executables=['/opt/bin/kubeadm'])
    assert kind == 'exit' and runner.ran('token', 'list')[0][0] == '/opt/bin/kubeadm'


def test_kubeadm_path_not_executable(run, runner, env):
    kind, result, runner = run(dict(env['args'], kubeadm_path='/opt/bin/kubeadm'), runner, bins={})
    assert kind == 'fail' and 'kubeadm_path /opt/bin/kubeadm is not an executable file' in result['msg']
    assert runner.calls == []
